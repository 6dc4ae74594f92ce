"""Rule-based routing: territory, tier, partner type, capacity and round-robin order, named
partners, and the clear outcomes when nothing fits (never a crash)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Lead, LeadAssignment, LeadRule
from leads.selectors import dry_run
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def landscape(make_partner):
    """Partners in three territories, three tiers and two types."""
    return {
        "atlas": make_partner("Atlas US", country="US", regions=["NA"], rank=3),
        "borealis": make_partner("Borealis US", country="US", regions=["NA"], rank=1),
        "cedar": make_partner("Cedar CA", country="CA", regions=["NA"], rank=2, kind="msp"),
        "danube": make_partner("Danube DE", country="DE", regions=["EMEA"], rank=2),
        "elbe": make_partner("Elbe FR", country="FR", regions=["EMEA"], rank=3, kind="msp"),
        "fuji": make_partner("Fuji SG", country="SG", regions=["APAC"], rank=1),
    }


def _partner_of(lead):
    return lead.partner.name if lead.partner_id else None


@pytest.mark.parametrize("rule_fields, lead_fields, expected", [
    # Territory: a German lead goes to a partner based in Germany or serving EMEA (Danube first by name).
    ({}, {"country": "DE"}, {"Danube DE", "Elbe FR"}),
    # A lead given only its region reaches the partners serving it.
    ({}, {"country": "", "region": "APAC"}, {"Fuji SG"}),
    # Minimum tier: only gold (rank 3) partners in North America.
    ({"min_tier_rank": 3}, {"country": "US"}, {"Atlas US"}),
    # Partner type: only MSPs, anywhere in EMEA.
    ({"kind": "msp"}, {"country": "ES"}, {"Elbe FR"}),
    # Territory switched off: any partner meeting the tier, wherever it is.
    ({"match_territory": False, "min_tier_rank": 3}, {"country": "JP"}, {"Atlas US", "Elbe FR"}),
], ids=["territory-country", "territory-region-only", "minimum-tier", "partner-type", "no-territory-rule"])
def test_routing_outcomes_for_a_table_of_leads_and_partners(tenant, tiers, landscape, make_rule, make_lead, route,
                                                            rule_fields, lead_fields, expected):
    from tests.factories import PartnerTypeFactory

    fields = {"strategy": LeadRule.Strategy.ROUND_ROBIN, "match_territory": rule_fields.get("match_territory", True)}
    if "min_tier_rank" in rule_fields:
        fields["min_tier"] = tiers[rule_fields["min_tier_rank"]]
    if "kind" in rule_fields:
        fields["partner_type"] = PartnerTypeFactory(tenant=tenant, code=rule_fields["kind"])
    make_rule(name="Everything", **fields)
    leads = [make_lead(**lead_fields) for _ in range(4)]
    route(*leads)
    received = {_partner_of(lead) for lead in leads}
    assert received == expected
    assert all(lead.status == Lead.Status.ASSIGNED and lead.accept_by > timezone.now() for lead in leads)


def test_round_robin_takes_turns_in_the_order_of_the_last_offer(tenant, landscape, make_rule, make_lead, route):
    make_rule(name="North America", regions=["NA"], strategy=LeadRule.Strategy.ROUND_ROBIN)
    start = timezone.now()
    order = []
    for i in range(6):
        lead = make_lead(country="US")
        route(lead, now=start + timedelta(minutes=i))
        order.append(_partner_of(lead))
    # Never-offered partners first in name order, then whoever waited longest.
    assert order == ["Atlas US", "Borealis US", "Cedar CA", "Atlas US", "Borealis US", "Cedar CA"]


def test_round_robin_within_one_batch_also_takes_turns(tenant, landscape, make_rule, make_lead, route):
    make_rule(name="North America", regions=["NA"], strategy=LeadRule.Strategy.ROUND_ROBIN)
    leads = [make_lead(country="US") for _ in range(6)]
    route(*leads)
    assert [_partner_of(lead) for lead in sorted(leads, key=lambda x: (x.created_at, x.pk))].count("Atlas US") == 2
    assert sorted(_partner_of(lead) for lead in leads) == sorted(["Atlas US", "Borealis US", "Cedar CA"] * 2)


def test_capacity_caps_a_partner_and_the_next_one_takes_over(tenant, make_partner, make_rule, make_lead, route):
    small = make_partner("Alpha Small", capacity=1)
    big = make_partner("Beta Big", capacity=3)
    make_rule(name="All", strategy=LeadRule.Strategy.ROUND_ROBIN)
    leads = [make_lead(country="US") for _ in range(5)]
    route(*leads)
    with tenant_scope(tenant):
        held = {p.name: Lead.objects.filter(partner=p).count() for p in (small, big)}
    assert held == {"Alpha Small": 1, "Beta Big": 3}
    unassigned = [lead for lead in leads if lead.partner_id is None]
    assert len(unassigned) == 1 and unassigned[0].status == Lead.Status.UNASSIGNED
    with tenant_scope(tenant):
        note = LeadAssignment.objects.get(lead=unassigned[0])
    assert note.outcome == "unassigned" and "at their lead capacity" in note.why


def test_the_first_rule_that_finds_a_partner_wins_and_later_rules_catch_the_rest(tenant, landscape, make_rule,
                                                                                 make_lead, route):
    make_rule(name="Germany to Elbe", countries=["DE"], strategy=LeadRule.Strategy.NAMED, partner=landscape["elbe"],
              position=1)
    make_rule(name="Retail in EMEA", regions=["EMEA"], industries=["retail"], position=2)
    make_rule(name="Catch-all", position=3, match_territory=False)
    german, retail, other = make_lead(country="DE"), make_lead(country="ES", industry="retail"), make_lead(country="BR")
    route(german, retail, other)
    with tenant_scope(tenant):
        rules = {lead.company_name: LeadAssignment.objects.get(lead=lead).rule_name for lead in (german, retail, other)}
    assert _partner_of(german) == "Elbe FR" and rules[german.company_name] == "Germany to Elbe"
    assert _partner_of(retail) in {"Danube DE", "Elbe FR"} and rules[retail.company_name] == "Retail in EMEA"
    assert rules[other.company_name] == "Catch-all"


def test_a_named_partner_at_capacity_falls_through_to_the_next_rule(tenant, make_partner, make_rule, make_lead, route):
    named = make_partner("Named Partner", capacity=0)
    make_partner("Fallback Partner")
    make_rule(name="Named", strategy=LeadRule.Strategy.NAMED, partner=named, position=1)
    make_rule(name="Round robin", position=2)
    lead = make_lead(country="US")
    route(lead)
    assert _partner_of(lead) == "Fallback Partner"
    with tenant_scope(tenant):
        offer = LeadAssignment.objects.get(lead=lead)
    assert offer.candidates["tried"] == [{"rule": "Named", "why": "at_capacity", "n": 1}]


def test_rules_that_match_nothing_leave_the_lead_unassigned_with_the_reason(tenant, landscape, make_rule, make_lead,
                                                                           route, members):
    make_rule(name="Only Japan", countries=["JP"])
    lead = make_lead(country="DE", industry="retail", owner=members["channel_manager"])
    result = route(lead)
    assert (result.assigned, result.unassigned) == (0, 1)
    assert lead.status == Lead.Status.UNASSIGNED and lead.escalated_at is not None
    with tenant_scope(tenant):
        note = LeadAssignment.objects.get(lead=lead)
        from prm.notifications.models import Notification

        told = Notification.objects.get(user=members["channel_manager"])
    assert note.reason == "no_rule" and "no routing rule matches this lead (country DE" in note.why
    assert lead.company_name in told.title


def test_capacity_zero_everywhere_is_a_recorded_outcome_not_a_crash(tenant, make_partner, make_rule, make_lead, route):
    for name in ("Alpha", "Beta", "Gamma"):
        make_partner(name, capacity=0)
    make_rule(name="All", strategy=LeadRule.Strategy.PERFORMANCE)
    lead = make_lead(country="US")
    route(lead)
    with tenant_scope(tenant):
        note = LeadAssignment.objects.get(lead=lead)
    assert lead.status == Lead.Status.UNASSIGNED
    assert note.why == "Unassigned: all 3 partners eligible under rule “All” are at their lead capacity."


def test_a_lead_without_country_or_region_gets_a_clear_reason(tenant, landscape, make_rule, make_lead, route):
    make_rule(name="Territorial")
    lead = make_lead(country="", region="")
    route(lead)
    with tenant_scope(tenant):
        note = LeadAssignment.objects.get(lead=lead)
    assert lead.status == Lead.Status.UNASSIGNED
    assert "needs the lead's country or region, and the lead has neither" in note.why


def test_no_rules_at_all_is_said_so(tenant, landscape, make_lead, route):
    lead = make_lead(country="US")
    route(lead)
    with tenant_scope(tenant):
        assert LeadAssignment.objects.get(lead=lead).why == "Unassigned: the program has no active routing rule."


def test_inactive_partners_never_receive_leads(tenant, make_partner, make_rule, make_lead, route):
    make_partner("Suspended Co", status="suspended")
    make_partner("Onboarding Co", status="onboarding")
    make_rule(name="All")
    lead = make_lead(country="US")
    route(lead)
    assert lead.partner_id is None


def test_every_assignment_explains_the_candidates_and_the_choice(tenant, landscape, make_rule, make_lead, route):
    make_rule(name="North America", regions=["NA"], strategy=LeadRule.Strategy.ROUND_ROBIN)
    lead = make_lead(country="US")
    route(lead)
    with tenant_scope(tenant):
        offer = LeadAssignment.objects.get(lead=lead)
    assert offer.rule_name == "North America" and offer.strategy == "round_robin"
    assert offer.candidates["eligible"] == 3 and offer.candidates["available"] == 3
    assert [c["partner"] for c in offer.candidates["top"]] == ["Atlas US", "Borealis US", "Cedar CA"]
    assert offer.candidates["top"][0]["chosen"] is True
    assert offer.why == "Rule “North America” takes turns: Atlas US had not been offered a lead yet."


def test_a_dry_run_of_unsaved_rules_explains_without_writing(tenant, landscape, make_lead):
    leads = [make_lead(country="US") for _ in range(3)] + [make_lead(country="DE")]
    with tenant_scope(tenant):
        rules = [LeadRule(tenant=tenant, name="Try: NA only", regions=["NA"], strategy="round_robin")]
        decisions = dry_run(tenant, rules, leads)
        assert LeadAssignment.objects.count() == 0
        assert set(Lead.objects.values_list("status", flat=True)) == {"unassigned"}
    assert [d.partner_name for d in decisions] == ["Atlas US", "Borealis US", "Cedar CA", ""]
    assert decisions[3].reason == "no_rule" and "no routing rule matches" in decisions[3].why
