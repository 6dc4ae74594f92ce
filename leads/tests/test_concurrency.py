"""Real parallel transactions (PostgreSQL, separate connections): one owner per lead whatever
the interleaving of accept, reassignment, the sweep and concurrent routings."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from leads import services
from leads.models import Lead, LeadAssignment, LeadRule
from leads.services import _common as common
from leads.services import workflow
from prm.tenancy.scoping import tenant_scope
from tests.concurrency import in_thread

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks across concurrent connections")


def _join(*runs):
    for thread, _holder in runs:
        thread.join(30)
        assert not thread.is_alive(), "a transaction hung"
    return [h.get("value", h.get("error")) for _t, h in runs]


def _one_owner(tenant, lead) -> Lead:
    """The invariant: at most one live offer, and the lead's partner is that offer's partner."""
    with tenant_scope(tenant):
        lead = Lead.objects.get(pk=lead.pk)
        live = list(LeadAssignment.objects.filter(lead=lead, outcome__in=["pending", "accepted"]))
    assert len(live) == 1, live
    assert lead.partner_id == live[0].partner_id
    assert (lead.status == "accepted") == (live[0].outcome == "accepted")
    return lead


@pytest.fixture
def offered(tenant, make_partner, make_rule, make_lead, route, member_of, make_member):
    alder, birch = make_partner("Alder"), make_partner("Birch")
    make_rule(name="Round robin", strategy=LeadRule.Strategy.ROUND_ROBIN)
    lead = make_lead()
    route(lead)
    assert lead.partner == alder
    return lead, alder, birch, member_of(alder), member_of(birch), make_member(tenant, "channel_manager")


def _hold_first_lock(monkeypatch, seconds=0.5):
    """The first service to read the live offer (it holds the lead's row lock by then) signals and
    keeps its transaction open a moment: the other one provably waits on the lock."""
    original = workflow.live_assignment
    locked = threading.Event()

    def slow(lead):
        result = original(lead)
        if not locked.is_set():
            locked.set()
            time.sleep(seconds)
        return result

    monkeypatch.setattr(workflow, "live_assignment", slow)  # reassignment
    monkeypatch.setattr(common, "live_assignment", slow)  # accept and decline (through current_offer)
    return locked


def test_accept_first_then_a_reassignment_in_flight_ends_with_the_accepting_owner(tenant, offered, monkeypatch):
    lead, alder, birch, alder_user, _birch_user, manager = offered
    locked = _hold_first_lock(monkeypatch)

    def accept():
        with tenant_scope(tenant):
            return services.lead_accept(tenant=tenant, lead=lead, partner=alder, user=alder_user)

    def reassign():
        locked.wait(10)
        with tenant_scope(tenant):
            return services.lead_reassign(tenant=tenant, lead=lead, actor=manager, partner=birch)

    accepted, refused = _join(in_thread(accept), in_thread(reassign))
    assert isinstance(accepted, Lead) and isinstance(refused, ValidationError), (accepted, refused)
    assert "Alder accepted this lead at" in refused.messages[0]
    assert _one_owner(tenant, lead).partner == alder


def test_reassignment_first_then_the_old_assignees_accept_in_flight_is_refused(tenant, offered, monkeypatch):
    lead, alder, birch, alder_user, _birch_user, manager = offered
    locked = _hold_first_lock(monkeypatch)

    def reassign():
        with tenant_scope(tenant):
            return services.lead_reassign(tenant=tenant, lead=lead, actor=manager, partner=birch)

    def accept():
        locked.wait(10)
        with tenant_scope(tenant):
            return services.lead_accept(tenant=tenant, lead=lead, partner=alder, user=alder_user)

    moved, refused = _join(in_thread(reassign), in_thread(accept))
    assert isinstance(moved, Lead) and isinstance(refused, ValidationError), (moved, refused)
    assert refused.messages == ["This lead is no longer offered to your organisation."]
    owner = _one_owner(tenant, lead)
    assert owner.partner == birch and owner.status == "assigned"


def test_two_partners_accepting_at_once_leave_exactly_one_owner(tenant, offered, monkeypatch):
    """Alder accepts while staff move the lead to Birch and Birch accepts: all three at once."""
    lead, alder, birch, alder_user, birch_user, manager = offered
    barrier = threading.Barrier(3, timeout=20)

    def run(fn):
        def go():
            barrier.wait()
            with tenant_scope(tenant):
                return fn()
        return go

    results = _join(
        in_thread(run(lambda: services.lead_accept(tenant=tenant, lead=lead, partner=alder, user=alder_user))),
        in_thread(run(lambda: services.lead_reassign(tenant=tenant, lead=lead, actor=manager, partner=birch))),
        in_thread(run(lambda: services.lead_accept(tenant=tenant, lead=lead, partner=birch, user=birch_user))),
    )
    assert all(isinstance(r, Lead | ValidationError) for r in results), results
    owner = _one_owner(tenant, lead)
    with tenant_scope(tenant):
        accepted = LeadAssignment.objects.filter(lead=lead, outcome="accepted").count()
    assert accepted <= 1 and (owner.status == "accepted") == (accepted == 1)


def test_the_sweep_skips_a_lead_whose_accept_is_in_flight(tenant, offered, monkeypatch):
    lead, alder, _birch, alder_user, _birch_user, _manager = offered
    locked = _hold_first_lock(monkeypatch, seconds=1.0)
    deadline = lead.accept_by

    def accept():
        with tenant_scope(tenant):
            return services.lead_accept(tenant=tenant, lead=lead, partner=alder, user=alder_user,
                                        now=deadline - timedelta(seconds=1))

    def sweep():
        locked.wait(10)
        with tenant_scope(tenant):
            return services.lead_sweep(tenant=tenant, now=deadline + timedelta(seconds=1))

    accepted, swept = _join(in_thread(accept), in_thread(sweep))
    assert isinstance(accepted, Lead), accepted
    assert swept["expired"] == 0  # skip_locked: the row was busy, and afterwards it is accepted
    assert _one_owner(tenant, lead).partner == alder


def test_concurrent_routings_never_hand_out_the_same_capacity_twice(tenant, make_partner, make_rule, make_lead):
    only = make_partner("Only Partner", capacity=1)
    make_rule(name="All", strategy=LeadRule.Strategy.ROUND_ROBIN)
    leads = [make_lead(), make_lead()]
    barrier = threading.Barrier(2, timeout=20)

    def route(lead):
        def go():
            barrier.wait()
            with tenant_scope(tenant):
                return services.leads_route(tenant=tenant, leads=[lead])
        return go

    results = _join(in_thread(route(leads[0])), in_thread(route(leads[1])))
    assert sorted((r.assigned, r.unassigned) for r in results) == [(0, 1), (1, 0)], results
    with tenant_scope(tenant):
        assert Lead.objects.filter(partner=only).count() == 1
