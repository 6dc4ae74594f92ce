"""Is this lead already open? Same registrable domain, or a name that the deals rule calls the same
customer (deals.normalise: transliteration, legal forms, distinctive words weighted by the tenant's
own customer names, one edit tolerated). The rule lives in deals and is only called here, so lead
dedupe and deal conflicts always agree. Customers with an active registration or a house account
are not duplicates: routing holds such leads for their owner (leads.services.routing.customer_conflicts)."""

from __future__ import annotations

from leads.models import Lead


class OpenLeads:
    """The tenant's open leads indexed once (one query, plus the cached word statistics), then asked
    for many candidates: an import checks each row against this index instead of querying per row."""

    def __init__(self, tenant, *, exclude_ids=()):
        from deals.conflicts import name_statistics
        from deals.normalise import NameIndex

        self.index = NameIndex(name_statistics(tenant))
        self.rows: list[tuple] = []
        for pk, name, norm, domain, status in (Lead.objects.filter(tenant=tenant).open()
                                               .exclude(pk__in=list(exclude_ids))
                                               .values_list("pk", "company_name", "company_name_normalised",
                                                            "domain", "status")):
            self.add(pk, name, norm, domain, status)

    def add(self, pk, name: str, norm: str, domain: str, status: str) -> None:
        """A lead created during the batch is a duplicate candidate for the rows after it."""
        self.index.add(len(self.rows), norm, domain)
        self.rows.append((pk, name, status))

    def matches(self, norm: str, domain: str) -> list[dict]:
        """[{id, company, status, why}] of the open leads that look like the same company."""
        found = []
        for hit in self.index.matches(norm, domain):
            pk, name, status = self.rows[hit.key]
            found.append({"id": pk, "company": name, "status": status, "why": "domain" if hit.domain_match else "name"})
        return found
