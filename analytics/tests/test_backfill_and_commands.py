"""Backfilling the event stream from existing records (idempotent), and the management commands."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from analytics.models import HealthRun, PartnerHealthSnapshot
from analytics.services.backfill import backfill_events
from prm.events.models import EngagementEvent
from prm.events.services import record_event
from prm.tenancy.scoping import tenant_scope
from tests.factories import (
    CertificationFactory,
    CourseFactory,
    DealFactory,
    PartnerFactory,
    at_days_ago,
    mdf_allocation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(tenant, make_member):
    day = timezone.localdate()
    partner = PartnerFactory(tenant=tenant)
    from partners.models import Partner

    with scopes_disabled():
        Partner.objects.filter(pk=partner.pk).update(joined_at=at_days_ago(day, 60))
    user = make_member(tenant, "partner_admin", partner=partner)
    won = DealFactory(tenant=tenant, partner=partner, submitted_by=user, submitted_at=at_days_ago(day, 40),
                      status="won", won_amount=Decimal("900"), won_base_amount=Decimal("900"),
                      closed_on=day - timedelta(days=5), decided_at=at_days_ago(day, 39))
    DealFactory(tenant=tenant, partner=partner, submitted_at=at_days_ago(day, 20), status="lost",
                closed_on=day - timedelta(days=2), decided_at=at_days_ago(day, 19), lost_reason="Price")
    DealFactory(tenant=tenant, partner=partner, submitted_at=at_days_ago(day, 3))
    course = CourseFactory(tenant=tenant)
    CertificationFactory(course=course, user=user, partner=partner, issued_at=at_days_ago(day, 8))
    mdf_allocation(tenant, partner, amount=Decimal("1000"), used=Decimal("400"), day=day)
    return {"partner": partner, "user": user, "won": won, "day": day}


def _kinds(tenant) -> dict[str, int]:
    from django.db.models import Count

    with scopes_disabled():
        return dict(EngagementEvent.objects.filter(tenant=tenant).values_list("kind").annotate(n=Count("id")))


def test_backfill_creates_events_from_existing_records_once(tenant, history):
    # A live event already exists for the won deal (recorded by someone else): it is not duplicated.
    with tenant_scope(tenant):
        record_event(tenant=tenant, kind="deal_won", partner=history["partner"], obj=history["won"])
        written = backfill_events(tenant=tenant)
    assert written["deal_registered"] == 3 and written["deal_approved"] == 2
    assert written["deal_won"] == 0 and written["deal_lost"] == 1
    assert written["certification_earned"] == 1 and written["course_completed"] == 1
    assert written["mdf_requested"] == 1 and written["member_joined"] == 1
    assert _kinds(tenant) == {"deal_registered": 3, "deal_approved": 2, "deal_won": 1, "deal_lost": 1,
                              "certification_earned": 1, "course_completed": 1, "mdf_requested": 1,
                              "member_joined": 1}
    with scopes_disabled():
        won = EngagementEvent.objects.get(kind="deal_registered", object_id=str(history["won"].pk))
    assert won.occurred_at == history["won"].submitted_at and won.data["backfilled"] is True
    assert won.user_id == history["user"].pk
    with tenant_scope(tenant):
        assert sum(backfill_events(tenant=tenant).values()) == 0  # idempotent


def test_backfilled_events_feed_the_scores(tenant, history):
    with tenant_scope(tenant):
        backfill_events(tenant=tenant)
        from analytics.services.runs import health_compute

        health_compute(tenant=tenant, day=history["day"])
        snapshot = PartnerHealthSnapshot.objects.get(partner=history["partner"])
    assert snapshot.activity["deal_registered"] == [2, 3]  # 3 and 20 days ago in 30; all three in 90


def test_backfill_command_for_one_tenant_and_one_kind(tenant, history):
    out = StringIO()
    call_command("backfill_events", "--tenant", tenant.slug, "--kind", "deal_lost", stdout=out)
    assert "acme: 1 events (deal_lost 1)" in out.getvalue()
    call_command("backfill_events", "--tenant", tenant.slug, "--kind", "deal_lost", stdout=out)
    assert "nothing new" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("backfill_events")
    with pytest.raises(CommandError):
        call_command("backfill_events", "--tenant", "nope")


def test_compute_health_for_a_date(tenant, history):
    out = StringIO()
    day = history["day"] - timedelta(days=1)
    call_command("compute_health", "--tenant", tenant.slug, "--date", day.isoformat(), stdout=out)
    assert f"acme {day}: started → done, 1 partners" in out.getvalue()
    with scopes_disabled():
        assert PartnerHealthSnapshot.objects.filter(tenant=tenant, date=day).count() == 1


def test_compute_health_backfills_n_days_oldest_first(tenant, history):
    out = StringIO()
    call_command("compute_health", "--tenant", tenant.slug, "--backfill", "3", stdout=out)
    lines = out.getvalue().strip().splitlines()
    days = [history["day"] - timedelta(days=n) for n in (2, 1, 0)]
    assert [line.split(":")[0] for line in lines] == [f"acme {d}" for d in days]
    with scopes_disabled():
        assert sorted(HealthRun.objects.filter(tenant=tenant).values_list("date", "trigger")) == [
            (d, "backfill") for d in days]
        assert PartnerHealthSnapshot.objects.filter(tenant=tenant).count() == 3


def test_compute_health_refuses_bad_input_clearly(tenant):
    with pytest.raises(CommandError, match="--date must look like"):
        call_command("compute_health", "--tenant", tenant.slug, "--date", "31/01/2026")
    with pytest.raises(CommandError, match="No tenant"):
        call_command("compute_health", "--tenant", "nope")
    with pytest.raises(CommandError, match="--backfill takes"):
        call_command("compute_health", "--tenant", tenant.slug, "--backfill", "0")
    with pytest.raises(CommandError, match="Give --tenant"):
        call_command("compute_health")


def test_compute_health_status_lists_the_last_run_per_tenant(tenant, other_tenant, history):
    call_command("compute_health", "--tenant", tenant.slug, stdout=StringIO())
    out = StringIO()
    call_command("compute_health", "--status", stdout=out)
    text = out.getvalue()
    assert "acme" in text and " done " in text and "globex" in text and "never" in text


def test_backfill_records_colleague_invitations_once(tenant, history, make_member):
    from datetime import timedelta as td

    from prm.accounts.models import Invitation
    from prm.accounts.services import invitation_create

    staff = make_member(tenant, "tenant_admin")
    with tenant_scope(tenant):
        live, _url = invitation_create(tenant=tenant, email="live@example.com", role="partner_user",
                                       partner=history["partner"], invited_by=history["user"])
        invitation_create(tenant=tenant, email="boss@example.com", role="executive", invited_by=staff)
    with scopes_disabled():  # an invitation from before events were recorded
        old = Invitation.objects.create(tenant=tenant, email="old@example.com", role="partner_user",
                                        partner=history["partner"], invited_by=history["user"], token_hash="x" * 64,
                                        expires_at=timezone.now() + td(days=7))
    with tenant_scope(tenant):
        assert backfill_events(tenant=tenant, kinds=["colleague_invited"]) == {"colleague_invited": 1}
        assert backfill_events(tenant=tenant, kinds=["colleague_invited"]) == {"colleague_invited": 0}
    with scopes_disabled():
        events = {e.object_id: e for e in EngagementEvent.objects.filter(kind="colleague_invited")}
    assert set(events) == {str(live.pk), str(old.pk)}  # the staff invitation belongs to no partner
    assert events[str(old.pk)].partner_id == history["partner"].pk and events[str(old.pk)].data["backfilled"]
    assert events[str(old.pk)].user_id == history["user"].pk and events[str(old.pk)].occurred_at == old.created_at


def test_a_past_date_counts_the_pipeline_open_on_that_day(tenant):
    """Scoring a date in the past counts deals open at the end of that day, including those rejected
    or expired since; deals already closed on that day stay out (both the Python reference and, on
    PostgreSQL, the SQL chunk)."""
    from deals.models import DealRegistration

    today = timezone.localdate()
    past = today - timedelta(days=20)
    partner = PartnerFactory(tenant=tenant, name="Fabrikam")
    with scopes_disabled():
        from partners.models import Partner

        Partner.objects.filter(pk=partner.pk).update(joined_at=at_days_ago(past, 100))
    amounts = {}
    for name, status, amount, extra in (
        ("rejected later", "rejected", "1000", {"decided_at": at_days_ago(past, -5)}),
        ("expired later", "expired", "2000", {"decided_at": at_days_ago(past, 9), "protected_until": past + timedelta(days=3)}),
        ("protected through the day", "expired", "4000", {"decided_at": at_days_ago(past, 9), "protected_until": past}),
        ("rejected before", "rejected", "8000", {"decided_at": at_days_ago(past, 2)}),
        ("expired before", "expired", "16000", {"decided_at": at_days_ago(past, 40), "protected_until": past - timedelta(days=1)}),
        ("still pending", "submitted", "32000", {"decided_at": None}),
    ):
        deal = DealFactory(tenant=tenant, partner=partner, customer_name=name, amount=Decimal(amount),
                           submitted_at=at_days_ago(past, 10 if "before" not in name else 50))
        with scopes_disabled():
            DealRegistration.objects.filter(pk=deal.pk).update(status=status, base_amount=Decimal(amount), **extra)
        amounts[name] = Decimal(amount)
    with tenant_scope(tenant):
        call_command("compute_health", tenant=tenant.slug, date=past.isoformat(), stdout=StringIO())
        snapshot = PartnerHealthSnapshot.objects.get(partner=partner, date=past)
    assert snapshot.open_pipeline == Decimal("39000.00")  # 1,000 + 2,000 + 4,000 + 32,000
