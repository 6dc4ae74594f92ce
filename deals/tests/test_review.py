"""The review queue: oldest first, look-alikes grouped with a first-come recommendation, SLA clock,
decisions inline and in bulk, and a constant number of queries however long the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import DealHistory, DealRegistration
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory, HouseAccountFactory, TierFactory

pytestmark = pytest.mark.django_db


def test_queue_groups_look_alikes_oldest_first_with_a_first_come_recommendation(tenant, partner, rival, members,
                                                                                  client_for):
    now = timezone.now()
    lone = DealFactory(tenant=tenant, partner=partner, customer_name="Hooli", website="https://hooli.com",
                       submitted_at=now - timedelta(days=3))
    first = DealFactory(tenant=tenant, partner=rival, customer_name="Initech, Inc.", website="https://initech.com",
                        submitted_at=now - timedelta(days=2))
    second = DealFactory(tenant=tenant, partner=partner, customer_name="INITECH Corporation", website="",
                         contact_email="sales@initech.com", submitted_at=now - timedelta(days=1))
    response = client_for(tenant, members["channel_manager"]).get(reverse("deals:queue"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [[i.deal.pk for i in g.items] for g in groups] == [[lone.pk], [first.pk, second.pk]]
    lone_item, (first_item, second_item) = groups[0].items[0], groups[1].items
    assert lone_item.recommendation == "approve" and "No conflict" in lone_item.advice
    assert first_item.recommendation == "approve" and "first come" in first_item.advice
    assert second_item.recommendation == "reject" and rival.name in second_item.advice
    assert [m.id for m in second_item.matches] == [first.pk] and second_item.matches[0].score == 1.0
    html = response.content.decode()
    assert html.index("Hooli") < html.index("Initech, Inc.") < html.index("INITECH Corporation")


def test_protected_look_alikes_and_house_accounts_are_recommended_for_rejection(tenant, partner, rival, approve,
                                                                                 register, members, client_for):
    protected = approve(register(rival, customer_name="Umbrella Corp", website="https://umbrella.co.uk",
                                 contact_email="x@umbrella.co.uk"))
    register(partner, customer_name="Umbrella Corporation Ltd", website="https://shop.umbrella.co.uk",
             contact_email="y@umbrella.co.uk")
    HouseAccountFactory(tenant=tenant, name="Massive Dynamic", domain="massivedynamic.com")
    register(partner, customer_name="Massive Dynamic Inc", website="massivedynamic.com", contact_email="a@massivedynamic.com")
    groups = client_for(tenant, members["channel_manager"]).get(reverse("deals:queue")).context["groups"]
    advice = {i.deal.customer_name: (i.recommendation, i.advice) for g in groups for i in g.items}
    assert advice["Umbrella Corporation Ltd"][0] == "reject" and "protected for Tailspin" in advice["Umbrella Corporation Ltd"][1]
    assert advice["Massive Dynamic Inc"][0] == "reject" and "house account" in advice["Massive Dynamic Inc"][1]
    assert protected.status == "approved"


def test_every_submission_shows_its_sla_clock(tenant, partner, members, client_for):
    now = timezone.now()
    DealFactory(tenant=tenant, partner=partner, customer_name="Late", submitted_at=now - timedelta(days=10),
                sla_due_at=now - timedelta(days=6))
    DealFactory(tenant=tenant, partner=partner, customer_name="Fresh", submitted_at=now)
    response = client_for(tenant, members["channel_manager"]).get(reverse("deals:queue"))
    items = {i.deal.customer_name: i for g in response.context["groups"] for i in g.items}
    assert items["Late"].sla["breached"] is True
    assert items["Fresh"].sla["breached"] is False and items["Fresh"].sla["seconds"] > 0
    assert "overdue" in response.content.decode() and "left" in response.content.decode()


def test_only_managers_reach_the_queue(tenant, members, client_for):
    for role in ("partner_user", "partner_admin", "executive"):
        assert client_for(tenant, members[role]).get(reverse("deals:queue")).status_code == 403
    assert client_for(tenant, members["tenant_admin"]).get(reverse("deals:queue")).status_code == 200
    assert client_for(tenant, None).get(reverse("deals:queue")).status_code == 302


def test_approving_from_the_queue_protects_the_deal_and_returns_the_updated_queue(tenant, partner, members, register,
                                                                                  client_for):
    deal = register(partner, user=members["partner_user"])
    client = client_for(tenant, members["channel_manager"])
    response = client.post(reverse("deals:decide", args=[deal.pk]), {"action": "approve", "from": "queue"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="queue"' in response.content.decode()
    assert "<html" not in response.content.decode()
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert deal.status == "approved" and deal.protected_until == timezone.localdate() + timedelta(days=90)
    assert deal.decided_by == members["channel_manager"]


def test_the_partners_tier_can_override_the_protection_period(tenant, partner, register, approve):
    partner.tier = TierFactory(tenant=tenant, rank=3, deal_protection_days=120)
    partner.save()
    deal = approve(register(partner))
    assert deal.protected_until == timezone.localdate() + timedelta(days=120)


def test_a_rejection_needs_a_reason(tenant, partner, members, register, client_for):
    deal = register(partner)
    client = client_for(tenant, members["channel_manager"])
    response = client.post(reverse("deals:decide", args=[deal.pk]), {"action": "reject", "reason": ""})
    assert response.status_code == 400 and "reason" in response.context["decision_form"].errors
    response = client.post(reverse("deals:decide", args=[deal.pk]), {"action": "reject", "reason": "Not qualified"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert (deal.status, deal.decision_reason) == ("rejected", "Not qualified")


def test_asking_for_information_pauses_the_clock_until_the_partner_answers(tenant, partner, members, register,
                                                                           client_for):
    deal = register(partner, user=members["partner_user"], now=timezone.now() - timedelta(days=7))
    manager = client_for(tenant, members["channel_manager"])
    manager.post(reverse("deals:decide", args=[deal.pk]), {"action": "info", "reason": "Who signs?"})
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert deal.status == "info_requested" and deal.info_request == "Who signs?"
    partner_client = client_for(tenant, members["partner_user"])
    assert "Who signs?" in partner_client.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    response = partner_client.post(reverse("deals:respond", args=[deal.pk]), {"response": "The CFO."})
    assert response.status_code == 302
    with tenant_scope(tenant):
        deal.refresh_from_db()
        actions = list(DealHistory.objects.filter(deal=deal).values_list("action", flat=True))
    assert deal.status == "submitted" and deal.sla_due_at > timezone.now()
    assert actions == ["registered", "info_requested", "info_provided"]


def test_bulk_approval_of_look_alikes_protects_only_the_first_and_explains_the_rest(tenant, partner, rival, members,
                                                                                     register, client_for):
    now = timezone.now()
    first = register(rival, customer_name="Initech, Inc.", now=now - timedelta(hours=5))
    second = register(partner, customer_name="Initech Corp", website="", contact_email="a@initech.com",
                      now=now - timedelta(hours=1))
    other = register(partner, customer_name="Hooli", website="hooli.com", contact_email="a@hooli.com")
    response = client_for(tenant, members["channel_manager"]).post(
        reverse("deals:bulk"), {"action": "approve", "deals": [str(second.pk), str(first.pk), str(other.pk)]}, follow=True)
    with tenant_scope(tenant):
        statuses = dict(DealRegistration.objects.values_list("customer_name", "status"))
    assert statuses == {"Initech, Inc.": "approved", "Initech Corp": "submitted", "Hooli": "approved"}
    text = response.content.decode()
    assert "2 registration(s) updated" in text and "already protected" in text


def test_bulk_rejection_requires_a_reason_and_changes_nothing_without_one(tenant, partner, members, register, client_for):
    deal = register(partner)
    response = client_for(tenant, members["channel_manager"]).post(
        reverse("deals:bulk"), {"action": "reject", "reason": "", "deals": [str(deal.pk)]})
    assert response.status_code == 400 and "reason is required" in response.content.decode()
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert deal.status == "submitted"


def test_bulk_refuses_deals_that_are_not_pending(tenant, partner, members, register, approve, client_for):
    deal = approve(register(partner))
    response = client_for(tenant, members["channel_manager"]).post(
        reverse("deals:bulk"), {"action": "reject", "reason": "x", "deals": [str(deal.pk)]})
    assert response.status_code == 400 and "no longer waiting" in response.content.decode()


def test_a_decided_registration_cannot_be_decided_again(tenant, partner, members, register, approve, client_for):
    deal = approve(register(partner))
    response = client_for(tenant, members["channel_manager"]).post(
        reverse("deals:decide", args=[deal.pk]), {"action": "reject", "reason": "changed my mind"})
    assert response.status_code == 400 and "already decided" in response.content.decode()


def test_executives_see_deals_but_cannot_decide(tenant, partner, members, register, client_for):
    deal = register(partner)
    client = client_for(tenant, members["executive"])
    page = client.get(reverse("deals:detail", args=[deal.pk]))
    assert page.status_code == 200 and 'id="decision"' not in page.content.decode()
    assert client.post(reverse("deals:decide", args=[deal.pk]), {"action": "approve"}).status_code == 403


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("deals:queue"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _pending_with_conflicts(tenant, partners, n):
    now = timezone.now()
    # Every fifth deal repeats an earlier customer, so the page has groups, evidence and protected look-alikes.
    for i in range(n):
        DealFactory(tenant=tenant, partner=partners[i % 2], customer_name=f"Customer {i // 5 if i % 5 == 4 else i} Ltd",
                    website=f"https://customer{i // 5 if i % 5 == 4 else i}.com", submitted_at=now - timedelta(minutes=n - i))


def test_review_queue_query_count_is_constant_with_10_and_1000_deals(tenant, partner, rival, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    client.get(reverse("portal_home"))  # the first request of a session also records "last seen"
    _pending_with_conflicts(tenant, [partner, rival], 10)
    HouseAccountFactory(tenant=tenant, name="Customer 3 Ltd", domain="customer3.com")
    _queue_queries(client)  # the tenant's first check counts its name statistics (cached STATS_TTL seconds)
    small = _queue_queries(client)
    _pending_with_conflicts(tenant, [partner, rival], 990)
    large = _queue_queries(client)
    assert small == large, (small, large)
    response = client.get(reverse("deals:queue"))
    assert response.context["page"].paginator.count == 1000


def test_deal_list_query_count_is_constant(tenant, partner, rival, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    client.get(reverse("portal_home"))
    _pending_with_conflicts(tenant, [partner, rival], 10)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("deals:list"))
    _pending_with_conflicts(tenant, [partner, rival], 200)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("deals:list"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_admin_action_approves_the_selected_registrations(tenant, partner, members, register, client_for):
    deal = register(partner)
    client = client_for(tenant, members["channel_manager"])
    url = reverse("admin:deals_dealregistration_changelist")
    response = client.post(url, {"action": "approve_selected", "_selected_action": [str(deal.pk)]})
    assert response.status_code == 302
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert deal.status == "approved"


def test_admin_rejection_asks_for_a_reason_first(tenant, partner, members, register, client_for):
    deal = register(partner)
    client = client_for(tenant, members["channel_manager"])
    url = reverse("admin:deals_dealregistration_changelist")
    form = client.post(url, {"action": "reject_selected", "_selected_action": [str(deal.pk)]})
    assert form.status_code == 200 and b'name="reason"' in form.content
    done = client.post(url, {"action": "reject_selected", "_selected_action": [str(deal.pk)], "apply": "1",
                             "reason": "Duplicate of an existing opportunity"})
    assert done.status_code == 302
    with tenant_scope(tenant):
        deal.refresh_from_db()
    assert (deal.status, deal.decision_reason) == ("rejected", "Duplicate of an existing opportunity")
