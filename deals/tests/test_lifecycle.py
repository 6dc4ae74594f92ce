"""After approval: outcomes with events for incentives/analytics, extensions, appeals, attribution,
the nightly expiry job with its 14-day warnings, the SLA sweep and the won-revenue metric."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from deals import services
from deals.models import DealAppeal, DealExtension, DealHistory, DealPartner, DealRegistration, DealSettings
from deals.sla import add_business_days, business_seconds_between
from partners import metrics
from prm.events.models import EngagementEvent
from prm.events.services import subscribe, unsubscribe
from prm.notifications.models import Notification
from prm.tenancy.scoping import tenant_scope
from tests.factories import CurrencyRateFactory, DealFactory, ProductFactory, set_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected(tenant, partner, members, register, approve):
    return approve(register(partner, user=members["partner_user"]))


def test_partner_marks_a_protected_deal_won_and_subscribers_get_money_products_and_attribution(
        tenant, partner, rival, members, product, register, approve, client_for, django_capture_on_commit_callbacks):
    CurrencyRateFactory(tenant=tenant, currency="EUR", rate=Decimal("1.10"))
    extra = ProductFactory(tenant=tenant, code="support", name="Support")
    deal = approve(register(partner, user=members["partner_user"], currency="EUR", products=[product, extra]))
    with tenant_scope(tenant):
        services.deal_partner_add(tenant=tenant, deal=deal, partner=rival, role="influenced",
                                  actor=members["channel_manager"])
    received = []
    handler = subscribe("deal_won")(lambda event: received.append(event))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(tenant, members["partner_user"]).post(reverse("deals:outcome", args=[deal.pk]), {
                "outcome": "won", "amount": "30000", "closed_on": timezone.localdate().isoformat()})
    finally:
        unsubscribe("deal_won", handler)
    assert response.status_code == 302
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert (deal.status, deal.won_amount, deal.won_base_amount) == ("won", Decimal("30000"), Decimal("33000.00"))
    (event,) = received
    assert event.kind == "deal_won" and event.partner_id == partner.pk
    data = event.data
    assert (data["amount"], data["currency"], data["base_amount"], data["base_currency"]) == ("30000.00", "EUR", "33000.00", "USD")
    assert sorted(p["code"] for p in data["products"]) == ["cloud-platform", "support"]
    assert {(p["partner_id"], p["role"]) for p in data["partners"]} == {(str(partner.pk), "sourced"), (str(rival.pk), "influenced")}
    assert data["closed_on"] == timezone.localdate().isoformat()


def test_won_needs_a_positive_final_amount_and_a_past_close_date(tenant, members, protected, client_for):
    client = client_for(tenant, members["partner_user"])
    url = reverse("deals:outcome", args=[protected.pk])
    bad = client.post(url, {"outcome": "won", "amount": "-1", "closed_on": timezone.localdate().isoformat()})
    assert bad.status_code == 400 and "greater than zero" in bad.content.decode()
    future = client.post(url, {"outcome": "won", "amount": "10", "closed_on": (timezone.localdate() + timedelta(days=3)).isoformat()})
    assert future.status_code == 400 and "future" in future.content.decode()
    with tenant_scope(tenant):
        protected.refresh_from_db()
    assert protected.status == "approved"


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_an_outcome_date_lies_between_the_registration_and_today(outcome, tenant, members, protected, client_for):
    """A deal registered this year cannot have been lost in 2019, nor won tomorrow."""
    client = client_for(tenant, members["partner_user"])
    url = reverse("deals:outcome", args=[protected.pk])
    registered = timezone.localdate(protected.submitted_at)
    data = {"outcome": outcome, "amount": "10", "lost_reason": "Budget cut"}
    before = client.post(url, {**data, "closed_on": (registered - timedelta(days=1)).isoformat()})
    assert before.status_code == 400 and "cannot be before the registration on" in before.content.decode()
    ancient = client.post(url, {**data, "closed_on": "2019-03-03"})
    assert ancient.status_code == 400
    future = client.post(url, {**data, "closed_on": (timezone.localdate() + timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and "future" in future.content.decode()
    with tenant_scope(tenant):
        protected.refresh_from_db()
    assert protected.status == "approved" and protected.closed_on is None
    assert client.post(url, {**data, "closed_on": registered.isoformat()}).status_code == 302
    with tenant_scope(tenant):
        protected.refresh_from_db()
    assert (protected.status, protected.closed_on) == (outcome, registered)


def test_lost_needs_a_reason_and_records_an_event(tenant, members, protected, client_for):
    client = client_for(tenant, members["partner_user"])
    url = reverse("deals:outcome", args=[protected.pk])
    assert client.post(url, {"outcome": "lost", "lost_reason": ""}).status_code == 400
    assert client.post(url, {"outcome": "lost", "lost_reason": "Budget cut"}).status_code == 302
    with tenant_scope(tenant):
        protected.refresh_from_db()
        event = EngagementEvent.objects.get(kind="deal_lost")
    assert (protected.status, protected.lost_reason) == ("lost", "Budget cut")
    assert event.data["lost_reason"] == "Budget cut" and event.data["amount"] == "25000.00"


def test_an_unapproved_deal_cannot_be_marked_won(tenant, partner, members, register):
    deal = register(partner)
    with tenant_scope(tenant), pytest.raises(ValidationError):
        services.deal_mark_won(tenant=tenant, deal=deal, user=members["partner_user"], amount="10",
                               closed_on=timezone.localdate())


def test_staff_record_the_outcome_of_a_referral(tenant, referral_partner, members, register, approve, client_for):
    deal = approve(register(referral_partner, kind="referral", products=[]))
    response = client_for(tenant, members["channel_manager"]).post(reverse("deals:outcome", args=[deal.pk]), {
        "outcome": "won", "amount": "12000", "closed_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert deal.status == "won" and deal.kind == "referral"


def test_extension_request_approved_by_staff_moves_the_end_date(tenant, members, protected, client_for):
    partner_client = client_for(tenant, members["partner_user"])
    response = partner_client.post(reverse("deals:extension", args=[protected.pk]), {"days": "30", "reason": "Board meets in Q3"})
    assert response.status_code == 302
    again = partner_client.post(reverse("deals:extension", args=[protected.pk]), {"days": "10", "reason": "More"})
    assert again.status_code == 400 and "already waiting" in again.content.decode()
    before = protected.protected_until
    client_for(tenant, members["channel_manager"]).post(reverse("deals:extension_decide", args=[protected.pk]),
                                                        {"decision": "yes", "reason": ""})
    with tenant_scope(tenant):
        protected.refresh_from_db()
        ext = DealExtension.objects.get()
    assert protected.protected_until == before + timedelta(days=30) and ext.status == "approved"


def test_declining_an_extension_needs_a_reason(tenant, members, protected, client_for):
    with tenant_scope(tenant):
        services.extension_request(tenant=tenant, deal=protected, user=members["partner_user"], days=30, reason="x")
    client = client_for(tenant, members["channel_manager"])
    url = reverse("deals:extension_decide", args=[protected.pk])
    assert client.post(url, {"decision": "no", "reason": ""}).status_code == 400
    assert client.post(url, {"decision": "no", "reason": "Stalled for months"}).status_code == 302
    with tenant_scope(tenant):
        assert DealExtension.objects.get().status == "declined"


def test_a_partner_appeals_once_and_a_tenant_admin_reverses_the_rejection(tenant, partner, members, register,
                                                                           client_for):
    deal = register(partner, user=members["partner_user"])
    with tenant_scope(tenant):
        services.deal_reject(tenant=tenant, deal=deal, actor=members["channel_manager"], reason="Not qualified")
    partner_client = client_for(tenant, members["partner_user"])
    assert partner_client.post(reverse("deals:appeal", args=[deal.pk]), {"comment": "They signed an LOI."}).status_code == 302
    second = partner_client.post(reverse("deals:appeal", args=[deal.pk]), {"comment": "Please?"})
    assert second.status_code == 400 and "only once" in second.content.decode()
    # Channel managers cannot decide appeals; tenant admins can.
    url = reverse("deals:appeal_decide", args=[deal.pk])
    assert client_for(tenant, members["channel_manager"]).post(url, {"decision": "yes", "reason": "x"}).status_code == 403
    admin = client_for(tenant, members["tenant_admin"])
    assert admin.post(url, {"decision": "yes", "reason": ""}).status_code == 400
    assert admin.post(url, {"decision": "yes", "reason": "The LOI proves the opportunity."}).status_code == 302
    with tenant_scope(tenant):
        deal.refresh_from_db()
        appeal = DealAppeal.objects.get()
        actions = list(DealHistory.objects.filter(deal=deal).values_list("action", flat=True))
    assert deal.status == "approved" and deal.protected_until and appeal.status == "reversed"
    assert actions == ["registered", "rejected", "appealed", "appeal_reversed"]


def test_an_upheld_appeal_keeps_the_rejection(tenant, partner, members, register):
    deal = register(partner, user=members["partner_user"])
    with tenant_scope(tenant):
        services.deal_reject(tenant=tenant, deal=deal, actor=members["channel_manager"], reason="Duplicate")
        appeal = services.deal_appeal(tenant=tenant, deal=deal, user=members["partner_user"], comment="Not a duplicate")
        services.appeal_decide(tenant=tenant, appeal=appeal, actor=members["tenant_admin"], reverse=False,
                               reason="It is the same opportunity.")
        deal.refresh_from_db()
        assert deal.status == "rejected"
        assert DealHistory.objects.filter(deal=deal).last().action == "appeal_upheld"


def test_reversing_an_appeal_cannot_break_exclusivity(tenant, partner, rival, members, register, approve):
    deal = register(partner, user=members["partner_user"])
    with tenant_scope(tenant):
        services.deal_reject(tenant=tenant, deal=deal, actor=members["channel_manager"], reason="Rival was first")
        appeal = services.deal_appeal(tenant=tenant, deal=deal, user=members["partner_user"], comment="We were first")
    approve(register(rival, customer_name="Initech Corporation"))
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        services.appeal_decide(tenant=tenant, appeal=appeal, actor=members["tenant_admin"], reverse=True, reason="ok")
    assert "already protected" in exc.value.messages[0]
    with tenant_scope(tenant):
        assert DealAppeal.objects.get().status == "pending"


def test_staff_credit_additional_partners_but_the_registering_partner_stays(tenant, partner, rival, members, register,
                                                                             client_for):
    deal = register(partner)
    client = client_for(tenant, members["channel_manager"])
    assert client.post(reverse("deals:partner_add", args=[deal.pk]), {"partner": str(rival.pk), "role": "fulfilled"}).status_code == 302
    duplicate = client.post(reverse("deals:partner_add", args=[deal.pk]), {"partner": str(rival.pk), "role": "influenced"})
    assert duplicate.status_code == 400
    with tenant_scope(tenant):
        links = {dp.partner_id: dp for dp in DealPartner.objects.filter(deal=deal)}
    assert {p: link.role for p, link in links.items()} == {partner.pk: "sourced", rival.pk: "fulfilled"}
    client.post(reverse("deals:partner_remove", args=[links[partner.pk].pk]))
    client.post(reverse("deals:partner_remove", args=[links[rival.pk].pk]))
    with tenant_scope(tenant):
        assert list(DealPartner.objects.filter(deal=deal).values_list("partner_id", flat=True)) == [partner.pk]


# --- Nightly job ------------------------------------------------------------------------------


def test_the_nightly_job_expires_ended_protections_and_warns_14_days_ahead_once(tenant, partner, members,
                                                                                 django_capture_on_commit_callbacks):
    today = timezone.localdate()
    user = members["partner_user"]
    ended = DealFactory(tenant=tenant, partner=partner, submitted_by=user, customer_name="Ended",
                        status="approved", protected_until=today - timedelta(days=1))
    DealFactory(tenant=tenant, partner=partner, submitted_by=user, customer_name="Soon",
                status="approved", protected_until=today + timedelta(days=14))
    DealFactory(tenant=tenant, partner=partner, submitted_by=user, customer_name="Later",
                status="approved", protected_until=today + timedelta(days=15))
    from deals.tasks import protection_nightly

    with django_capture_on_commit_callbacks(execute=True):
        assert protection_nightly.delay().get() == 1  # one active tenant
    with tenant_scope(tenant):
        statuses = dict(DealRegistration.objects.values_list("customer_name", "status"))
        warned = set(DealRegistration.objects.filter(expiry_warned_at__isnull=False).values_list("customer_name", flat=True))
        notes = list(Notification.objects.filter(user=user).values_list("title", "body"))
        expired_entry = DealHistory.objects.get(deal=ended, action="expired")
    assert statuses == {"Ended": "expired", "Soon": "approved", "Later": "approved"}
    assert warned == {"Soon"}
    assert any("expired" in t and "Ended" in b for t, b in notes)
    assert any("within 14 days" in t and "Soon" in b and "Later" not in b for t, b in notes)
    assert (expired_entry.from_status, expired_entry.to_status, expired_entry.actor_id) == ("approved", "expired", None)
    assert any(user.email in m.to and "within 14 days" in m.subject for m in mail.outbox)

    with tenant_scope(tenant):
        again = services.protection_nightly(tenant=tenant)
    assert again == {"expired": 0, "warned": 0}


def test_an_approved_extension_allows_a_new_warning(tenant, members, protected):
    with tenant_scope(tenant):
        DealRegistration.objects.filter(pk=protected.pk).update(protected_until=timezone.localdate() + timedelta(days=3))
        assert services.protection_nightly(tenant=tenant)["warned"] == 1
        ext = services.extension_request(tenant=tenant, deal=protected, user=members["partner_user"], days=20, reason="x")
        services.extension_decide(tenant=tenant, extension=ext, actor=members["channel_manager"], approve=True)
        protected.refresh_from_db()
        assert protected.expiry_warned_at is None
        assert services.protection_nightly(tenant=tenant)["warned"] == 0  # 23 days left
        DealRegistration.objects.filter(pk=protected.pk).update(protected_until=timezone.localdate() + timedelta(days=10))
        assert services.protection_nightly(tenant=tenant)["warned"] == 1


# --- SLA --------------------------------------------------------------------------------------


def test_business_days_skip_weekends():
    tz = timezone.get_current_timezone()
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=tz)
    assert add_business_days(friday, 2) == datetime(2026, 11, 24, 15, 0, tzinfo=tz)  # Tuesday
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=tz)
    assert add_business_days(saturday, 2) == datetime(2026, 11, 25, 0, 0, tzinfo=tz)  # Wednesday 00:00
    assert business_seconds_between(friday, add_business_days(friday, 2)) == 2 * 86400
    assert business_seconds_between(saturday, datetime(2026, 11, 23, 0, 0, tzinfo=tz)) == 0


def test_a_breach_escalates_to_tenant_admins_once(tenant, partner, members, register,
                                                  django_capture_on_commit_callbacks):
    late = register(partner, now=timezone.now() - timedelta(days=8))
    register(partner, customer_name="Fresh Co", website="fresh.com", contact_email="a@fresh.com")
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        result = services.sla_sweep(tenant=tenant)
    assert result == {"escalated": 1, "auto_approved": 0}
    admin_mail = [m for m in mail.outbox if members["tenant_admin"].email in m.to]
    assert len(admin_mail) == 1 and "missed" in admin_mail[0].subject and late.customer_name in admin_mail[0].body
    with tenant_scope(tenant):
        assert services.sla_sweep(tenant=tenant)["escalated"] == 0
        late.refresh_from_db()
    assert late.status == "submitted" and late.sla_escalated_at is not None


def test_opted_in_tenants_auto_approve_breached_submissions_without_conflicts_only(tenant, partner, rival, register):
    set_settings(tenant, DealSettings, auto_approve_on_sla_breach=True)
    old = timezone.now() - timedelta(days=8)
    clean = register(partner, customer_name="Aperture Science", website="aperture.com", contact_email="a@aperture.com", now=old)
    register(partner, customer_name="Initech, Inc.", now=old)
    register(rival, customer_name="Initech Corporation", now=old)
    with tenant_scope(tenant):
        result = services.sla_sweep(tenant=tenant)
        statuses = dict(DealRegistration.objects.values_list("customer_name", "status"))
        entry = DealHistory.objects.filter(deal=clean).last()
    assert result["auto_approved"] == 1
    assert statuses == {"Aperture Science": "approved", "Initech, Inc.": "submitted", "Initech Corporation": "submitted"}
    assert entry.action == "auto_approved" and entry.actor_id is None and "deadline" in entry.reason


# --- Metric provider ----------------------------------------------------------------------------


def test_won_revenue_metric_is_the_trailing_12_months_in_base_currency(tenant, partner, rival):
    today = timezone.localdate()
    for days_ago, amount in ((10, "1000"), (200, "2500.50"), (400, "9999")):
        DealFactory(tenant=tenant, partner=partner, status="won", won_amount=Decimal(amount),
                    won_base_amount=Decimal(amount), closed_on=today - timedelta(days=days_ago))
    DealFactory(tenant=tenant, partner=partner, status="approved")
    with tenant_scope(tenant):
        provider_result = metrics.partner_metrics(tenant, [partner.pk, rival.pk], today)[metrics.WON_REVENUE_12M]
    assert provider_result == {partner.pk: Decimal("3500.50"), rival.pk: Decimal("0")}


def test_the_periodic_jobs_are_scheduled_and_run_for_every_active_tenant(tenant, other_tenant, partner, register,
                                                                          django_capture_on_commit_callbacks):
    from django.conf import settings

    from deals import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"deals.tasks.protection_nightly", "deals.tasks.sla_sweep"} <= scheduled
    register(partner, now=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):  # the fan-out sends after commit
        assert tasks.sla_sweep.delay().get() == 2
    with tenant_scope(tenant):
        assert DealRegistration.objects.get().sla_escalated_at is not None
