"""Is this lead already open? Same registrable domain, or a name that the deals rule calls the same
customer (normalised names, trigram similarity at the deals threshold). The rule itself lives in
deals.normalise and is only called here, so improving it improves lead dedupe too."""

from __future__ import annotations

from collections import Counter, defaultdict

from leads.models import Lead


class OpenLeads:
    """The tenant's open leads indexed once (one query), then asked for many candidates: an import
    checks each row against this index instead of querying per row."""

    def __init__(self, tenant, *, exclude_ids=()):
        from deals.normalise import trigrams

        self._trigrams = trigrams
        rows = list(Lead.objects.filter(tenant=tenant).open().exclude(pk__in=list(exclude_ids))
                    .values_list("pk", "company_name", "company_name_normalised", "domain", "status"))
        self.rows = rows
        self.by_domain: dict[str, list[int]] = defaultdict(list)
        self.by_trigram: dict[str, list[int]] = defaultdict(list)
        self.sizes: list[int] = []
        for i, (_pk, _name, norm, domain, _status) in enumerate(rows):
            if domain:
                self.by_domain[domain].append(i)
            grams = trigrams(norm)
            self.sizes.append(len(grams))
            for g in grams:
                self.by_trigram[g].append(i)

    def add(self, pk, name: str, norm: str, domain: str, status: str) -> None:
        """A lead created during the batch is a duplicate candidate for the rows after it."""
        i = len(self.rows)
        self.rows.append((pk, name, norm, domain, status))
        if domain:
            self.by_domain[domain].append(i)
        grams = self._trigrams(norm)
        self.sizes.append(len(grams))
        for g in grams:
            self.by_trigram[g].append(i)

    def matches(self, norm: str, domain: str) -> list[dict]:
        """[{id, company, status, why}] of the open leads that look like the same company."""
        from deals.normalise import NAME_SIMILARITY_THRESHOLD

        found: dict[int, str] = {}
        for i in self.by_domain.get(domain, []) if domain else []:
            found[i] = "domain"
        grams = self._trigrams(norm)
        shared: Counter = Counter()
        for g in grams:
            shared.update(self.by_trigram.get(g, ()))
        for i, n in shared.items():
            if i in found:
                continue
            similarity = n / (len(grams) + self.sizes[i] - n)
            if similarity >= NAME_SIMILARITY_THRESHOLD:
                found[i] = "name"
        return [{"id": self.rows[i][0], "company": self.rows[i][1], "status": self.rows[i][4], "why": why}
                for i, why in found.items()]
