"""Per-partner features for one chunk of partner ids, computed with set-based SQL.

Every query below is one aggregate grouped by partner over the chunk's id range (conditional
aggregation with `filter=Q(...)`), so the same ORM code runs on SQLite and PostgreSQL and there is
no per-partner loop over events or deals. About eight queries per chunk, whatever its size.

On PostgreSQL the event query is answered by an index-only scan of the covering index that this
app's migration 0002 adds ((tenant, partner, occurred_at) INCLUDE (kind)): a chunk then reads only
its own partners' index entries instead of every heap page of a time-ordered table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from prm.events.models import EngagementEvent

# Kinds whose 30- and 90-day counts are kept per partner ("activity by kind").
ACTIVITY_KINDS = [
    "sign_in", "content_viewed", "content_downloaded", "course_completed", "certification_earned",
    "deal_registered", "deal_approved", "deal_won", "mdf_requested", "mdf_claimed", "profile_updated",
    "colleague_invited", "lead_accepted", "lead_declined", "lead_expired",
]
# Recorded against a partner but not its engagement: an offer left to expire, or one staff took back.
# They are kept by kind (the lead features) but do not count as activity.
NOT_ENGAGEMENT = ("lead_expired", "lead_reassigned")
# The partner's answers to lead offers (accepted, declined, left to expire): the lead features.
LEAD_DECISION_KINDS = ("lead_accepted", "lead_declined", "lead_expired")
SIGN_IN_LOOKBACK_DAYS = 365
OPEN_STATUSES = ("submitted", "info_requested", "approved")
APPROVED_ONCE = ("approved", "won", "lost", "expired")
MDF_USED_STATUSES = ("approved", "claimed", "closed")
ZERO = Decimal("0")
PERIODS = (30, 90, 365)
ROLES = ("sourced", "influenced", "fulfilled")
MIN_UUID = uuid.UUID(int=0)
MAX_UUID = uuid.UUID(int=2**128 - 1)


@dataclass(frozen=True)
class Window:
    """The as-of date and the instants the features count from (end is exclusive: midnight after D)."""

    day: date

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.day + timedelta(days=1), time.min))

    def ago(self, days: int) -> datetime:
        return self.end - timedelta(days=days)


def _money(expr) -> Sum:
    return Sum(expr, output_field=DecimalField(max_digits=20, decimal_places=2))


def event_query(tenant, w: Window, first_id, last_id):
    """Event counts per partner and kind of the chunk over the 90 days before the end of the day
    (one GROUP BY partner, kind); _event_features turns the kinds into columns.

    Three counts per row instead of one filtered count per kind and period: most of the cost of the
    nightly job is this aggregate, and it is paid per event read."""
    d30, d60, d90 = w.ago(30), w.ago(60), w.ago(90)
    # COUNT(occurred_at) (never null), not COUNT(id): the query then needs only (tenant, partner,
    # occurred_at, kind), which the covering index holds, so PostgreSQL answers with an index-only scan.
    return (EngagementEvent.objects.filter(
        tenant=tenant, partner_id__gte=first_id, partner_id__lte=last_id, occurred_at__gte=d90, occurred_at__lt=w.end,
    ).values("partner_id", "kind").annotate(
        n30=Count("occurred_at", filter=Q(occurred_at__gte=d30)),
        n90=Count("occurred_at"),
        nprev=Count("occurred_at", filter=Q(occurred_at__gte=d60, occurred_at__lt=d30)),
        # The day of the latest sign-in in these 90 days (on the sign_in row only): the set-based
        # path then probes sign_in_query's index only for partners without one.
        last_sign_in=TruncDate(Max("occurred_at", filter=Q(kind="sign_in"))),
    ).order_by())


def sign_in_query(tenant, w: Window, first_id, last_id):
    """The day of each chunk partner's last sign-in within a year (None: none). Per partner, one
    backward probe of an index of sign-ins (on PostgreSQL the partial index of migration 0004)
    finds its latest sign-in: grouping the chunk's sign-ins read every one of them (250,000 a year
    for a 10,000-partner chunk of the benchmark, and more with every year of history kept)."""
    from partners.models import Partner

    latest = (EngagementEvent.objects.filter(
        tenant=tenant, partner_id=OuterRef("id"), kind="sign_in",
        occurred_at__gte=w.ago(SIGN_IN_LOOKBACK_DAYS), occurred_at__lt=w.end,
    ).order_by("-occurred_at").values("occurred_at")[:1])
    return (Partner.objects.filter(tenant=tenant, id__gte=first_id, id__lte=last_id)
            .annotate(latest=Subquery(latest))
            .values(partner_id=F("id"), last_sign_in=TruncDate("latest")).order_by())


def _event_features(tenant, w: Window, first_id, last_id) -> dict:
    """{partner_id: {e30, e90, eprev (all kinds but NOT_ENGAGEMENT), k<i>_30, k<i>_90 (ACTIVITY_KINDS[i]), last_sign_in}}."""
    index = {kind: i for i, kind in enumerate(ACTIVITY_KINDS)}
    result: dict = {}
    for row in _fetch(event_query(tenant, w, first_id, last_id)):
        e = result.setdefault(row["partner_id"], {"e30": 0, "e90": 0, "eprev": 0})
        if row["kind"] not in NOT_ENGAGEMENT:
            e["e30"] += row["n30"]
            e["e90"] += row["n90"]
            e["eprev"] += row["nprev"]
        if row["kind"] in index:
            i = index[row["kind"]]
            e[f"k{i}_30"], e[f"k{i}_90"] = row["n30"], row["n90"]
    for row in _fetch(sign_in_query(tenant, w, first_id, last_id)):
        result.setdefault(row["partner_id"], {})["last_sign_in"] = row["last_sign_in"]
    return result


def deal_query(tenant, w: Window, first_id, last_id):
    """Deal figures per partner of the chunk (one GROUP BY partner); see _deal_features."""
    from deals.models import DealRegistration

    day = w.day
    won = Q(status="won", closed_on__lte=day)
    # Open at the end of the day: still open now, or closed later — won or lost after the day,
    # rejected after it, or protected through it and expired since (a backfilled date must count
    # the pipeline of that day, not today's).
    open_at_day = (Q(status__in=OPEN_STATUSES) | Q(status__in=("won", "lost"), closed_on__gt=day)
                   | Q(status="rejected", decided_at__gte=w.end) | Q(status="expired", protected_until__gte=day))
    # Counting submitted_at (never null), not id: every column read is in the covering index of
    # migration 0003, so PostgreSQL answers with an index-only scan.
    return (DealRegistration.objects.filter(
        tenant=tenant, partner_id__gte=first_id, partner_id__lte=last_id, submitted_at__lt=w.end,
    ).values("partner_id").annotate(
        registered_90=Count("submitted_at", filter=Q(submitted_at__gte=w.ago(90))),
        won_12m=Count("submitted_at", filter=won & Q(closed_on__gt=day - timedelta(days=365))),
        lost_12m=Count("submitted_at", filter=Q(status="lost", closed_on__lte=day,
                                                closed_on__gt=day - timedelta(days=365))),
        won_30=_money(Case(When(won & Q(closed_on__gt=day - timedelta(days=30)), then=F("won_base_amount")))),
        won_90=_money(Case(When(won & Q(closed_on__gt=day - timedelta(days=90)), then=F("won_base_amount")))),
        won_365=_money(Case(When(won & Q(closed_on__gt=day - timedelta(days=365)), then=F("won_base_amount")))),
        won_count_30=Count("submitted_at", filter=won & Q(closed_on__gt=day - timedelta(days=30))),
        won_count_90=Count("submitted_at", filter=won & Q(closed_on__gt=day - timedelta(days=90))),
        pipeline=_money(Case(When(open_at_day, then=F("base_amount")))),
        last_deal=TruncDate(Max("submitted_at")),
        first_approval=TruncDate(Min("decided_at", filter=Q(status__in=APPROVED_ONCE))),
        **_decision_aggregates(w),
    ).order_by())


def _deal_features(tenant, w: Window, first_id, last_id) -> dict:
    return {row["partner_id"]: row for row in _fetch(deal_query(tenant, w, first_id, last_id))}


def _decision_aggregates(w: Window) -> dict:
    """Decisions (approve, reject) made in each period, how many by the SLA deadline, hours taken."""
    taken = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    out = {}
    for p in PERIODS:
        decided = Q(decided_at__gte=w.ago(p), decided_at__lt=w.end)
        out[f"decided_{p}"] = Count("submitted_at", filter=decided)
        out[f"decided_in_sla_{p}"] = Count("submitted_at", filter=decided & Q(decided_at__lte=F("sla_due_at")))
        out[f"decision_time_{p}"] = Sum(taken, filter=decided)
    return out


CREDIT_ROLES = ("influenced", "fulfilled")


def attribution_query(tenant, w: Window, first_id, last_id):
    """Won revenue and deals credited per partner of the chunk (one GROUP BY partner); see _attribution.

    Read from the won deals that credit a chunk partner, fetched by primary key (the credits are a
    few thousand rows; joining them to every deal won in the year read a third of the deals table
    per chunk). On PostgreSQL the partial covering index of won deals (analytics migration 0011)
    answers the fetches without visiting the table."""
    from deals.models import DealPartner, DealRegistration

    day = w.day
    chunk_credit = {"deal_partners__tenant": tenant, "deal_partners__partner_id__gte": first_id,
                    "deal_partners__partner_id__lte": last_id, "deal_partners__role__in": CREDIT_ROLES}
    credited = DealPartner.objects.filter(**{k.removeprefix("deal_partners__"): v for k, v in chunk_credit.items()})
    aggregates = {}
    for role in CREDIT_ROLES:
        for p in PERIODS:
            in_period = Q(deal_partners__role=role, closed_on__gt=day - timedelta(days=p))
            aggregates[f"{role}_won_{p}"] = _money(Case(When(in_period, then=F("won_base_amount"))))
            aggregates[f"{role}_deals_{p}"] = Count("id", filter=in_period)
    # One filter() call: the conditions on deal_partners all apply to the same joined credit row.
    return (DealRegistration.objects.filter(
        _pk_among(credited.values("deal_id").order_by()), tenant=tenant, status="won",
        closed_on__gt=day - timedelta(days=365), closed_on__lte=day, **chunk_credit,
    ).values(credited_partner_id=F("deal_partners__partner_id")).annotate(**aggregates).order_by())


def _pk_among(ids):
    """`pk IN (ids)`; on PostgreSQL `pk = ANY(ARRAY(ids))`, which the planner answers with a primary-key
    index scan for just those rows (an IN subquery may become a hash join over the whole table)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return Q(pk__in=ids)
    from django.contrib.postgres.expressions import ArraySubquery

    return _AnyOf(F("pk"), ArraySubquery(ids))


class _AnyOf(Func):
    """`expression = ANY(array)`, as a boolean filter."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def _attribution(tenant, w: Window, first_id, last_id) -> dict:
    """{partner_id: row} with the won revenue (base currency) and deals credited to the partner as
    influencing or fulfilling partner per period, for deals won in the last 365 days (one grouped
    query). Sourced revenue is the registering partner's won revenue (the deals app credits the
    registering partner as the sourcing partner, for good), counted with the partner's own deals."""
    return {row["credited_partner_id"]: row for row in _fetch(attribution_query(tenant, w, first_id, last_id))}


def _fetch(qs) -> list[dict]:
    """The rows of a values() queryset as dicts. On PostgreSQL straight from the cursor: the values
    are already Python types, and skipping Django's per-value converters matters for a chunk's
    thousands of rows of thirty aggregates."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return list(qs)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def certification_query(tenant, w: Window, first_id, last_id):
    """(partner_id, course_id) of the chunk's certifications in force at the end of the day."""
    from content.models import Certification

    moment = w.end - timedelta(microseconds=1)
    return (Certification.objects.filter(tenant=tenant, partner_id__gte=first_id, partner_id__lte=last_id)
            .valid_on(moment).values_list("partner_id", "course_id").order_by())


def _certifications(tenant, w: Window, first_id, last_id) -> tuple[dict, dict]:
    """({partner_id: certifications in force at the end of the day}, {partner_id: {their course ids}})."""
    counts: dict = {}
    held: dict = {}
    for partner_id, course_id in certification_query(tenant, w, first_id, last_id):
        counts[partner_id] = counts.get(partner_id, 0) + 1
        held.setdefault(partner_id, set()).add(course_id)
    return counts, held


def onboarding_steps_query(tenant):
    """(path_id, number of steps) per onboarding path."""
    from partners.models import OnboardingStep

    return OnboardingStep.objects.filter(tenant=tenant).values_list("path_id").annotate(n=Count("id")).order_by()


def onboarding_query(tenant, w: Window, first_id, last_id):
    """The chunk's onboardings started by the end of the day, with the steps completed by then."""
    from partners.models import PartnerOnboarding

    return (PartnerOnboarding.objects.filter(
        tenant=tenant, partner_id__gte=first_id, partner_id__lte=last_id, started_at__lt=w.end,
    ).values("partner_id", "path_id", "completed_at").annotate(
        done=Count("completions", filter=Q(completions__completed_at__lt=w.end)),
    ).order_by())


def _onboarding(tenant, w: Window, first_id, last_id) -> dict:
    """{partner_id: completion 0–1} for partners with an onboarding path (two queries)."""
    totals = dict(onboarding_steps_query(tenant))
    result = {}
    for row in onboarding_query(tenant, w, first_id, last_id):
        if row["completed_at"] is not None and row["completed_at"] < w.end:
            result[row["partner_id"]] = 1.0
            continue
        total = totals.get(row["path_id"], 0)
        result[row["partner_id"]] = min(1.0, row["done"] / total) if total else 1.0
    return result


def currency_rates(tenant, day: date) -> dict[str, Decimal]:
    """Base-currency units per unit of each currency on `day` (the latest rate not after it); one query."""
    from deals.models import CurrencyRate

    rates = {tenant.base_currency: Decimal("1")}
    for currency, rate in (CurrencyRate.objects.filter(tenant=tenant, valid_from__lte=day)
                           .order_by("currency", "-valid_from").values_list("currency", "rate")):
        rates.setdefault(currency, rate)
    return rates


def _to_base(field: str, rates: dict[str, Decimal], currency_field: str = "currency"):
    """CASE currency WHEN 'EUR' THEN amount * 1.08 ... END: conversion inside the aggregate."""
    whens = [When(**{currency_field: code}, then=F(field) * Value(rate)) for code, rate in rates.items()]
    return Case(*whens, default=Value(None), output_field=DecimalField(max_digits=24, decimal_places=6))


def mdf_allocated_query(tenant, w: Window, first_id, last_id, rates):
    """MDF allocated per partner of the chunk (base currency), for funds whose period includes the day."""
    from incentives.models import MdfAllocation

    current = Q(fund__start_date__lte=w.day, fund__end_date__gte=w.day)
    return (MdfAllocation.objects.filter(current, tenant=tenant, partner_id__gte=first_id, partner_id__lte=last_id,
                                         created_at__lt=w.end)
            .values("partner_id").annotate(total=_money(_to_base("amount", rates))).order_by())


def mdf_used_query(tenant, w: Window, first_id, last_id, rates):
    """MDF reserved or spent per partner of the chunk (base currency), on those same funds."""
    from incentives.models import MdfRequest

    return (MdfRequest.objects.filter(
        tenant=tenant, partner_id__gte=first_id, partner_id__lte=last_id, status__in=MDF_USED_STATUSES,
        submitted_at__lt=w.end, allocation__fund__start_date__lte=w.day, allocation__fund__end_date__gte=w.day,
    ).values("partner_id").annotate(total=_money(_to_base("approved_amount", rates))).order_by())


def _mdf(tenant, w: Window, first_id, last_id, rates) -> dict:
    """{partner_id: (allocated, used)} in the base currency, for funds whose period includes the day."""
    result: dict = {}
    for row in mdf_allocated_query(tenant, w, first_id, last_id, rates):
        result[row["partner_id"]] = [row["total"] or ZERO, ZERO]
    if not result:
        return result
    for row in mdf_used_query(tenant, w, first_id, last_id, rates):
        if row["partner_id"] in result:
            result[row["partner_id"]][1] = row["total"] or ZERO
    return result


def _quantize(value) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


def partner_query(tenant, w: Window, first_id, last_id):
    """The chunk's partners that had joined by the end of the day, in id order."""
    from partners.models import Partner

    return (Partner.objects.filter(
        tenant=tenant, id__gte=first_id, id__lte=last_id, joined_at__lt=w.end,
    ).values("id", "name", "status", "tier_id", "partner_type_id", "partner_type__transacts", "owner_id",
             "regions", joined=TruncDate("joined_at")).order_by("id"))


def chunk_features(tenant, day: date, first_id, last_id) -> list[dict]:
    """One dict of features per partner whose id lies in [first_id, last_id]."""
    w = Window(day)
    partners = list(partner_query(tenant, w, first_id, last_id))
    if not partners:
        return []
    events = _event_features(tenant, w, first_id, last_id)
    deals = _deal_features(tenant, w, first_id, last_id)
    certs, held = _certifications(tenant, w, first_id, last_id)
    onboarding = _onboarding(tenant, w, first_id, last_id)
    mdf = _mdf(tenant, w, first_id, last_id, currency_rates(tenant, day))
    credits = _attribution(tenant, w, first_id, last_id)
    result = []
    for p in partners:
        pid = p["id"]
        e = events.get(pid, {})
        d = deals.get(pid, {})
        won, lost = d.get("won_12m", 0), d.get("lost_12m", 0)
        last_sign_in = e.get("last_sign_in")
        last_deal = d.get("last_deal")
        allocated, used = mdf.get(pid, (ZERO, ZERO))
        first_approval = d.get("first_approval")
        row = {
            "partner_id": pid, "name": p["name"], "status": p["status"], "tier_id": p["tier_id"],
            "partner_type_id": p["partner_type_id"], "transacts": p["partner_type__transacts"],
            "owner_id": p["owner_id"], "joined": p["joined"],
            "events_30": e.get("e30", 0), "events_90": e.get("e90", 0), "events_prev_30": e.get("eprev", 0),
            "sign_ins_30": e.get("k0_30", 0),
            "content_30": e.get("k1_30", 0) + e.get("k2_30", 0),
            "courses_90": e.get("k3_90", 0),
            "activity": {kind: [e.get(f"k{i}_30", 0), e.get(f"k{i}_90", 0)] for i, kind in enumerate(ACTIVITY_KINDS)
                         if e.get(f"k{i}_90", 0)},
            "days_since_sign_in": (day - last_sign_in).days if last_sign_in else None,
            # Lead offers answered in 90 days (accepted, declined or left to expire) and those expired:
            # scoring.lead_penalty takes points off for the expired share.
            "lead_decisions_90": sum(e.get(f"k{ACTIVITY_KINDS.index(k)}_90", 0) for k in LEAD_DECISION_KINDS),
            "leads_expired_90": e.get(f"k{ACTIVITY_KINDS.index('lead_expired')}_90", 0),
            "deals_registered_90": d.get("registered_90", 0),
            "deals_won_12m": won, "deals_lost_12m": lost,
            "win_rate": round(won / (won + lost), 4) if won + lost else None,
            "open_pipeline": _quantize(d.get("pipeline")),
            "won_revenue_30": _quantize(d.get("won_30")), "won_revenue_90": _quantize(d.get("won_90")),
            "won_revenue_12m": _quantize(d.get("won_365")),
            "days_since_deal": (day - last_deal).days if last_deal else None,
            "onboarding_completion": onboarding.get(pid),
            "active_certifications": certs.get(pid, 0),
            "mdf_allocated": _quantize(allocated), "mdf_used": _quantize(used),
            "mdf_utilisation": round(float(used / allocated), 4) if allocated else None,
            "tenure_days": max(0, (day - p["joined"]).days),
            "courses_held": held.get(pid, set()),
            "activated": first_approval is not None and first_approval <= p["joined"] + timedelta(days=90),
        }
        c = credits.get(pid, {})
        for period in PERIODS:
            row[f"decided_{period}"] = d.get(f"decided_{period}", 0)
            row[f"decided_in_sla_{period}"] = d.get(f"decided_in_sla_{period}", 0)
            taken = d.get(f"decision_time_{period}")
            row[f"decision_hours_{period}"] = round(taken.total_seconds() / 3600, 4) if taken else 0.0
            for role in CREDIT_ROLES:
                row[f"{role}_won_{period}"] = _quantize(c.get(f"{role}_won_{period}"))
                row[f"{role}_deals_{period}"] = c.get(f"{role}_deals_{period}", 0)
        row["sourced_won_30"], row["sourced_won_90"] = row["won_revenue_30"], row["won_revenue_90"]
        row["sourced_won_365"] = row["won_revenue_12m"]
        row["sourced_deals_30"], row["sourced_deals_90"] = d.get("won_count_30", 0), d.get("won_count_90", 0)
        row["sourced_deals_365"] = won
        result.append(row)
    return result
