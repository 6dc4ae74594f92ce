"""Conflict detection: which active registrations and house accounts look like the same customer.

Same customer = same registrable domain, or normalised names with trigram similarity at or above
NAME_SIMILARITY_THRESHOLD. On PostgreSQL one query per batch of probes uses the GIN trigram
indexes (pg_trgm); elsewhere the same rule runs in Python with a port of pg_trgm's similarity,
so both backends give identical answers. Each function answers many probes at once, so a page
of the review queue costs one query per source however many deals it shows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from deals.models import DealRegistration, HouseAccount
from deals.normalise import NAME_SIMILARITY_THRESHOLD, normalise_company_name, trigram_similarity
from partners.models import Partner
from prm.domains import company_domain


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


def _sort_key(m: Match):
    # House accounts and protected registrations first, then first come, first served.
    return (not m.is_house_account, not m.is_protected, m.submitted_at or timezone.now(), -m.score)


def find_matches(tenant, probes: list[Probe], *, today: date | None = None) -> dict[object, list[Match]]:
    """{probe.key: [Match, ...]} for every probe: active registrations and house accounts."""
    today = today or timezone.localdate()
    result: dict[object, list[Match]] = {p.key: [] for p in probes}
    probes = [p for p in probes if p.name or p.domain]
    if probes:
        if connection.vendor == "postgresql":
            _postgres_matches(tenant, probes, today, result)
        else:
            _python_matches(tenant, probes, today, result)
    for matches in result.values():
        for m in matches:
            m.reasons = _reasons(m)
        matches.sort(key=_sort_key)
    return result


def matches_for(tenant, probe: Probe, *, today: date | None = None) -> list[Match]:
    return find_matches(tenant, [probe], today=today)[probe.key]


def _reasons(m: Match) -> list[str]:
    from django.utils.translation import gettext as _

    reasons = []
    if m.domain_match:
        reasons.append(_("same domain %(domain)s") % {"domain": m.domain})
    if m.name_score >= NAME_SIMILARITY_THRESHOLD:
        reasons.append(_("similar name (%(score).2f)") % {"score": m.name_score})
    return reasons


# --- PostgreSQL: trigram operator on GIN indexes ------------------------------------------

_PG_DEALS = """
WITH probe AS (
    SELECT k, n, NULLIF(d, '') AS d, x
    FROM unnest(%(keys)s::text[], %(names)s::text[], %(domains)s::text[], %(excl)s::uuid[]) AS p(k, n, d, x)
)
SELECT p.k, c.id, c.customer_name, c.customer_domain, c.status, c.kind, c.submitted_at, c.protected_until,
       c.customer_key, c.partner_id,
       -- per match, by primary key: a join let the planner hash every partner of the tenant
       (SELECT pt.name FROM {partners} pt WHERE pt.id = c.partner_id), c.domain_match, c.score
FROM probe p
CROSS JOIN LATERAL (
    -- One index search per probe: the domain btree OR the partial GIN trigram index (same predicate).
    SELECT c.*, c.customer_domain IS NOT DISTINCT FROM p.d AS domain_match,
           similarity(c.customer_name_normalised, p.n) AS score
    FROM {deals} c
    WHERE c.tenant_id = %(tenant)s
      AND c.status IN ('submitted', 'info_requested', 'approved')
      AND (c.customer_domain = p.d OR c.customer_name_normalised %% p.n)
      AND (c.status <> 'approved' OR c.protected_until >= %(today)s)
      AND (p.x IS NULL OR c.id <> p.x)
) c
WHERE c.domain_match OR c.score >= %(threshold)s
"""

_PG_HOUSE = """
WITH probe AS (
    SELECT k, n, NULLIF(d, '') AS d FROM unnest(%(keys)s::text[], %(names)s::text[], %(domains)s::text[]) AS p(k, n, d)
)
SELECT p.k, h.id, h.name, h.domain, h.domain_match, h.score
FROM probe p
CROSS JOIN LATERAL (
    SELECT h.*, h.domain IS NOT DISTINCT FROM p.d AS domain_match, similarity(h.name_normalised, p.n) AS score
    FROM {house} h
    WHERE h.tenant_id = %(tenant)s AND (h.domain = p.d OR h.name_normalised %% p.n)
) h
WHERE h.domain_match OR h.score >= %(threshold)s
"""


def postgres_queries(tenant, probes: list[Probe], today: date) -> tuple[str, str, dict, dict]:
    """(deals SQL, house-accounts SQL, params, probe index → key); also used by the benchmark."""
    keys = {str(i): p.key for i, p in enumerate(probes)}
    params = {
        "keys": list(keys), "names": [p.name for p in probes], "domains": [p.domain for p in probes],
        "excl": [p.exclude_id for p in probes], "tenant": tenant.pk, "today": today,
        "threshold": NAME_SIMILARITY_THRESHOLD,
    }
    deals_sql = _PG_DEALS.format(deals=DealRegistration._meta.db_table, partners=Partner._meta.db_table)
    house_sql = _PG_HOUSE.format(house=HouseAccount._meta.db_table)
    return deals_sql, house_sql, params, keys


def _postgres_matches(tenant, probes: list[Probe], today: date, result: dict) -> None:
    deals_sql, house_sql, params, keys = postgres_queries(tenant, probes, today)
    with transaction.atomic(), connection.cursor() as cursor:
        # `%` uses this threshold, so the GIN index only returns rows that can qualify.
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(NAME_SIMILARITY_THRESHOLD)])
        cursor.execute(deals_sql, params)
        for k, pk, name, domain, status, kind, submitted_at, until, ckey, partner_id, partner_name, dm, score in cursor.fetchall():
            result[keys[k]].append(Match(
                "deal", pk, name, domain, bool(dm), float(score), partner_id, partner_name, status, kind,
                submitted_at, until, ckey,
            ))
        cursor.execute(house_sql, params)
        for k, pk, name, domain, dm, score in cursor.fetchall():
            result[keys[k]].append(Match("house_account", pk, name, domain, bool(dm), float(score)))


# --- Portable path: the same rule in Python -----------------------------------------------


def _python_matches(tenant, probes: list[Probe], today: date, result: dict) -> None:
    deals = list(
        DealRegistration.objects.filter(tenant=tenant).active(today).values_list(
            "id", "customer_name", "customer_name_normalised", "customer_domain", "status", "kind",
            "submitted_at", "protected_until", "customer_key", "partner_id", "partner__name",
        )
    )
    houses = list(HouseAccount.objects.filter(tenant=tenant).values_list("id", "name", "name_normalised", "domain"))
    for p in probes:
        out = result[p.key]
        for pk, name, norm, domain, status, kind, submitted_at, until, ckey, partner_id, partner_name in deals:
            if pk == p.exclude_id:
                continue
            dm, score = _compare(p, norm, domain)
            if dm or score >= NAME_SIMILARITY_THRESHOLD:
                out.append(Match("deal", pk, name, domain, dm, score, partner_id, partner_name, status, kind,
                                 submitted_at, until, ckey))
        for pk, name, norm, domain in houses:
            dm, score = _compare(p, norm, domain)
            if dm or score >= NAME_SIMILARITY_THRESHOLD:
                out.append(Match("house_account", pk, name, domain, dm, score))


def _compare(p: Probe, name: str, domain: str) -> tuple[bool, float]:
    return bool(p.domain) and p.domain == domain, trigram_similarity(name, p.name)
