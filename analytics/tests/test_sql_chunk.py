"""Parity: on PostgreSQL a chunk is computed by one set-based statement (analytics.services.sql_chunk);
the Python path (compute.compute_rows + write_chunk) is the reference. For a varied program, both
must store the same row for every partner, column by column (floats within 1e-4, JSON compared
after normalising its floats), with either churn method.

The program: several hundred partners in every status, four tiers (requirements on won revenue,
certifications and the health score), partners with and without an onboarding path (one path has
no steps), MDF allocations in three currencies (one without a rate, amounts that convert to exact
half cents), certifications active, expired, revoked and not yet issued, deals in every status and
currency with attribution, and events of every kind from 0 to 400 days old (and some after the day).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone
from django_scopes import scopes_disabled

from analytics.models import HealthRun
from analytics.models import PartnerHealthSnapshot as Snapshot
from analytics.services import sql_chunk, summary
from analytics.services.chunks import chunk_bounds
from analytics.services.compute import RunContext, compute_rows, write_chunk
from analytics.services.features import ACTIVITY_KINDS
from analytics.services.settings import analytics_settings
from partners.models import PartnerSettings
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory, PartnerTypeFactory, TierFactory, at_days_ago, set_settings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PARTNERS = 360
STATUSES = ["active"] * 5 + ["onboarding"] * 2 + ["prospect", "suspended", "churned"]
DEAL_STATUSES = ["submitted", "info_requested", "approved", "rejected", "won", "lost", "expired"]
CURRENCIES = {"USD": Decimal("1"), "EUR": Decimal("1.05"), "GBP": Decimal("1.27"), "JPY": Decimal("0.0067")}
# A trained model's parameters (churn.FEATURES order), chosen so that every feature sometimes
# pushes the risk up by more than 0.05 and so becomes a reason.
MODEL = {
    "method": "model", "samples": 500, "positives": 120, "horizon": 60, "auc": 0.8,
    "mean": [1.6, 1.4, 3.5, 0.6, 0.35, 4.0, 0.8, 0.4, 0.2, 5.5],
    "scale": [1.1, 1.0, 1.6, 0.7, 0.3, 4.5, 0.3, 0.5, 0.3, 1.1],
    "coef": [-0.9, 0.6, 1.1, -0.7, -0.5, -0.15, -0.8, -0.6, -0.4, 0.3],
    "intercept": -0.4,
}
RULES = {"method": "rules", "samples": 12, "positives": 3, "horizon": 60}


def _star(i: int) -> bool:
    """Every 17th partner meets every tier's requirements."""
    return i % 17 == 5


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the set-based chunk statement runs on PostgreSQL only (SQLite uses the Python path)")


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=1)  # the nightly job scores yesterday


@pytest.fixture
def varied(tenant, day):
    """The program described in the module docstring, written in bulk (a few seconds)."""
    from django.contrib.auth import get_user_model

    from content.models import Certification, Course, CoursePartnerType
    from deals.models import CurrencyRate, DealPartner, DealRegistration
    from incentives.models import MdfAllocation, MdfFund, MdfRequest
    from partners.models import OnboardingPath, OnboardingStep, Partner, PartnerOnboarding, StepCompletion
    from prm.events.models import EngagementEvent

    rng = random.Random(20261123)
    with scopes_disabled():
        tiers = [TierFactory(tenant=tenant, rank=1),
                 TierFactory(tenant=tenant, rank=2, min_won_revenue_12m=Decimal("20000"), min_active_certifications=1),
                 TierFactory(tenant=tenant, rank=3, min_won_revenue_12m=Decimal("60000.50"),
                             min_active_certifications=2, min_health_score=45),
                 TierFactory(tenant=tenant, rank=4, min_won_revenue_12m=Decimal("150000"), min_health_score=70)]
        types = [PartnerTypeFactory(tenant=tenant, code="reseller"),
                 PartnerTypeFactory(tenant=tenant, code="referral", transacts=False),
                 PartnerTypeFactory(tenant=tenant, code="technology")]
        paths = {types[0].pk: OnboardingPath.objects.create(tenant=tenant, partner_type=types[0], name="Resell"),
                 types[2].pk: OnboardingPath.objects.create(tenant=tenant, partner_type=types[2], name="Build")}
        # The technology path has no steps: an onboarding on it counts as complete.
        steps = [OnboardingStep.objects.create(tenant=tenant, path=paths[types[0].pk], order=i, title=f"Step {i}")
                 for i in range(1, 6)]
        for currency, rate in CURRENCIES.items():
            if currency not in ("USD", "JPY"):  # JPY has no rate: its MDF converts to nothing
                CurrencyRate.objects.create(tenant=tenant, currency=currency, rate=rate,
                                            valid_from=day - timedelta(days=200))
                CurrencyRate.objects.create(tenant=tenant, currency=currency, rate=rate * 2, valid_from=day + timedelta(days=1))
        now = timezone.now()
        courses = [
            Course.objects.create(tenant=tenant, title="Cloud basics", publish_at=now - timedelta(days=300)),
            Course.objects.create(tenant=tenant, title="Silver sales", publish_at=now - timedelta(days=200), min_tier=tiers[1]),
            Course.objects.create(tenant=tenant, title="Referral craft", publish_at=now - timedelta(days=100)),
            Course.objects.create(tenant=tenant, title="Gold architecture", publish_at=now - timedelta(days=50),
                                  min_tier=tiers[2]),
            Course.objects.create(tenant=tenant, title="Draft course"),  # unpublished: never suggested
        ]
        CoursePartnerType.objects.create(tenant=tenant, course=courses[2], partner_type=types[1])

        owners = get_user_model().objects.bulk_create(
            [get_user_model()(email=f"owner{i}@varied.example", full_name=f"Owner {i}") for i in range(2)])
        regions = [[], ["EMEA"], ["NA"], ["EMEA", "APAC"]]
        partners = []
        for i in range(PARTNERS):
            partners.append(Partner(
                tenant=tenant, name=f"Partner {i:03d}", domain=f"p{i}.example", status=STATUSES[i % len(STATUSES)],
                partner_type=types[i % 3], tier=None if i % 11 == 0 else tiers[rng.randrange(4)],
                regions=regions[i % 4], owner=None if i % 3 == 0 else owners[i % 2]))
        Partner.objects.bulk_create(partners)
        for i, p in enumerate(partners):  # joined 0–800 days before the day; a few after it (not scored)
            p.joined_at = at_days_ago(day, -1 if i % 47 == 0 else rng.randrange(0, 800), hour=rng.randrange(24))
        Partner.objects.bulk_update(partners, ["joined_at"])

        kinds = [*ACTIVITY_KINDS, "quote_requested"]
        events = []
        for i, p in enumerate(partners):
            if i % 9 == 0:
                continue  # no events at all
            recent = rng.randrange(0, 40) if i % 4 else 0  # some partners have nothing recent
            ages = [rng.randrange(0, 30) for _ in range(recent)] + [rng.randrange(30, 401) for _ in range(rng.randrange(0, 40))]
            ages += [-1] if i % 13 == 0 else []  # after the day: not counted
            ages += [rng.randrange(0, 7) for _ in range(40)] if _star(i) else []
            ages += [rng.randrange(30, 60) for _ in range(12)] if i % 19 == 3 else []  # activity halved
            events += [EngagementEvent(tenant=tenant, partner=p, kind=rng.choice(kinds),
                                       occurred_at=at_days_ago(day, a, hour=rng.randrange(24))) for a in ages]
        EngagementEvent.objects.bulk_create(events, batch_size=5000)

        deals = []
        for i, p in enumerate(partners):
            for _n in range(rng.randrange(0, 9) if i % 6 else 0):
                status = rng.choice(DEAL_STATUSES)
                currency = rng.choice(list(CURRENCIES))
                amount = Decimal(rng.randrange(50_000, 9_000_000)) / 100
                base = (amount * CURRENCIES[currency]).quantize(Decimal("0.01"))
                submitted = at_days_ago(day, rng.randrange(-1, 500), hour=rng.randrange(24))
                decided = submitted + timedelta(hours=rng.randrange(1, 200)) if status != "submitted" else None
                closed = None
                if status in ("won", "lost"):
                    closed = (decided + timedelta(days=rng.randrange(0, 120))).date()
                deals.append(DealFactory.build(
                    tenant=tenant, partner=p, status=status, currency=currency, amount=amount, base_amount=base,
                    submitted_at=submitted, sla_due_at=submitted + timedelta(hours=rng.choice([24, 48, 96])),
                    decided_at=decided, closed_on=closed,
                    won_amount=amount if status == "won" else None, won_base_amount=base if status == "won" else None))
            if _star(i):  # enough won revenue for every tier, and recent registrations
                deals += [DealFactory.build(
                    tenant=tenant, partner=p, status="won", amount=Decimal("60000"), base_amount=Decimal("60000"),
                    submitted_at=at_days_ago(day, 10 + n), decided_at=at_days_ago(day, 9 + n),
                    closed_on=day - timedelta(days=5), won_amount=Decimal("60000"), won_base_amount=Decimal("60000"))
                    for n in range(4)]
        DealRegistration.objects.bulk_create(deals, batch_size=2000)
        credits = [DealPartner(tenant=tenant, deal=d, partner=d.partner, role="sourced") for d in deals]
        for d in deals:
            if d.status == "won" and rng.random() < 0.6:
                other = rng.choice(partners)
                if other.pk != d.partner_id:
                    credits.append(DealPartner(tenant=tenant, deal=d, partner=other,
                                               role=rng.choice(["influenced", "fulfilled"])))
        DealPartner.objects.bulk_create(credits, batch_size=5000)

        onboardings = []
        for i, p in enumerate(partners):
            path = paths.get(p.partner_type_id)
            if path is not None and i % 4:
                started = at_days_ago(day, rng.randrange(-1, 300))
                completed = at_days_ago(day, rng.randrange(-2, 30)) if i % 10 == 1 else None
                onboardings.append(PartnerOnboarding(tenant=tenant, partner=p, path=path, started_at=started,
                                                     last_progress_at=started, completed_at=completed))
        PartnerOnboarding.objects.bulk_create(onboardings)
        StepCompletion.objects.bulk_create([
            StepCompletion(tenant=tenant, onboarding=o, step=s, completed_at=at_days_ago(day, rng.randrange(-3, 200)))
            for o in onboardings if o.path_id == paths[types[0].pk].pk
            for s in steps[:rng.randrange(0, 6)]])

        users = get_user_model().objects.bulk_create(
            [get_user_model()(email=f"cert{i}@varied.example", full_name=f"Cert {i}") for i in range(PARTNERS)])
        certifications = []
        for i, p in enumerate(partners):
            for course in courses[:3] if _star(i) else rng.sample(courses[:4], rng.randrange(0, 4)):
                issued = at_days_ago(day, rng.randrange(-2, 500) if not _star(i) else 10)
                status = "active" if _star(i) else rng.choice(["active", "active", "active", "expired", "revoked"])
                expires = None if rng.random() < 0.2 else issued + timedelta(days=365)
                certifications.append(Certification(tenant=tenant, course=course, user=users[i], partner=p,
                                                    issued_at=issued, expires_at=expires, status=status))
        Certification.objects.bulk_create(certifications)

        funds = {currency: MdfFund.objects.create(tenant=tenant, name=f"Fund {currency}", currency=currency,
                                                  start_date=day - timedelta(days=30), end_date=day + timedelta(days=60),
                                                  budget=Decimal("1000000"))
                 for currency in ("USD", "EUR", "JPY")}
        funds["old"] = MdfFund.objects.create(tenant=tenant, name="Last year", currency="USD",
                                              start_date=day - timedelta(days=400), end_date=day - timedelta(days=40),
                                              budget=Decimal("1000000"))
        for i, p in enumerate(partners):
            if i % 5:
                continue
            fund = funds[["USD", "EUR", "JPY", "old"][(i // 5) % 4]]
            # 100.50 EUR at 1.05 is 105.525: exactly half a cent (rounded half to even like Decimal)
            amount = Decimal("100.50") if i % 2 else Decimal(rng.randrange(1000, 2_000_000)) / 100
            allocation = MdfAllocation.objects.create(
                tenant=tenant, fund=fund, partner=p, currency=fund.currency, amount=amount, rate=Decimal("1"),
                fund_amount=amount, created_at=at_days_ago(day, rng.randrange(-1, 60)))
            for _n in range(rng.randrange(0, 4)):
                used = (amount * Decimal(rng.randrange(1, 60)) / 100).quantize(Decimal("0.001"))
                MdfRequest.objects.create(
                    tenant=tenant, allocation=allocation, fund=fund, partner=p, activity_type="webinar",
                    title="Webinar", description="A webinar.", start_date=day, end_date=day, currency=fund.currency,
                    requested_amount=used, approved_amount=used,
                    status=rng.choice(["submitted", "approved", "claimed", "closed", "rejected"]),
                    campaign_code=f"C{i}{_n}{rng.randrange(10**6)}", submitted_at=at_days_ago(day, rng.randrange(-1, 40)))
    return {"tiers": tiers, "partners": partners}


def _done_run(tenant, day, model: dict) -> HealthRun:
    """A finished nightly run of `day` with the churn `model` (the chunks below run by hand)."""
    return HealthRun.objects.create(tenant=tenant, date=day, trigger=HealthRun.Trigger.SCHEDULE,
                                    started_at=timezone.now(), heartbeat_at=timezone.now(), churn_model=model,
                                    status=HealthRun.Status.DONE)


def _stored(tenant, day) -> dict:
    """{partner_id: {column: value}} of the day's snapshots, without the write time, and of the row
    id only its first seven bytes (the date and the version: models.snapshot_id; the rest is random)."""
    with tenant_scope(tenant):
        rows = Snapshot.objects.filter(tenant=tenant, date=day).values()
        return {r["partner_id"]: {**{k: v for k, v in r.items() if k not in ("id", "computed_at")},
                                  "id": r["id"].bytes[:7]} for r in rows}


def _normalise(value):
    """Floats rounded to 4 places (inside JSON too); ints and floats compare equal (1 == 1.0)."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _compute_both(tenant, day, model: dict, chunk_size: int, *, apply_tiers: bool = True) -> tuple[dict, dict]:
    """Every chunk of the tenant computed and stored by the Python reference, read, rolled back; then
    the same chunks by the SQL statement, read, rolled back (tier changes made under automatic
    evaluation are undone too, so both paths start from the same program)."""
    from analytics.services.session import tune_session

    with tenant_scope(tenant):
        run = _done_run(tenant, day, model)
        bounds = chunk_bounds(tenant, chunk_size)
        assert len(bounds) > 1
        stored = []
        for set_based in (False, True):
            with transaction.atomic():
                ctx = RunContext.load(run, analytics_settings(tenant))
                assert ctx.apply_tiers  # a current nightly run
                ctx.apply_tiers = apply_tiers  # False: as a backfill
                written, counts = 0, Counter()
                for first, last in bounds:
                    with transaction.atomic():
                        if set_based:
                            tune_session()
                            partners, chunk_counts, chunk_summary = sql_chunk.write_chunk(ctx, run, first, last)
                            _assert_same_summary(chunk_summary, summary.chunk_summary(
                                tenant, run, first, last, proposed=bool(chunk_counts["proposed"])))
                        else:
                            snapshots = compute_rows(ctx, run, first, last)
                            chunk_counts, partners = write_chunk(ctx, snapshots), len(snapshots)
                        written += partners
                        counts.update(chunk_counts)
                stored.append((_stored(tenant, day), written, counts, _tiers(tenant)))
                transaction.set_rollback(True)
        (reference, ref_written, ref_counts, ref_tiers), (computed, written, counts, tiers) = stored
        assert (written, counts, tiers) == (ref_written, ref_counts, ref_tiers)
        assert written == len(reference)
        return reference, computed


def _assert_same_summary(computed: dict, reference: dict) -> None:
    """The statement's chunk summary is what summary.chunk_summary reads back from the written
    rows: the same groups (in any order; float sums within rounding) and new proposals per owner."""
    def groups(summary):
        return sorted((_normalise(g) for g in summary["groups"]),
                      key=lambda g: (str(g["tier_id"]), str(g["partner_type_id"]), g["status"], g["regions"]))

    got, expected = groups(computed), groups(reference)
    differences = [f"{key}: sql {g.get(key)!r} != python {e.get(key)!r}" for g, e in zip(got, expected, strict=False)
                   for key in sorted(set(g) | set(e)) if g.get(key) != e.get(key)]
    assert len(got) == len(expected) and not differences, "\n".join(differences[:20])
    assert sorted(computed["proposals"], key=repr) == sorted(reference["proposals"], key=repr)


def _tiers(tenant) -> dict:
    """Every partner's tier and the tier changes recorded (what automatic evaluation changes)."""
    from partners.models import Partner, TierChange

    return {"tiers": dict(Partner.objects.filter(tenant=tenant).values_list("pk", "tier_id")),
            "changes": sorted((str(p), str(t), s) for p, t, s in TierChange.objects.filter(tenant=tenant).values_list(
                "partner_id", "to_tier_id", "status"))}


def _assert_same(reference: dict, computed: dict) -> None:
    assert set(computed) == set(reference)
    differences = []
    for pid, expected in reference.items():
        got = computed[pid]
        for column, value in expected.items():
            other = got[column]
            if isinstance(value, float) and isinstance(other, float):
                same = abs(value - other) <= 1e-4
            else:
                same = _normalise(value) == _normalise(other)
            if not same:
                differences.append(f"{pid} {column}: python {value!r} != sql {other!r}")
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences[:40])


@pytest.mark.parametrize("model", [MODEL, RULES], ids=["model", "rules"])
def test_the_sql_chunk_stores_exactly_what_the_python_reference_computes(tenant, varied, day, model):
    _postgres_only()
    reference, computed = _compute_both(tenant, day, model, chunk_size=130)
    _assert_same(reference, computed)

    # The program exercises what it is meant to (or the comparison above proves little).
    rows = list(reference.values())
    assert len(rows) > 300
    assert {r["status"] for r in rows} == {"prospect", "onboarding", "active", "suspended", "churned"}
    assert {r["recommendation"] for r in rows} >= {"promote", "demote", "keep"}
    assert {r["tier_action"] for r in rows} == {"none", "proposed"}
    top = varied["tiers"][-1].pk
    assert any(r["recommended_tier_id"] == top and r["next_tier_id"] is None for r in rows)
    assert any(r["tier_missing"] for r in rows) and any(r["next_tier_missing"] for r in rows)
    assert {m["metric"] for r in rows for m in r["next_tier_missing"]} == {
        "won_revenue_12m", "active_certifications", "health_score"}
    assert {a["code"] for r in rows for a in r["next_actions"]} == {
        "finish_onboarding", "reach_tier", "take_course", "no_recent_deal", "mdf_unused", "reengage"}
    assert {a["title"] for r in rows for a in r["next_actions"] if a["code"] == "take_course"} >= {
        "Cloud basics", "Silver sales", "Referral craft"}
    assert Counter(len(r["next_actions"]) for r in rows)[5] > 0  # the cut at MAX_ACTIONS + 1
    assert {r["churn_method"] for r in rows} == {model["method"], "rules"}
    reasons = [reason for r in rows for reason in r["churn_reasons"]]
    if model["method"] == "model":
        assert len({reason["feature"] for reason in reasons if "feature" in reason}) >= 6
    else:
        assert {reason["rule"] for reason in reasons} >= {
            "no_sign_in_30", "no_sign_in_14", "no_activity_30", "activity_halved", "no_deal_90",
            "onboarding_stalled", "low_health", "status_churned"}
        assert any("not enough history" in r["churn_note"] for r in rows)
    assert any(r["onboarding_completion"] is None for r in rows)
    assert any(0 < (r["onboarding_completion"] or 0) < 1 for r in rows)
    assert any(r["mdf_utilisation"] is not None for r in rows)
    assert any(r["mdf_allocated"] == Decimal("105.52") for r in rows)  # 105.525 rounded half to even
    assert any(r["component_wins"] is None for r in rows) and any(r["component_mdf"] is None for r in rows)
    assert any(r["influenced_won_365"] for r in rows) and any(r["fulfilled_deals_365"] for r in rows)
    assert any(r["activated"] for r in rows)
    # Last sign-ins from the events read (up to 89 days back), from the index probe (older), and none.
    days = [r["days_since_sign_in"] for r in rows]
    assert None in days and any(d is not None and d < 90 for d in days) and any(d is not None and d >= 90 for d in days)


def test_automatic_tier_changes_and_backfills_agree_too(tenant, varied, day):
    """Automatic evaluation: the same partners change tier (promotions applied, demotions scheduled)
    and their rows say so; a backfill (no tier changes) marks nobody."""
    _postgres_only()
    set_settings(tenant, PartnerSettings, tier_evaluation=PartnerSettings.TierEvaluation.AUTOMATIC)
    reference, computed = _compute_both(tenant, day, MODEL, chunk_size=200)
    _assert_same(reference, computed)
    assert {r["tier_action"] for r in reference.values()} >= {"applied", "scheduled"}
    reference, computed = _compute_both(tenant, day, RULES, chunk_size=200, apply_tiers=False)
    _assert_same(reference, computed)
    assert {r["tier_action"] for r in reference.values()} == {"none"}


def test_a_rerun_with_the_sql_chunk_replaces_the_rows(tenant, varied, day):
    """Idempotent: the upsert keeps one row per partner and date, with the same values."""
    from analytics.services.session import tune_session

    _postgres_only()
    with tenant_scope(tenant):
        run = _done_run(tenant, day, RULES)
        ctx = RunContext.load(run, analytics_settings(tenant))
        results = []
        for _attempt in range(2):
            for first_id, last_id in chunk_bounds(tenant, 200):
                with transaction.atomic():
                    tune_session()
                    sql_chunk.write_chunk(ctx, run, first_id, last_id)
            results.append(_stored(tenant, day))
        assert Snapshot.objects.filter(tenant=tenant, date=day).count() == len(results[0]) > 300
    _assert_same(*results)


def test_the_statement_counts_only_the_proposals_that_are_new_since_the_previous_date(tenant, varied, day):
    """A chunk's new proposals per owner, counted by the statement from the rows it writes, are
    summary.new_proposal_counts: proposed on the day and not already proposed, for the same tier,
    on the previous snapshot date."""
    from analytics.services.session import tune_session

    _postgres_only()
    yesterday = day - timedelta(days=1)

    def night(date):
        run = _done_run(tenant, date, RULES)
        ctx = RunContext.load(run, analytics_settings(tenant))
        ctx.apply_tiers = True  # as on the night after each date (a run two days back proposes nothing)
        results = []
        for first, last in chunk_bounds(tenant, 130):
            with transaction.atomic():
                tune_session()
                results.append((first, last, *sql_chunk.write_chunk(ctx, run, first, last)))
        return ctx, results

    with tenant_scope(tenant):
        ctx, _results = night(yesterday)
        assert ctx.previous_day is None
        before = Snapshot.objects.filter(tenant=tenant, date=yesterday, tier_action=Snapshot.TierAction.PROPOSED)
        proposed = sorted(before.values_list("partner_id", flat=True))
        # a third were not proposed yesterday, a third were proposed for another tier
        Snapshot.objects.filter(tenant=tenant, date=yesterday, partner_id__in=proposed[::3]).update(
            tier_action=Snapshot.TierAction.NONE)
        lowest = varied["tiers"][0]
        Snapshot.objects.filter(tenant=tenant, date=yesterday, partner_id__in=proposed[1::3]).exclude(
            recommended_tier=lowest).update(recommended_tier=lowest)
        ctx, results = night(day)
        assert ctx.previous_day == yesterday
        total, owners = 0, set()
        for first, last, _written, _counts, chunk_summary in results:
            expected = summary.new_proposal_counts(tenant, day, (first, last))
            assert dict(chunk_summary["proposals"]) == expected
            total += sum(expected.values())
            owners |= set(expected)
        today = Snapshot.objects.filter(tenant=tenant, date=day, tier_action=Snapshot.TierAction.PROPOSED).count()
    assert len(proposed) > 30 and 0 < total < today
    assert len(owners) == 3  # two managers, and partners without an owner (None)


def test_a_first_night_does_not_look_for_earlier_proposals(tenant, varied, day):
    """Without an earlier snapshot date every proposal is new: the statement reads the snapshot
    table only to write it. (A first night may find that table freshly vacuumed and empty; the
    planner then scanned it once per proposal while the chunks filled it: 7.7-12.5 s per chunk.)"""
    _postgres_only()
    table = Snapshot._meta.db_table
    with tenant_scope(tenant):
        run = _done_run(tenant, day, RULES)
        ctx = RunContext.load(run, analytics_settings(tenant))
        first, last = chunk_bounds(tenant, 1000)[0]
        assert ctx.previous_day is None
        assert sql_chunk.chunk_statement(ctx, run, first, last).text.count(table) == 1  # INSERT INTO only
        ctx.previous_day = day - timedelta(days=1)
        assert sql_chunk.chunk_statement(ctx, run, first, last).text.count(table) == 2


def _plan_nodes(node: dict, in_subplan: bool = False):
    """Every node of a JSON plan, with whether it runs as a subplan (per row, by design)."""
    yield node, in_subplan
    for child in node.get("Plans", []):
        yield from _plan_nodes(child, in_subplan or child.get("Parent Relationship") == "SubPlan")


def _query_plan(queryset, *, off: tuple[str, ...]) -> list[dict]:
    """The planned nodes (EXPLAIN, JSON) of a queryset, with the planner's `enable_<name>` settings
    in `off` switched off for it (on these few rows it would rather read whole tables)."""
    import json

    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        for name in off:
            cursor.execute(f"SET LOCAL enable_{name} = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return [node for node, _sub in _plan_nodes(plan[0]["Plan"])]


def _chunk_plan(tenant, day) -> tuple[dict, int]:
    """The executed plan (EXPLAIN ANALYZE, JSON) of write_chunk's statement for the first chunk of
    1,000 partners, and how many partners it wrote. The setting write_chunk changes (nested loops
    off) must be back as it was for the rest of the transaction."""
    import json

    plans = []

    def explain(execute, sql, params, many, context):
        if sql.startswith("WITH cfg AS"):
            context["cursor"].execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = context["cursor"].fetchone()[0]
            plans.append(plan if isinstance(plan, list) else json.loads(plan))
        return execute(sql, params, many, context)

    with tenant_scope(tenant):
        run = _done_run(tenant, day, MODEL)
        ctx = RunContext.load(run, analytics_settings(tenant))
        first_id, last_id = chunk_bounds(tenant, 1000)[0]
        with transaction.atomic(), connection.cursor() as cursor, connection.execute_wrapper(explain):
            written, _counts, _summary = sql_chunk.write_chunk(ctx, run, first_id, last_id)
            cursor.execute("SHOW enable_nestloop")
            assert cursor.fetchone()[0] == "on"
    assert len(plans) == 1
    return plans[0][0]["Plan"], written


def test_the_chunk_statement_reads_each_table_and_aggregates_each_set_once(tenant, varied, day):
    """Fresh tables have no statistics: the planner then guesses one row per CTE and nests loops,
    which re-ran whole aggregates per partner (29 s for a chunk of 126 partners here, 0.07 s with
    hash joins). write_chunk runs its statement with nested loops off; here its real plan is
    captured and every table scan, aggregate and window outside per-row subplans must run once."""
    _postgres_only()
    plan, written = _chunk_plan(tenant, day)
    with tenant_scope(tenant):
        assert written == Snapshot.objects.filter(tenant=tenant, date=day).count() > 300
    repeated = [(n["Node Type"], n.get("Relation Name"), n["Actual Loops"])
                for n, in_subplan in _plan_nodes(plan) if not in_subplan
                and (n.get("Relation Name") or n["Node Type"] in ("Aggregate", "WindowAgg"))
                and n["Actual Loops"] > 1]
    assert repeated == []


def test_the_last_sign_in_is_looked_up_only_for_partners_without_one_in_the_events_read(tenant, varied, day):
    """The chunk reads its partners' last 90 days of events anyway, and takes the day of each one's
    latest sign-in from them; only partners without a sign-in in those days get a probe of the
    sign-in index (for the year before). The stored days agree with the Python reference (parity
    test above); here: one probe per such partner, and none for the others."""
    from analytics.services.features import Window
    from partners.models import Partner
    from prm.events.models import EngagementEvent

    _postgres_only()
    plan, _written = _chunk_plan(tenant, day)
    probes = [n["Actual Loops"] for n, _sub in _plan_nodes(plan) if n.get("Index Name") == "analytics_event_sign_in"]
    w = Window(day)
    with tenant_scope(tenant):
        recent = EngagementEvent.objects.filter(tenant=tenant, kind="sign_in", occurred_at__gte=w.ago(90),
                                                occurred_at__lt=w.end).values("partner_id")
        without = Partner.objects.filter(tenant=tenant).exclude(id__in=recent).count()
        assert 0 < without < Partner.objects.filter(tenant=tenant).count()
        # The stored days tell the same: a sign-in in those 90 days is at most 89 days before the day.
        rows = Snapshot.objects.filter(tenant=tenant, date=day)
        assert rows.filter(days_since_sign_in__lt=90).count() == rows.filter(partner__in=Subquery(recent)).count()
    assert probes == [without]


def test_credited_deals_are_read_from_the_covering_index_of_won_deals(tenant, varied, day):
    """Migration analytics 0011: the won deals that credit a chunk's partners are fetched by primary
    key from a partial index of won deals that holds every column the aggregate reads, so the
    fetches never visit the deals table. (On these few rows the planner would rather read the
    table, so every other way to read it is off here: only an index that holds every column the
    query reads can answer it.)"""
    from analytics.services import features

    _postgres_only()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'analytics_deal_won_credit'")
        (definition,) = cursor.fetchone()
    assert "(id) INCLUDE (tenant_id, closed_on, won_base_amount) WHERE ((status)::text = 'won'::text)" in definition
    with tenant_scope(tenant):
        first_id, last_id = chunk_bounds(tenant, 1000)[0]
        query = features.attribution_query(tenant, features.Window(day), first_id, last_id)
        nodes = _query_plan(query, off=("seqscan", "bitmapscan", "indexscan"))
        assert list(query)  # the program has credited won deals in the first chunk
    deal_scans = [(n["Node Type"], n.get("Index Name")) for n in nodes if n.get("Relation Name") == "deals_dealregistration"]
    assert deal_scans == [("Index Only Scan", "analytics_deal_won_credit")]


def test_a_chunks_events_stream_from_the_partner_kind_index_already_grouped(tenant, varied, day):
    """Migration analytics 0010: the chunk's events are counted per (partner, kind), the order of
    the (tenant, partner, kind, occurred_at) index, so they are grouped as they are read: the
    aggregate's plan has no Sort and no hashed grouping. (On these few rows the planner would
    rather read the whole table; sequential and bitmap scans are off to see the index plan.)"""
    from analytics.services import features

    _postgres_only()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events_engagementevent' "
                       "AND indexname LIKE 'analytics_event_partner_kind%%'")
        indexes = dict(cursor.fetchall())
    assert list(indexes) == ["analytics_event_partner_kind_time"]
    assert indexes["analytics_event_partner_kind_time"].endswith("(tenant_id, partner_id, kind, occurred_at)")
    with tenant_scope(tenant):
        first_id, last_id = chunk_bounds(tenant, 1000)[0]
        nodes = _query_plan(features.event_query(tenant, features.Window(day), first_id, last_id),
                            off=("seqscan", "bitmapscan"))
    assert [(n["Node Type"], n.get("Strategy")) for n in nodes[:1]] == [("Aggregate", "Sorted")]
    assert [(n["Node Type"], n.get("Index Name")) for n in nodes[1:]] == [
        ("Index Only Scan", "analytics_event_partner_kind_time")]


def test_a_chunks_queries_never_start_parallel_workers(tenant, varied, day):
    """Every worker runs one chunk at a time, so a chunk's statement (which also sums up its summary
    groups) gets no parallel workers: they would only take the CPU from another chunk (SET LOCAL:
    the chunk's transactions only)."""
    from analytics.services.runs import health_compute

    _postgres_only()
    seen = []

    def probe(execute, sql, params, many, context):
        if sql.startswith("WITH") and "INSERT INTO" in sql:  # a chunk's statement
            context["cursor"].execute("SHOW max_parallel_workers_per_gather")
            seen.append(context["cursor"].fetchone()[0])
        return execute(sql, params, many, context)

    with tenant_scope(tenant), connection.execute_wrapper(probe):
        assert health_compute(tenant=tenant, day=day).run.status == HealthRun.Status.DONE
    assert seen and set(seen) == {"0"}


def test_a_finished_run_tells_the_planner_its_date_exists_from_a_small_sample(tenant, varied, day):
    """The finish re-analyses the date column (at statistics target 20: a 6,000-row sample), so
    the planner's statistics include the date just written; other columns keep the default target."""
    from analytics.services.runs import health_compute

    _postgres_only()
    with tenant_scope(tenant):
        assert health_compute(tenant=tenant, day=day).run.status == HealthRun.Status.DONE
    table = Snapshot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = %s::regclass "
                       "AND attname IN ('date', 'tenant_id')", [table])
        targets = dict(cursor.fetchall())
        cursor.execute("SELECT most_common_vals::text, histogram_bounds::text FROM pg_stats "
                       "WHERE tablename = %s AND attname = 'date'", [table])
        common, bounds = cursor.fetchone()
    assert targets["date"] == 20 and targets["tenant_id"] in (-1, None)
    assert day.isoformat() in (common or "") + (bounds or "")
