"""The reads the portal pages build on: scoping by viewer (partner, staff, a manager's book),
filters, and a constant number of queries however many leads there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads import services
from leads.models import LeadRule
from leads.selectors import (
    LeadFilters,
    assignment_history,
    lead_stats,
    leads_visible_to,
    partner_share,
    returned_assignments,
    share_report,
)
from leads.tests.conftest import viewer
from partners.models import PartnerSettings
from prm.tenancy.scoping import tenant_scope
from tests.factories import set_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant, make_partner, make_rule, make_lead, route, member_of, make_member, product):
    partners = [make_partner(name, capacity=1000) for name in ("Alder", "Birch")]
    make_rule(name="Round robin", strategy=LeadRule.Strategy.ROUND_ROBIN)
    users = [member_of(p) for p in partners]
    manager = make_member(tenant, "channel_manager")

    def grow(n):
        leads = [make_lead(product=product, owner=manager) for _ in range(n)]
        route(*leads)
        with tenant_scope(tenant):
            for i, lead in enumerate(leads):
                lead.refresh_from_db()
                index = partners.index(lead.partner)
                if i % 4 < 2:  # round robin alternates: each partner accepts one lead, then declines one
                    services.lead_accept(tenant=tenant, lead=lead, partner=lead.partner, user=users[index])
                else:
                    services.lead_decline(tenant=tenant, lead=lead, partner=lead.partner, user=users[index],
                                          reason="Busy")
        return leads

    return {"partners": partners, "users": users, "manager": manager, "grow": grow}


def _render_list(v, filters=None):
    """What a list page or export touches on each row."""
    for lead in leads_visible_to(v, filters or LeadFilters()):
        _ = (lead.partner.name if lead.partner_id else "", lead.product.name if lead.product_id else "",
             lead.partner_user.email if lead.partner_user_id else "", lead.owner.email if lead.owner_id else "",
             lead.current_rule, lead.contact_for(v), lead.get_status_display(), lead.effective_region)


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["staff", "partner"])
def test_the_lead_lists_keep_a_constant_number_of_queries(tenant, world, who):
    world["grow"](3)
    v = viewer(tenant, world["manager"] if who == "staff" else world["users"][0])
    with tenant_scope(tenant):
        _render_list(v)  # the viewer's book and the settings rows are read once per request
        small = (_count(lambda: _render_list(v)), _count(lambda: list(returned_assignments(v))),
                 _count(lambda: lead_stats(v)), _count(lambda: share_report(tenant)))
    world["grow"](20)
    with tenant_scope(tenant):
        large = (_count(lambda: _render_list(v)), _count(lambda: [a.lead.company_name for a in returned_assignments(v)]),
                 _count(lambda: lead_stats(v)), _count(lambda: share_report(tenant)))
        assert len(list(leads_visible_to(v))) > 3
    assert small == large
    assert large[0] <= 2 and large[2] <= 5


def test_partners_see_only_their_organisations_leads_and_staff_see_all(tenant, world):
    world["grow"](6)
    staff, alder = viewer(tenant, world["manager"]), viewer(tenant, world["users"][0])
    with tenant_scope(tenant):
        everything = set(leads_visible_to(staff).values_list("pk", flat=True))
        alders = list(leads_visible_to(alder))
        assert alders and all(lead.partner_id == world["partners"][0].pk for lead in alders)
        assert set(lead.pk for lead in alders) < everything
        returned = list(returned_assignments(alder))
        assert all(a.partner_id == world["partners"][0].pk and a.outcome == "declined" for a in returned)


def test_a_manager_confined_to_a_book_sees_its_partners_leads_and_the_unassigned(tenant, world, make_lead,
                                                                                 make_member, route):
    world["grow"](4)
    set_settings(tenant, PartnerSettings, restrict_managers_to_book=True)
    confined = make_member(tenant, "channel_manager")
    alder = world["partners"][0]
    with tenant_scope(tenant):
        alder.owner = confined
        alder.save(update_fields=["owner"])
    stray = make_lead(country="", region="")  # nobody can take it: unassigned
    route(stray)
    alders = make_lead()
    with tenant_scope(tenant):
        services.lead_reassign(tenant=tenant, lead=alders, actor=world["manager"], partner=alder)
    v = viewer(tenant, confined)
    with tenant_scope(tenant):
        partners = {lead.partner_id for lead in leads_visible_to(v)}
    assert partners == {alder.pk, None}


def test_filters_narrow_the_inbox_tabs(tenant, world):
    world["grow"](8)
    alder = viewer(tenant, world["users"][0])
    with tenant_scope(tenant):
        accepted = leads_visible_to(alder, LeadFilters.from_request({"status": "accepted"}, staff=False))
        assert accepted.exists() and set(accepted.values_list("status", flat=True)) == {"accepted"}
        assert set(leads_visible_to(alder, LeadFilters.from_request({"status": "new"}, staff=False))
                   .values_list("status", flat=True)) <= {"assigned"}
        mine = leads_visible_to(alder, LeadFilters.from_request({"mine": "1"}, staff=False))
        assert all(lead.partner_user == world["users"][0] for lead in mine)
        # Unknown filter values are ignored, never an error.
        assert leads_visible_to(alder, LeadFilters.from_request({"status": "bogus", "partner": "x"}, staff=False))


def test_assignment_history_shows_partners_only_their_own_offers(tenant, world):
    leads = world["grow"](4)
    declined = leads[2]  # declined by Alder, then offered to Birch
    staff, alder = viewer(tenant, world["manager"]), viewer(tenant, world["users"][0])
    with tenant_scope(tenant):
        full = assignment_history(staff, declined)
        own = assignment_history(alder, declined)
    assert len(full) >= 2 and all(a.why for a in full)
    assert all(a.partner_id == alder.partner_id for a in own)


def test_stats_and_shares_add_up(tenant, world):
    world["grow"](10)
    staff = viewer(tenant, world["manager"])
    with tenant_scope(tenant):
        stats = lead_stats(staff)
        shares = share_report(tenant)
        own = partner_share(viewer(tenant, world["users"][0]))
    totals = stats["totals"]
    assert totals["offered"] == totals["accepted"] + totals["declined"] + totals["expired"] + totals["reassigned"] + (
        totals["offered"] - totals["accepted"] - totals["declined"] - totals["expired"] - totals["reassigned"])
    assert totals["accepted"] + totals["declined"] >= 10
    assert totals["acceptance_rate"] is not None and stats["rules"][0]["rule_name"] == "Round robin"
    assert sum(r.received for r in shares) == totals["offered"]
    assert sum(r.received_share for r in shares) == pytest.approx(1.0)
    assert sum(r.due_share for r in shares) == pytest.approx(1.0)
    assert own is not None and own.partner_name == "Alder"
