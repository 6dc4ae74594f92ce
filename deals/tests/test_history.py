"""Every transition leaves a hash-chained history row; the verify command finds any tampering."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from deals import services
from deals.history import verify_deal
from deals.models import DealHistory, DealRegistration
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def _entries(tenant, deal):
    with tenant_scope(tenant):
        return list(DealHistory.objects.filter(deal=deal).order_by("seq").values_list(
            "action", "from_status", "to_status"))


@pytest.fixture
def full_story(tenant, partner, members, register, approve):
    """A deal taken through every transition a registration can make."""
    partner_user, manager, admin = members["partner_user"], members["channel_manager"], members["tenant_admin"]
    deal = register(partner, user=partner_user)
    with tenant_scope(tenant):
        services.deal_request_info(tenant=tenant, deal=deal, actor=manager, message="Which team buys?")
        services.deal_respond(tenant=tenant, deal=deal, user=partner_user, response="Finance")
        services.deal_reject(tenant=tenant, deal=deal, actor=manager, reason="Too early")
        appeal = services.deal_appeal(tenant=tenant, deal=deal, user=partner_user, comment="RFP published")
        services.appeal_decide(tenant=tenant, appeal=appeal, actor=admin, reverse=True, reason="Fair point")
        services.deal_update(tenant=tenant, deal=deal, user=partner_user, stage="negotiation")
        ext = services.extension_request(tenant=tenant, deal=deal, user=partner_user, days=30, reason="Legal review")
        services.extension_decide(tenant=tenant, extension=ext, actor=manager, approve=True)
        services.deal_mark_won(tenant=tenant, deal=deal, user=partner_user, amount="27000",
                               closed_on=timezone.localdate())
    return deal


def test_every_transition_is_in_the_history_with_from_and_to(tenant, full_story):
    assert _entries(tenant, full_story) == [
        ("registered", "", "submitted"),
        ("info_requested", "submitted", "info_requested"),
        ("info_provided", "info_requested", "submitted"),
        ("rejected", "submitted", "rejected"),
        ("appealed", "", ""),
        ("appeal_reversed", "rejected", "approved"),
        ("stage_changed", "", ""),
        ("extension_requested", "", ""),
        ("extension_approved", "", ""),
        ("won", "approved", "won"),
    ]
    with tenant_scope(tenant):
        deal = DealRegistration.objects.get(pk=full_story.pk)
        assert verify_deal(deal) == []
        entries = list(DealHistory.objects.filter(deal=deal).order_by("seq"))
    assert all(e.prev_hash == p.hash for p, e in zip(entries, entries[1:], strict=False))
    assert deal.history_head == entries[-1].hash and deal.history_count == len(entries)
    assert entries[3].reason == "Too early" and entries[3].actor_label


def test_expiry_lost_and_auto_approval_are_recorded_too(tenant, partner, members, register, approve):
    lost = approve(register(partner, customer_name="Lost Co", website="lost.com", contact_email="a@lost.com"))
    lapsing = approve(register(partner, customer_name="Lapse Co", website="lapse.com", contact_email="a@lapse.com"))
    with tenant_scope(tenant):
        services.deal_mark_lost(tenant=tenant, deal=lost, user=members["partner_user"], reason="No budget")
        DealRegistration.objects.filter(pk=lapsing.pk).update(protected_until=timezone.localdate() - timedelta(days=1))
        services.protection_nightly(tenant=tenant)
    assert _entries(tenant, lost)[-1] == ("lost", "approved", "lost")
    assert _entries(tenant, lapsing)[-1] == ("expired", "approved", "expired")
    out = StringIO()
    call_command("verify_deal_history", stdout=out)
    assert "All deal histories verified" in out.getvalue()


@pytest.mark.parametrize("tamper", ["edit", "delete-middle", "delete-last", "reorder"])
def test_the_verify_command_detects_tampering(tenant, full_story, tamper):
    with tenant_scope(tenant):
        qs = DealHistory.objects.filter(deal=full_story)
        if tamper == "edit":
            qs.filter(seq=4).update(reason="Approved after all")  # rewrite why it was rejected
        elif tamper == "delete-middle":
            qs.filter(seq=4).delete()
        elif tamper == "delete-last":
            qs.filter(seq=10).delete()
        else:
            qs.filter(seq=2).update(seq=99)
            qs.filter(seq=3).update(seq=2)
            qs.filter(seq=99).update(seq=3)
    err = StringIO()
    with pytest.raises(CommandError, match="1 deal history chain"):
        call_command("verify_deal_history", "--tenant", tenant.slug, stdout=StringIO(), stderr=err)
    assert str(full_story.pk) in err.getvalue()


def test_history_rows_cannot_be_saved_twice(tenant, full_story):
    with tenant_scope(tenant):
        entry = DealHistory.objects.filter(deal=full_story).first()
        entry.reason = "changed"
        with pytest.raises(ValueError, match="append-only"):
            entry.save()


def test_the_partner_sees_its_deals_history_without_staff_only_entries(tenant, partner, rival, members, register,
                                                                         approve, client_for):
    register(rival, customer_name="Initech Corporation")
    deal = register(partner, user=members["partner_user"])
    with tenant_scope(tenant):
        services.deal_partner_add(tenant=tenant, deal=deal, partner=rival, role="influenced",
                                  actor=members["channel_manager"])
        internal = set(DealHistory.objects.filter(deal=deal, internal=True).values_list("action", flat=True))
    assert internal == {"conflicts_detected", "partner_added"}
    partner_page = client_for(tenant, members["partner_user"]).get(reverse("deals:detail", args=[deal.pk]))
    shown = [h.action for h in partner_page.context["history"]]
    assert shown == ["registered"]
    staff_page = client_for(tenant, members["channel_manager"]).get(reverse("deals:detail", args=[deal.pk]))
    assert [h.action for h in staff_page.context["history"]] == ["registered", "conflicts_detected", "partner_added"]
    assert "History chain verified" in staff_page.content.decode()


def test_the_staff_page_flags_a_broken_chain(tenant, partner, members, register, client_for):
    deal = register(partner)
    with tenant_scope(tenant):
        DealHistory.objects.filter(deal=deal).update(reason="forged")
    page = client_for(tenant, members["channel_manager"]).get(reverse("deals:detail", args=[deal.pk]))
    assert "History chain broken" in page.content.decode()
