"""Staff revert a win recorded by mistake: the deal returns to protection (or expires), the history
says why, and `deal_reverted` lets incentives reverse the SPIF accrual the win earned."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.history import verify_deal
from deals.models import DealHistory, DealRegistration
from deals.services import deal_mark_won, won_revenue
from prm.events.models import EngagementEvent
from prm.notifications.models import Notification
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def won(tenant, partner, members, register, approve, django_capture_on_commit_callbacks):
    def make(**overrides):
        deal = approve(register(partner, user=members["partner_user"], **overrides))
        with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
            return deal_mark_won(tenant=tenant, deal=deal, user=members["partner_user"], amount="30000",
                                 closed_on=timezone.localdate())
    return make


def _revert(client, deal, reason="The customer cancelled the order."):
    return client.post(reverse("deals:revert_won", args=[deal.pk]), {"reason": reason})


def test_a_reverted_win_is_protected_again_with_history_event_and_notice(tenant, partner, members, won, client_for):
    deal = won()
    protected_until = deal.protected_until
    response = _revert(client_for(tenant, members["channel_manager"]), deal)
    assert response.status_code == 302
    with tenant_scope(tenant):
        deal.refresh_from_db()
        entry = DealHistory.objects.filter(deal=deal).order_by("seq").last()
        event = EngagementEvent.objects.get(kind="deal_reverted")
        notes = list(Notification.objects.filter(user=members["partner_user"]).values_list("title", flat=True))
        assert verify_deal(deal) == []
    assert (deal.status, deal.won_amount, deal.won_base_amount, deal.closed_on) == ("approved", None, None, None)
    assert deal.protected_until == protected_until
    assert (entry.action, entry.from_status, entry.to_status) == ("won_reverted", "won", "approved")
    assert entry.reason == "The customer cancelled the order." and not entry.internal
    assert entry.actor == members["channel_manager"] and entry.changes["won"]["amount"] == "30000.00"
    assert (event.object_id, event.partner_id) == (str(deal.pk), partner.pk)
    assert event.data["from_status"] == "won" and event.data["reverted_amount"] == "30000.00"
    assert any("Win reverted" in t for t in notes)
    with tenant_scope(tenant):  # the tier metric no longer counts the revenue
        assert won_revenue(tenant, [partner.pk], timezone.localdate()) == {partner.pk: Decimal("0")}
    # The partner sees the correction and its reason on the deal page.
    page = client_for(tenant, members["partner_user"]).get(reverse("deals:detail", args=[deal.pk]))
    assert "won_reverted" in [h.action for h in page.context["history"]]
    assert "The customer cancelled the order." in page.content.decode()


def test_a_win_whose_window_has_closed_reverts_to_expired(tenant, members, won, client_for):
    deal = won()
    with tenant_scope(tenant):
        DealRegistration.objects.filter(pk=deal.pk).update(protected_until=timezone.localdate() - timedelta(days=1))
    _revert(client_for(tenant, members["channel_manager"]), deal)
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert deal.status == "expired"


def test_reverting_never_creates_a_second_protection_for_the_customer(tenant, rival, members, won, register, approve,
                                                                      client_for):
    deal = won()
    # While the deal was won (not blocking), another partner got the same customer protected.
    theirs = approve(register(rival, customer_name="Initech Corporation", website="", contact_email="bob@initech.com"))
    _revert(client_for(tenant, members["channel_manager"]), deal)
    with tenant_scope(tenant):
        deal.refresh_from_db()
        theirs.refresh_from_db()
        assert DealRegistration.objects.filter(status="approved").count() == 1
    assert (deal.status, theirs.status) == ("expired", "approved")


def test_a_revert_needs_a_reason_a_won_deal_and_a_manager(tenant, partner, members, won, register, client_for):
    deal = won()
    manager = client_for(tenant, members["channel_manager"])
    response = _revert(manager, deal, reason="  ")
    assert response.status_code == 400 and "reason" in response.context["revert_form"].errors
    assert client_for(tenant, members["partner_user"]).post(
        reverse("deals:revert_won", args=[deal.pk]), {"reason": "x"}).status_code == 403
    assert client_for(tenant, members["executive"]).post(
        reverse("deals:revert_won", args=[deal.pk]), {"reason": "x"}).status_code == 403
    pending = register(partner, customer_name="Hooli", website="hooli.com", contact_email="a@hooli.com")
    refused = _revert(manager, pending)
    assert refused.status_code == 400 and "no longer possible" in refused.content.decode()
    with tenant_scope(tenant):
        deal.refresh_from_db()
        pending.refresh_from_db()
        assert not EngagementEvent.objects.filter(kind="deal_reverted").exists()
    assert (deal.status, deal.won_amount, pending.status) == ("won", Decimal("30000.00"), "submitted")


def test_the_staff_page_offers_the_revert_only_on_won_deals(tenant, members, won, client_for):
    deal = won()
    manager = client_for(tenant, members["channel_manager"])
    assert 'id="revert-won"' in manager.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert 'id="revert-won"' not in client_for(tenant, members["partner_user"]).get(
        reverse("deals:detail", args=[deal.pk])).content.decode()
    _revert(manager, deal)
    assert 'id="revert-won"' not in manager.get(reverse("deals:detail", args=[deal.pk])).content.decode()
