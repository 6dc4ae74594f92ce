"""Accept windows: accept or decline within the window (business-hours aware), reminders four
hours ahead, expiry and reassignment by the sweep, never back to a partner that declined, and
escalation to the lead's owner when candidates run out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leads import services
from leads.models import Lead, LeadAssignment, LeadRule, LeadSettings
from leads.windows import add_business_hours
from prm.events.models import EngagementEvent
from prm.notifications.models import Notification
from prm.tenancy.scoping import tenant_scope
from tests.factories import set_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(tenant, make_member):
    # Not the `members` fixture: its partner roles bring a fourth partner into the routing.
    return make_member(tenant, "channel_manager")


@pytest.fixture
def trio(make_partner, make_rule, member_of):
    partners = [make_partner(name) for name in ("Alder", "Birch", "Cypress")]
    make_rule(name="Round robin", strategy=LeadRule.Strategy.ROUND_ROBIN)
    users = {p.name: member_of(p) for p in partners}
    return partners, users


def _offers(tenant, lead):
    with tenant_scope(tenant):
        return list(LeadAssignment.objects.filter(lead=lead).order_by("seq").values_list("partner__name", "outcome"))


def test_the_offered_partner_accepts_and_the_lead_becomes_theirs(tenant, trio, make_lead, route):
    partners, users = trio
    lead = make_lead()
    route(lead)
    with tenant_scope(tenant):
        lead = services.lead_accept(tenant=tenant, lead=lead, partner=partners[0], user=users["Alder"])
        event = EngagementEvent.objects.get(kind="lead_accepted")
    assert (lead.status, lead.partner, lead.partner_user) == ("accepted", partners[0], users["Alder"])
    assert _offers(tenant, lead) == [("Alder", "accepted")]
    assert event.partner_id == partners[0].pk and event.data["within_window"] is True


def test_another_partner_cannot_accept_a_lead_offered_to_someone_else(tenant, trio, make_lead, route):
    partners, users = trio
    lead = make_lead()
    route(lead)
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        services.lead_accept(tenant=tenant, lead=lead, partner=partners[1], user=users["Birch"])
    assert exc.value.messages == ["This lead is no longer offered to your organisation."]
    with tenant_scope(tenant):
        services.lead_accept(tenant=tenant, lead=lead, partner=partners[0], user=users["Alder"])
        with pytest.raises(ValidationError) as again:
            services.lead_accept(tenant=tenant, lead=lead, partner=partners[0], user=users["Alder"])
    assert again.value.messages == ["Your organisation already accepted this lead."]


def test_a_user_of_another_organisation_cannot_act_for_the_partner(tenant, trio, make_lead, route):
    partners, users = trio
    lead = make_lead()
    route(lead)
    with tenant_scope(tenant), pytest.raises(ValidationError):
        services.lead_accept(tenant=tenant, lead=lead, partner=partners[0], user=users["Birch"])


def test_an_accept_after_the_window_closed_is_refused_with_a_clear_message(tenant, trio, make_lead, route):
    partners, users = trio
    lead = make_lead()
    route(lead)
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        services.lead_accept(tenant=tenant, lead=lead, partner=partners[0], user=users["Alder"],
                             now=lead.accept_by + timedelta(seconds=1))
    assert "The time to accept this lead ended at" in exc.value.messages[0]
    assert "it is being offered to another partner" in exc.value.messages[0]
    with tenant_scope(tenant):
        assert Lead.objects.get(pk=lead.pk).status == "assigned"  # nothing half-saved


def test_a_decline_moves_the_lead_on_and_never_back_to_the_decliner(tenant, trio, make_lead, route, manager):
    partners, users = trio
    lead = make_lead(owner=manager)
    route(lead)
    with tenant_scope(tenant):
        for partner in partners:
            lead.refresh_from_db()
            assert lead.partner == partner
            services.lead_decline(tenant=tenant, lead=lead, partner=partner, user=users[partner.name],
                                  reason="Outside our focus")
        lead.refresh_from_db()
        escalation = Notification.objects.get(user=manager)
    assert _offers(tenant, lead) == [("Alder", "declined"), ("Birch", "declined"), ("Cypress", "declined"),
                                     (None, "unassigned")]
    assert lead.status == "unassigned" and lead.escalated_at is not None
    assert "all 3 partners eligible under rule “Round robin” were already offered this lead" in escalation.body


def test_a_decline_needs_a_reason(tenant, trio, make_lead, route):
    partners, users = trio
    lead = make_lead()
    route(lead)
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        services.lead_decline(tenant=tenant, lead=lead, partner=partners[0], user=users["Alder"], reason=" ")
    assert "reason" in exc.value.message_dict


def test_the_sweep_expires_offers_and_reassigns_never_back_to_a_decliner(tenant, trio, make_lead, route, manager):
    partners, users = trio
    lead = make_lead(owner=manager)
    now = timezone.now()
    route(lead, now=now)
    with tenant_scope(tenant):
        services.lead_decline(tenant=tenant, lead=lead, partner=partners[0], user=users["Alder"], reason="Full",
                              now=now + timedelta(minutes=5))
        lead.refresh_from_db()
        assert lead.partner == partners[1]
        # Birch lets it expire; the sweep offers it to Cypress, never back to Alder.
        first = services.lead_sweep(tenant=tenant, now=lead.accept_by + timedelta(minutes=1))
        lead.refresh_from_db()
        assert lead.partner == partners[2] and first["expired"] == 1 and first["reassigned"] == 1
        second = services.lead_sweep(tenant=tenant, now=lead.accept_by + timedelta(minutes=1))
        lead.refresh_from_db()
        kinds = list(EngagementEvent.objects.filter(kind__startswith="lead_").order_by("occurred_at", "id")
                     .values_list("kind", "partner__name"))
    assert second == {"reminded": 0, "expired": 1, "reassigned": 0, "escalated": 1}
    assert _offers(tenant, lead) == [("Alder", "declined"), ("Birch", "expired"), ("Cypress", "expired"),
                                     (None, "unassigned")]
    assert lead.status == "unassigned" and lead.partner is None
    assert kinds == [("lead_declined", "Alder"), ("lead_expired", "Birch"), ("lead_expired", "Cypress")]


def test_a_sweep_run_twice_at_the_same_moment_changes_nothing_more(tenant, trio, make_lead, route):
    lead = make_lead()
    route(lead)
    later = lead.accept_by + timedelta(minutes=1)
    with tenant_scope(tenant):
        services.lead_sweep(tenant=tenant, now=later)
        assert services.lead_sweep(tenant=tenant, now=later) == {"reminded": 0, "expired": 0, "reassigned": 0,
                                                                 "escalated": 0}
    assert len(_offers(tenant, lead)) == 2


def test_partners_are_told_on_assignment_and_four_hours_before_expiry(tenant, trio, make_lead, route):
    partners, users = trio
    lead = make_lead()
    route(lead)
    with tenant_scope(tenant):
        offered = Notification.objects.get(user=users["Alder"])
        assert services.lead_sweep(tenant=tenant, now=lead.accept_by - timedelta(hours=5))["reminded"] == 0
        assert services.lead_sweep(tenant=tenant, now=lead.accept_by - timedelta(hours=3))["reminded"] == 1
        assert services.lead_sweep(tenant=tenant, now=lead.accept_by - timedelta(hours=2))["reminded"] == 0
        titles = list(Notification.objects.filter(user=users["Alder"]).order_by("created_at")
                      .values_list("title", flat=True))
    assert offered.title == f"New lead to accept: {lead.company_name}"
    assert titles == [offered.title, f"Lead expires soon: {lead.company_name}"]


def test_the_window_counts_business_days_only_when_the_tenant_says_so(tenant, trio, make_lead, route):
    friday_evening = timezone.make_aware(datetime(2026, 3, 6, 20, 0))
    assert friday_evening.weekday() == 4
    assert add_business_hours(friday_evening, 48) == timezone.make_aware(datetime(2026, 3, 10, 20, 0))
    assert add_business_hours(timezone.make_aware(datetime(2026, 3, 7, 10, 0)), 4) == timezone.make_aware(
        datetime(2026, 3, 9, 4, 0))
    lead = make_lead()
    route(lead, now=friday_evening)
    assert lead.accept_by == timezone.make_aware(datetime(2026, 3, 10, 20, 0))
    set_settings(tenant, LeadSettings, lead_business_hours=False, lead_accept_hours=24)
    other = make_lead()
    route(other, now=friday_evening)
    assert other.accept_by == friday_evening + timedelta(hours=24)


def test_staff_reassign_to_a_partner_keeps_the_history_on_the_same_lead(tenant, trio, make_lead, route, manager):
    partners, users = trio
    lead = make_lead()
    route(lead)
    with tenant_scope(tenant):
        lead = services.lead_reassign(tenant=tenant, lead=lead, actor=manager, partner=partners[2],
                                      reason="Cypress knows the customer")
        manual = LeadAssignment.objects.get(lead=lead, seq=2)
        assert Lead.objects.count() == 1
    assert lead.partner == partners[2] and lead.status == "assigned"
    assert _offers(tenant, lead) == [("Alder", "reassigned"), ("Cypress", "pending")]
    assert manual.strategy == "manual" and "Cypress knows the customer" in manual.why


def test_staff_cannot_reassign_to_a_partner_that_declined(tenant, trio, make_lead, route, manager):
    partners, users = trio
    lead = make_lead()
    route(lead)
    with tenant_scope(tenant):
        services.lead_decline(tenant=tenant, lead=lead, partner=partners[0], user=users["Alder"], reason="No capacity")
        with pytest.raises(ValidationError) as exc:
            services.lead_reassign(tenant=tenant, lead=lead, actor=manager, partner=partners[0])
    assert "declined this lead" in exc.value.message_dict["partner"][0]


def test_taking_an_accepted_lead_back_needs_confirmation(tenant, trio, make_lead, route, manager):
    partners, users = trio
    lead = make_lead()
    route(lead)
    manager = manager
    with tenant_scope(tenant):
        services.lead_accept(tenant=tenant, lead=lead, partner=partners[0], user=users["Alder"])
        with pytest.raises(ValidationError) as exc:
            services.lead_reassign(tenant=tenant, lead=lead, actor=manager)
        assert "Alder accepted this lead at" in exc.value.messages[0]
        lead = services.lead_reassign(tenant=tenant, lead=lead, actor=manager, take_back=True, reason="Stalled")
    assert lead.partner == partners[1] and lead.accepted_at is None
    assert _offers(tenant, lead) == [("Alder", "reassigned"), ("Birch", "pending")]


def test_a_partner_admin_assigns_the_lead_within_the_organisation(tenant, trio, make_lead, route, member_of):
    partners, users = trio
    admin = member_of(partners[0], role="partner_admin")
    colleague = users["Alder"]
    lead = make_lead()
    route(lead)
    with tenant_scope(tenant):
        services.lead_accept(tenant=tenant, lead=lead, partner=partners[0], user=admin)
        lead = services.lead_assign(tenant=tenant, lead=lead, partner=partners[0], user=admin, assignee=colleague)
        assert lead.partner_user == colleague
        with pytest.raises(ValidationError):
            services.lead_assign(tenant=tenant, lead=lead, partner=partners[0], user=colleague, assignee=admin)
        with pytest.raises(ValidationError):
            services.lead_assign(tenant=tenant, lead=lead, partner=partners[0], user=admin, assignee=users["Birch"])


def test_status_updates_move_an_owned_lead_to_working_and_lost(tenant, trio, make_lead, route):
    partners, users = trio
    lead = make_lead()
    route(lead)
    alder = users["Alder"]
    with tenant_scope(tenant):
        with pytest.raises(ValidationError):
            services.lead_status_update(tenant=tenant, lead=lead, partner=partners[0], user=alder, status="working")
        services.lead_accept(tenant=tenant, lead=lead, partner=partners[0], user=alder)
        services.lead_status_update(tenant=tenant, lead=lead, partner=partners[0], user=alder, status="working")
        with pytest.raises(ValidationError) as exc:
            services.lead_status_update(tenant=tenant, lead=lead, partner=partners[0], user=alder, status="lost")
        assert "reason" in exc.value.message_dict
        lead = services.lead_status_update(tenant=tenant, lead=lead, partner=partners[0], user=alder, status="lost",
                                           reason="Budget frozen")
    assert (lead.status, lead.lost_reason) == ("lost", "Budget frozen")


def test_declared_capacity_is_validated_and_audited(tenant, trio, manager):
    partners, users = trio
    with tenant_scope(tenant):
        with pytest.raises(ValidationError):
            services.lead_capacity_set(tenant=tenant, partner=partners[0], user=users["Alder"], max_open_leads=-1)
        with pytest.raises(ValidationError):
            services.lead_capacity_set(tenant=tenant, partner=partners[0], user=users["Alder"], max_open_leads="lots")
        profile = services.lead_capacity_set(tenant=tenant, partner=partners[0], user=users["Alder"],
                                             max_open_leads="3")
    assert profile.max_open_leads == 3


def test_the_beat_entry_point_sweeps_each_active_tenant(tenant, trio, make_lead, route,
                                                        django_capture_on_commit_callbacks):
    from leads.tasks import route_tenant, sweep

    lead = make_lead()
    route(lead)
    overdue = timezone.now() - timedelta(minutes=1)
    with tenant_scope(tenant):
        Lead.objects.filter(pk=lead.pk).update(accept_by=overdue)
        LeadAssignment.objects.filter(lead=lead).update(accept_by=overdue)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() >= 1
    with tenant_scope(tenant):
        lead.refresh_from_db()
    assert lead.partner.name == "Birch" and _offers(tenant, lead) == [("Alder", "expired"), ("Birch", "pending")]
    fresh = make_lead()
    assert route_tenant.delay([str(fresh.pk)], tenant_id=tenant.pk).get() == {"assigned": 1, "unassigned": 0}
