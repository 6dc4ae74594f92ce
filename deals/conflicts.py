"""Conflict detection: which active registrations and house accounts look like the same customer.

Same customer = same registrable domain, or names that `deals.normalise.compare_names` accepts
(weighted words: see that module). The database only fetches candidates: on PostgreSQL one query
per batch of probes looks up the domain btree and a GIN index over `deals_identity_keys(name)`
(migration 0006); elsewhere `NameIndex` applies the same keys in Python. Every candidate is then
decided by the same Python function with the same word statistics, so both backends give identical
answers by construction, and the keys are built so that the filter never drops a pair the rule
accepts. Each function answers many probes at once: a page of the review queue costs one query per
source however many deals it shows (plus, once per tenant every STATS_TTL seconds, the statistics).

Callers outside deals (lead dedupe) ask `find_matches(tenant, [Probe.for_input(...)])`: each Match
carries `reasons` (translated sentences, shown to staff) and `evidence` (the structured NameMatch).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from deals.models import DealRegistration, HouseAccount
from deals.normalise import NO_MATCH, NameIndex, NameMatch, NameStats, name_search, normalise_company_name
from partners.models import Partner
from prm.domains import company_domain

STATS_SAMPLE = 20_000  # the most recent active registrations (and house accounts) the statistics count
STATS_TTL = 600  # seconds a tenant's statistics are reused


@dataclass(frozen=True)
class Probe:
    """A customer to check: `key` identifies it in the answer; `exclude_id` skips the deal itself."""

    key: object
    name: str  # normalised
    domain: str
    exclude_id: uuid.UUID | None = None

    @classmethod
    def for_input(cls, key, *, name: str, website: str = "", email: str = "", exclude_id=None) -> Probe:
        return cls(key, normalise_company_name(name), company_domain(website=website, email=email), exclude_id)

    @classmethod
    def for_deal(cls, deal: DealRegistration) -> Probe:
        return cls(deal.pk, deal.customer_name_normalised, deal.customer_domain, deal.pk)


@dataclass
class Match:
    """One candidate with its evidence (shown to staff only, never to partners)."""

    source: str  # "deal" or "house_account"
    id: object
    name: str
    domain: str
    domain_match: bool
    name_score: float
    partner_id: uuid.UUID | None = None
    partner_name: str = ""
    status: str = ""
    kind: str = ""
    submitted_at: datetime | None = None
    protected_until: date | None = None
    customer_key: str = ""
    reasons: list[str] = field(default_factory=list)
    # Set for a viewer confined to a book when the look-alike's partner is outside it: the page says
    # that a conflict exists, not whose registration it is.
    outside_book: bool = False
    evidence: NameMatch = NO_MATCH  # why the names match (or how far they are apart)

    @property
    def name_match(self) -> bool:
        return self.evidence.accepted

    @property
    def partner_label(self) -> str:
        """The partner's name, or who it is to a viewer who may not see it."""
        return gettext("another partner outside your book") if self.outside_book else self.partner_name

    @property
    def score(self) -> float:
        return 1.0 if self.domain_match else round(self.name_score, 3)

    @property
    def is_house_account(self) -> bool:
        return self.source == "house_account"

    @property
    def is_protected(self) -> bool:
        return self.source == "deal" and self.status == DealRegistration.Status.APPROVED

    @property
    def name_only(self) -> bool:
        return not self.domain_match

    def status_label(self) -> str:
        return str(DealRegistration.Status(self.status).label) if self.status else ""


def _sort_key(now: datetime):
    def key(m: Match):
        # House accounts and protected registrations first, then first come, first served; the id
        # breaks ties, so both backends list the same matches in the same order.
        return (not m.is_house_account, not m.is_protected, m.submitted_at or now, -m.score, str(m.id))

    return key


def find_matches(tenant, probes: list[Probe], *, today: date | None = None) -> dict[object, list[Match]]:
    """{probe.key: [Match, ...]} for every probe: active registrations and house accounts that are
    the same customer, each with `reasons` saying why. The public entry point for deal conflicts and
    lead dedupe alike."""
    today = today or timezone.localdate()
    result: dict[object, list[Match]] = {p.key: [] for p in probes}
    probes = [p for p in probes if p.name or p.domain]
    if probes:
        if connection.vendor == "postgresql":
            _postgres_matches(tenant, probes, today, result)
        else:
            _python_matches(tenant, probes, today, result)
    return _finish(result)


def find_matches_portable(tenant, probes: list[Probe], *, today: date | None = None) -> dict[object, list[Match]]:
    """`find_matches` without the PostgreSQL index: every active row through `NameIndex` in Python
    (what SQLite runs; on PostgreSQL the tests compare both paths)."""
    today = today or timezone.localdate()
    result: dict[object, list[Match]] = {p.key: [] for p in probes}
    probes = [p for p in probes if p.name or p.domain]
    if probes:
        _python_matches(tenant, probes, today, result)
    return _finish(result)


def _finish(result: dict[object, list[Match]]) -> dict[object, list[Match]]:
    order = _sort_key(timezone.now())
    for matches in result.values():
        for m in matches:
            m.reasons = match_reasons(m.domain_match, m.domain, m.evidence)
        matches.sort(key=order)
    return result


def matches_for(tenant, probe: Probe, *, today: date | None = None) -> list[Match]:
    return find_matches(tenant, [probe], today=today)[probe.key]


def match_reasons(domain_match: bool, domain: str, evidence: NameMatch) -> list[str]:
    """Why two records are the same customer, in sentences for staff (the conflict hint)."""
    from django.utils.translation import gettext as _

    reasons = []
    if domain_match:
        reasons.append(_("same domain %(domain)s") % {"domain": domain})
    if not evidence.accepted:
        return reasons
    reasons.append(_("similar name (%(score).2f)") % {"score": evidence.score})
    if evidence.rule == "same_name":
        reasons.append(_("the same name once case, accents, punctuation and legal form are ignored"))
    for kind, a, b in evidence.pairs:
        if kind == "initials":
            short, long_ = (a, b) if len(a) < len(b) else (b, a)
            reasons.append(_("“%(short)s” are the initials of “%(long)s”") % {"short": short.upper(), "long": long_})
        elif kind == "spelling":
            reasons.append(_("“%(a)s” and “%(b)s” are one word spelt two ways") % {"a": a, "b": b})
        elif kind == "typo":
            reasons.append(_("“%(a)s” and “%(b)s” are one letter apart") % {"a": a, "b": b})
        elif kind == "joined":
            reasons.append(_("“%(a)s” and “%(b)s” are the same words run together") % {"a": a, "b": b})
        elif evidence.rule == "words":
            reasons.append(_("both names contain “%(word)s”") % {"word": a})
    if evidence.rule == "all_words":
        reasons.append(_("every word of the shorter name appears in the other"))
    if evidence.light:
        reasons.append(_("words that describe rather than name a company count little: %(words)s") % {
            "words": ", ".join(evidence.light)})
    return reasons


# --- Word statistics of the tenant's customer names ------------------------------------------------


def _stats_cache_key(tenant) -> str:
    return f"deals:name-stats:{tenant.pk}"


def name_statistics(tenant, *, today: date | None = None) -> NameStats:
    """How often each word occurs in the tenant's customer names: the STATS_SAMPLE most recent
    active registrations plus as many house accounts (most recent first). Cached per tenant for
    STATS_TTL seconds; on PostgreSQL one aggregate over index-ordered rows (tens of milliseconds for
    a million registrations), elsewhere the same count in Python."""
    cached = cache.get(_stats_cache_key(tenant))
    if cached is not None:
        names, counts = cached
        return NameStats(names, counts)
    today = today or timezone.localdate()
    if connection.vendor == "postgresql":
        stats = _postgres_statistics(tenant, today)
    else:
        deals = (DealRegistration.objects.filter(tenant=tenant).active(today).order_by("-submitted_at", "-id")
                 .values_list("customer_name_normalised", flat=True)[:STATS_SAMPLE])
        houses = (HouseAccount.objects.filter(tenant=tenant).order_by("-created_at", "-id")
                  .values_list("name_normalised", flat=True)[:STATS_SAMPLE])
        stats = NameStats.from_names(list(deals) + list(houses))
    cache.set(_stats_cache_key(tenant), (stats.names, stats.counts), STATS_TTL)
    return stats


def forget_name_statistics(tenant) -> None:
    """Count afresh on the next check (after a bulk import, or in tests that build a tenant's data)."""
    cache.delete(_stats_cache_key(tenant))


# Per active status the newest rows by index (deals_deal_pending_queue, deals_deal_status_time), then
# the newest of those: the same rows as the ORM query above, without sorting every active registration.
_PG_STATS = """
WITH names AS (
    SELECT n FROM (
        (SELECT customer_name_normalised AS n, submitted_at, id FROM {deals}
         WHERE tenant_id = %(tenant)s AND status = 'submitted' ORDER BY submitted_at DESC, id DESC LIMIT %(sample)s)
        UNION ALL
        (SELECT customer_name_normalised, submitted_at, id FROM {deals}
         WHERE tenant_id = %(tenant)s AND status = 'info_requested' ORDER BY submitted_at DESC, id DESC LIMIT %(sample)s)
        UNION ALL
        (SELECT customer_name_normalised, submitted_at, id FROM {deals}
         WHERE tenant_id = %(tenant)s AND status = 'approved' AND protected_until >= %(today)s
         ORDER BY submitted_at DESC, id DESC LIMIT %(sample)s)
        ORDER BY submitted_at DESC, id DESC LIMIT %(sample)s
    ) d
    UNION ALL
    (SELECT name_normalised FROM {house} WHERE tenant_id = %(tenant)s ORDER BY created_at DESC, id DESC LIMIT %(sample)s)
)
SELECT NULL, count(*) FROM names
UNION ALL
(SELECT w, count(*) FROM names, unnest(string_to_array(n, ' ')) AS w WHERE w <> '' GROUP BY w
 HAVING count(*) > (SELECT greatest(3, count(*) / 2000) FROM names))
"""


def _postgres_statistics(tenant, today: date) -> NameStats:
    sql = _PG_STATS.format(deals=DealRegistration._meta.db_table, house=HouseAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"tenant": tenant.pk, "today": today, "sample": STATS_SAMPLE})
        rows = cursor.fetchall()
    names = next(n for w, n in rows if w is None)
    return NameStats(names, {w: n for w, n in rows if w is not None})


# --- PostgreSQL: candidates from the domain btree and the GIN index over the identity keys ----------

# One row per probe and arm (see deals.normalise.name_search): the first arm of a probe carries its
# domain and its exact keys, every other arm two groups of keys of which a candidate needs one each.
_PG_ARMS = """
WITH arm AS (
    SELECT k, NULLIF(d, '') AS d, x, string_to_array(a1, ' ') AS a1, string_to_array(a2, ' ') AS a2
    FROM unnest(%(keys)s::text[], %(domains)s::text[], %(excl)s::uuid[], %(a1)s::text[], %(a2)s::text[])
         AS p(k, d, x, a1, a2)
)
"""
# One index search per arm: the domain btree OR the partial GIN index over the identity keys (same
# expression, same predicate as migration 0006).
_PG_DEALS = _PG_ARMS + """
SELECT a.k, c.id, c.customer_name, c.customer_name_normalised, c.customer_domain, c.status, c.kind,
       c.submitted_at, c.protected_until, c.customer_key, c.partner_id,
       -- per match, by primary key: a join let the planner hash every partner of the tenant
       (SELECT pt.name FROM {partners} pt WHERE pt.id = c.partner_id)
FROM arm a
CROSS JOIN LATERAL (
    SELECT c.* FROM {deals} c
    WHERE c.tenant_id = %(tenant)s
      AND c.status IN ('submitted', 'info_requested', 'approved')
      AND (c.customer_domain = a.d
           OR (deals_identity_keys(c.customer_name_normalised) && a.a1
               AND deals_identity_keys(c.customer_name_normalised) && a.a2))
      AND (c.status <> 'approved' OR c.protected_until >= %(today)s)
      AND (a.x IS NULL OR c.id <> a.x)
) c
"""

_PG_HOUSE = _PG_ARMS + """
SELECT a.k, h.id, h.name, h.name_normalised, h.domain
FROM arm a
CROSS JOIN LATERAL (
    SELECT h.* FROM {house} h
    WHERE h.tenant_id = %(tenant)s
      AND (h.domain = a.d
           OR (deals_identity_keys(h.name_normalised) && a.a1 AND deals_identity_keys(h.name_normalised) && a.a2))
) h
"""


def postgres_queries(tenant, probes: list[Probe], today: date, stats: NameStats | None = None
                     ) -> tuple[str, str, dict, dict]:
    """(deals SQL, house-accounts SQL, params, probe index → key); also used by the benchmark."""
    stats = stats if stats is not None else name_statistics(tenant, today=today)
    keys = {str(i): p.key for i, p in enumerate(probes)}
    rows: list[tuple] = []
    for i, p in enumerate(probes):
        search = name_search(p.name, stats)
        exact = " ".join(sorted(search.keys)) or None
        rows.append((str(i), p.domain, p.exclude_id, exact, exact))
        rows.extend((str(i), "", p.exclude_id, " ".join(sorted(a)), " ".join(sorted(b))) for a, b in search.arms)
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    params = {
        "keys": list(columns[0]), "domains": list(columns[1]), "excl": list(columns[2]),
        "a1": list(columns[3]), "a2": list(columns[4]), "tenant": tenant.pk, "today": today,
    }
    deals_sql = _PG_DEALS.format(deals=DealRegistration._meta.db_table, partners=Partner._meta.db_table)
    house_sql = _PG_HOUSE.format(house=HouseAccount._meta.db_table)
    return deals_sql, house_sql, params, keys


def _postgres_matches(tenant, probes: list[Probe], today: date, result: dict) -> None:
    stats = name_statistics(tenant, today=today)
    deals_sql, house_sql, params, keys = postgres_queries(tenant, probes, today, stats)
    by_key = {p.key: p for p in probes}
    decide = NameIndex(stats)  # only its memo of verdicts: the candidates come from the index
    with connection.cursor() as cursor:
        cursor.execute(deals_sql, params)
        seen = set()
        for k, pk, name, norm, domain, status, kind, submitted_at, until, ckey, partner_id, partner_name in cursor.fetchall():
            if (k, pk) in seen:  # found through two arms
                continue
            seen.add((k, pk))
            p = by_key[keys[k]]
            dm, verdict = _decide(decide, p, norm, domain)
            if dm or verdict.accepted:
                result[p.key].append(Match("deal", pk, name, domain, dm, verdict.score, partner_id, partner_name,
                                           status, kind, submitted_at, until, ckey, evidence=verdict))
        cursor.execute(house_sql, params)
        seen = set()
        for k, pk, name, norm, domain in cursor.fetchall():
            if (k, pk) in seen:
                continue
            seen.add((k, pk))
            p = by_key[keys[k]]
            dm, verdict = _decide(decide, p, norm, domain)
            if dm or verdict.accepted:
                result[p.key].append(Match("house_account", pk, name, domain, dm, verdict.score, evidence=verdict))


def _decide(index: NameIndex, p: Probe, norm: str, domain: str) -> tuple[bool, NameMatch]:
    return bool(p.domain) and p.domain == domain, index.compare(p.name, norm) if p.name and norm else NO_MATCH


# --- Portable path: the same keys and rule in Python --------------------------------------------------


def _python_matches(tenant, probes: list[Probe], today: date, result: dict) -> None:
    stats = name_statistics(tenant, today=today)
    deals = {row[0]: row for row in DealRegistration.objects.filter(tenant=tenant).active(today).values_list(
        "id", "customer_name", "customer_name_normalised", "customer_domain", "status", "kind",
        "submitted_at", "protected_until", "customer_key", "partner_id", "partner__name",
    )}
    houses = {row[0]: row for row in HouseAccount.objects.filter(tenant=tenant).values_list(
        "id", "name", "name_normalised", "domain")}
    deal_index, house_index = NameIndex(stats), NameIndex(stats)
    for pk, _name, norm, domain, *_rest in deals.values():
        deal_index.add(pk, norm, domain)
    for pk, _name, norm, domain in houses.values():
        house_index.add(pk, norm, domain)
    for p in probes:
        out = result[p.key]
        for hit in deal_index.matches(p.name, p.domain):
            if hit.key == p.exclude_id:
                continue
            pk, name, _norm, domain, status, kind, submitted_at, until, ckey, partner_id, partner_name = deals[hit.key]
            out.append(Match("deal", pk, name, domain, hit.domain_match, hit.name.score, partner_id, partner_name,
                             status, kind, submitted_at, until, ckey, evidence=hit.name))
        for hit in house_index.matches(p.name, p.domain):
            pk, name, _norm, domain = houses[hit.key]
            out.append(Match("house_account", pk, name, domain, hit.domain_match, hit.name.score, evidence=hit.name))
