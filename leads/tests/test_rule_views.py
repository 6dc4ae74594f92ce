"""The routing rule editor: the ordered list with conditions in words, creating and editing rules
(with the service's validation on the form), reordering, deleting, the dry run that writes
nothing, and who may do what."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Lead, LeadAssignment, LeadRule
from leads.services import rules as rule_services
from partners.models import PartnerSettings
from prm.audit.models import AuditEntry
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory, ProductFactory, TierFactory, set_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def landscape(make_partner):
    """Two partners in North America, one in Germany; capacity for everything."""
    return {
        "atlas": make_partner("Atlas US", country="US", regions=["NA"], rank=3, capacity=100),
        "borealis": make_partner("Borealis US", country="US", regions=["NA"], rank=1, capacity=100),
        "danube": make_partner("Danube DE", country="DE", regions=["EMEA"], rank=2, capacity=100),
    }


@pytest.fixture
def manager(members):
    return members["channel_manager"]


@pytest.fixture
def as_manager(tenant, manager, client_for):
    return client_for(tenant, manager)


def _rule_data(**overrides) -> dict:
    data = {"name": "Germany to Danube", "position": "10", "is_active": "on", "countries": [], "regions": [],
            "industries": [], "sizes": [], "product": "", "partner_type": "", "min_tier": "", "specialty": "",
            "match_territory": "on", "strategy": "round_robin", "partner": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _rules(tenant) -> list[tuple[str, int]]:
    with tenant_scope(tenant):
        return list(LeadRule.objects.order_by("position", "name").values_list("name", "position"))


def _audit(tenant, action: str) -> list[AuditEntry]:
    with tenant_scope(tenant):
        return list(AuditEntry.objects.filter(tenant=tenant, action=action).order_by("created_at"))


# --- The list -----------------------------------------------------------------------------------


def test_rule_list_shows_rules_in_order_with_their_conditions_in_words(tenant, tiers, landscape, make_rule, product,
                                                                          as_manager):
    gold = tiers[3]
    with tenant_scope(tenant):
        gold.name = "Gold"
        gold.save()
    make_rule(name="Catch-all", position=90, strategy=LeadRule.Strategy.PERFORMANCE)
    make_rule(name="DACH security", position=10, countries=["DE", "AT"], product=product, min_tier=gold,
              strategy=LeadRule.Strategy.ROUND_ROBIN)
    make_rule(name="Danube gets Austria", position=20, countries=["AT"], strategy=LeadRule.Strategy.NAMED,
              partner=landscape["danube"], is_active=False)

    response = as_manager.get(reverse("leads:rules"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("DACH security") < html.index("Danube gets Austria") < html.index("Catch-all")
    assert "Country is DE or AT · Product Security Suite · Tier Gold or higher" in html
    assert "Danube DE" in html and "Inactive" in html
    assert "Every lead, any partner" in html  # the catch-all's conditions
    assert reverse("leads:rule_create") in html
    assert 'href="{}"'.format(reverse("leads:list")) in html


def test_rule_list_counts_the_leads_each_rule_routed_in_the_last_30_days(tenant, landscape, make_rule, make_lead,
                                                                          route, as_manager):
    rule = make_rule(name="North America", regions=["NA"])
    route(*[make_lead(country="US") for _ in range(3)])

    response = as_manager.get(reverse("leads:rules"))

    with tenant_scope(tenant):
        assert LeadAssignment.objects.filter(rule=rule, partner__isnull=False).count() == 3
    rows = response.content.decode().split(f'id="rule-{rule.pk}"')[1].split("</tr>")[0]
    assert ">3</td>" in rows


def test_an_empty_rule_list_explains_what_rules_do(tenant, as_manager):
    response = as_manager.get(reverse("leads:rules"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "No routing rules yet." in html
    assert "Without rules, leads stay with their owner" in html
    assert "Create the first rule" in html


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("leads:rules"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_rule_list_keeps_a_constant_number_of_queries(tenant, tiers, landscape, make_rule, product, as_manager):
    as_manager.get(reverse("portal_home"))  # the session's first request does one-off work
    make_rule(name="Only", countries=["DE"], product=product, min_tier=tiers[2])
    one = _list_queries(as_manager)
    for i in range(12):
        make_rule(name=f"Rule {i}", countries=["US"], product=product, min_tier=tiers[1 + i % 3],
                  strategy=LeadRule.Strategy.NAMED if i % 2 else LeadRule.Strategy.ROUND_ROBIN,
                  partner=landscape["atlas"] if i % 2 else None)
    many = _list_queries(as_manager)
    assert one == many


# --- Create and edit ----------------------------------------------------------------------------


def test_a_manager_creates_a_named_partner_rule_and_the_change_is_audited(tenant, landscape, as_manager, manager):
    response = as_manager.post(reverse("leads:rule_create"), _rule_data(
        countries=["DE", "AT"], strategy="named", partner=str(landscape["danube"].pk)))

    assert response.status_code == 302 and response["Location"] == reverse("leads:rules")
    with tenant_scope(tenant):
        rule = LeadRule.objects.get()
    assert (rule.name, rule.countries, rule.strategy, rule.partner_id) == (
        "Germany to Danube", ["AT", "DE"], "named", landscape["danube"].pk)
    [entry] = _audit(tenant, "lead.rule_create")
    assert entry.actor == manager and entry.object_id == str(rule.pk)
    assert entry.changes["after"]["partner"] == "Danube DE"


def test_the_new_rule_form_offers_every_condition_and_proposes_the_next_position(tenant, tiers, landscape, make_rule,
                                                                                 product, as_manager):
    make_rule(name="First", position=40)

    response = as_manager.get(reverse("leads:rule_create"))

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("countries", "regions", "industries", "sizes", "product", "partner_type", "min_tier", "specialty",
                 "match_territory", "strategy", "partner", "position", "is_active"):
        assert f'name="{name}"' in html, name
    assert 'value="50"' in html  # after the last rule
    assert "<legend>Lead regions</legend>" in html  # a checkbox group under its legend
    assert ">Germany</option>" in html  # countries from django-countries
    assert "Security Suite" in html and "Atlas US" in html
    assert reverse("leads:rule_dry_run") in html


def test_editing_a_rule_saves_it_and_audits_what_changed(tenant, landscape, make_rule, as_manager):
    rule = make_rule(name="North America", regions=["NA"], position=10)

    page = as_manager.get(reverse("leads:rule_edit", args=[rule.pk]))
    response = as_manager.post(reverse("leads:rule_edit", args=[rule.pk]), _rule_data(
        name="North America and Latin America", regions=["NA", "LATAM"], strategy="performance"))

    assert page.status_code == 200 and "North America" in page.content.decode()
    assert response.status_code == 302
    with tenant_scope(tenant):
        rule.refresh_from_db()
    assert (rule.name, rule.regions, rule.strategy) == ("North America and Latin America", ["NA", "LATAM"],
                                                        "performance")
    [entry] = _audit(tenant, "lead.rule_update")
    assert set(entry.changes["changed"]) == {"name", "regions", "strategy"}
    assert entry.changes["before"]["strategy"] == "round_robin"


def test_a_named_strategy_without_a_partner_is_an_error_on_the_partner_field(tenant, landscape, as_manager):
    response = as_manager.post(reverse("leads:rule_create"), _rule_data(strategy="named"))

    assert response.status_code == 400
    form = response.context["form"]
    assert "partner" in form.errors
    assert "Choose the partner that receives these leads." in response.content.decode()
    assert _rules(tenant) == []


def test_another_tenants_partner_or_tier_is_refused_with_an_error_not_a_crash(tenant, other_tenant, landscape,
                                                                              as_manager):
    foreign_partner = PartnerFactory(tenant=other_tenant, name="Globex Partner", status="active")
    foreign_tier = TierFactory(tenant=other_tenant, rank=5)
    foreign_product = ProductFactory(tenant=other_tenant, code="other", name="Other product")

    response = as_manager.post(reverse("leads:rule_create"), _rule_data(
        strategy="named", partner=str(foreign_partner.pk), min_tier=str(foreign_tier.pk),
        product=str(foreign_product.pk)))

    assert response.status_code == 400
    assert {"partner", "min_tier", "product"} <= set(response.context["form"].errors)
    assert "Globex Partner" not in response.content.decode()
    assert _rules(tenant) == []


def test_garbage_ids_and_values_are_form_errors(tenant, as_manager):
    response = as_manager.post(reverse("leads:rule_create"), _rule_data(
        partner="not-a-uuid", min_tier="12", countries=["XX"], regions=["MARS"], position="-1", strategy="magic"))

    assert response.status_code == 400
    assert {"partner", "min_tier", "countries", "regions", "position", "strategy"} <= set(
        response.context["form"].errors)


def test_a_named_partner_rule_refuses_partner_conditions_it_would_ignore(tenant, tiers, landscape, as_manager):
    response = as_manager.post(reverse("leads:rule_create"), _rule_data(
        strategy="named", partner=str(landscape["danube"].pk), min_tier=str(tiers[2].pk), specialty="security"))

    assert response.status_code == 400
    assert {"min_tier", "specialty"} <= set(response.context["form"].errors)
    assert _rules(tenant) == []


def test_two_rules_cannot_share_a_name(tenant, make_rule, as_manager):
    make_rule(name="Germany to Danube")

    response = as_manager.post(reverse("leads:rule_create"), _rule_data(name="germany to danube"))

    assert response.status_code == 400
    assert "name" in response.context["form"].errors


def test_an_inactive_partner_cannot_be_newly_named(tenant, landscape, make_partner, as_manager):
    sleeping = make_partner("Sleepy GmbH", country="DE", regions=["EMEA"], status="suspended")

    response = as_manager.post(reverse("leads:rule_create"), _rule_data(strategy="named", partner=str(sleeping.pk)))

    assert response.status_code == 400
    assert "partner" in response.context["form"].errors


# --- Order and delete ---------------------------------------------------------------------------


def test_moving_a_rule_up_and_down_changes_the_routing_order(tenant, make_rule, as_manager):
    first, second, third = (make_rule(name=n, position=p) for n, p in (("A", 10), ("B", 20), ("C", 30)))

    up = as_manager.post(reverse("leads:rule_move", args=[third.pk]), {"direction": "up"})
    assert up.status_code == 302
    assert [n for n, _p in _rules(tenant)] == ["A", "C", "B"]

    down = as_manager.post(reverse("leads:rule_move", args=[first.pk]), {"direction": "down"}, HTTP_HX_REQUEST="true")
    assert down.status_code == 200
    assert [n for n, _p in _rules(tenant)] == ["C", "A", "B"]
    html = down.content.decode()
    assert 'id="rule-table"' in html and "<html" not in html  # the table fragment only
    assert html.index(">C<") < html.index(">A<") < html.index(">B<")
    assert len(_audit(tenant, "lead.rule_move")) == 2

    # Already at the top: nothing changes, nothing is audited.
    as_manager.post(reverse("leads:rule_move", args=[third.pk]), {"direction": "up"})
    assert [n for n, _p in _rules(tenant)] == ["C", "A", "B"]
    assert len(_audit(tenant, "lead.rule_move")) == 2


def test_moving_rules_that_share_a_position_numbers_them_first(tenant, make_rule, as_manager):
    for name in ("A", "B", "C"):
        make_rule(name=name, position=0)

    with tenant_scope(tenant):
        c = LeadRule.objects.get(name="C")
    as_manager.post(reverse("leads:rule_move", args=[c.pk]), {"direction": "up"})

    assert _rules(tenant) == [("A", 10), ("C", 20), ("B", 30)]


def test_a_bad_move_direction_is_a_400_and_a_get_is_a_405(tenant, make_rule, as_manager):
    rule = make_rule(name="A")

    assert as_manager.post(reverse("leads:rule_move", args=[rule.pk]), {"direction": "sideways"}).status_code == 400
    assert as_manager.get(reverse("leads:rule_move", args=[rule.pk])).status_code == 405


def test_deleting_a_rule_asks_first_then_deletes_and_audits(tenant, landscape, make_rule, make_lead, route,
                                                            as_manager):
    rule = make_rule(name="North America", regions=["NA"])
    lead = make_lead(country="US")
    route(lead)

    confirm = as_manager.get(reverse("leads:rule_delete", args=[rule.pk]))
    response = as_manager.post(reverse("leads:rule_delete", args=[rule.pk]))

    assert confirm.status_code == 200 and "Delete rule “North America”?" in confirm.content.decode()
    assert response.status_code == 302
    assert _rules(tenant) == []
    with tenant_scope(tenant):
        offer = LeadAssignment.objects.get(lead=lead)
    assert offer.rule_id is None and offer.rule_name == "North America"  # the history keeps its name
    [entry] = _audit(tenant, "lead.rule_delete")
    assert entry.changes["before"]["regions"] == ["NA"]


def test_another_tenants_rule_is_not_found(tenant, other_tenant, as_manager):
    from tests.factories.leads import LeadRuleFactory

    foreign = LeadRuleFactory(tenant=other_tenant, name="Globex rule")
    for name in ("leads:rule_edit", "leads:rule_delete", "leads:rule_move"):
        assert as_manager.post(reverse(name, args=[foreign.pk]), {"direction": "up"}).status_code == 404
    assert as_manager.get(reverse("leads:rule_edit", args=[foreign.pk])).status_code == 404
    assert as_manager.post(reverse("leads:rule_dry_run") + f"?rule={foreign.pk}", _rule_data()).status_code == 404
    assert as_manager.post(reverse("leads:rule_dry_run") + "?rule=nonsense", _rule_data()).status_code == 404


# --- Dry run ------------------------------------------------------------------------------------


def _state(tenant):
    with tenant_scope(tenant):
        return (LeadAssignment.objects.count(),
                sorted(Lead.objects.values_list("pk", "status", "partner_id", "updated_at")),
                sorted(LeadRule.objects.values_list("pk", "name", "position")))


def test_trying_an_unsaved_rule_shows_who_would_get_each_lead_and_writes_nothing(tenant, landscape, make_rule,
                                                                                 make_lead, as_manager):
    make_rule(name="Everything: round robin", position=50, match_territory=False)
    german = make_lead(company_name="Kraftwerk Logistik GmbH", country="DE")
    american = make_lead(company_name="Acme Rockets Inc", country="US")
    before = _state(tenant)

    response = as_manager.post(reverse("leads:rule_dry_run"), _rule_data(
        countries=["DE"], strategy="named", partner=str(landscape["danube"].pk), position="10", sample="recent"),
        HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert _state(tenant) == before  # no lead, offer or rule written
    report = response.context["report"]
    rows = {row.lead.pk: row for row in report.rows}
    assert rows[german.pk].decision.partner_name == "Danube DE"
    assert rows[german.pk].rule_name == "Germany to Danube"
    assert rows[german.pk].changed  # the saved catch-all would have sent it elsewhere (Atlas, first in turn)
    assert rows[german.pk].baseline_name == "Atlas US"
    assert rows[american.pk].rule_name == "Everything: round robin"
    html = response.content.decode()
    assert "Kraftwerk Logistik GmbH" in html and "Rule “Germany to Danube” sends these leads to Danube DE." in html
    # Round robin keeps turns: with the German lead gone to Danube, the American one is Atlas's turn.
    assert (rows[american.pk].decision.partner_name, rows[american.pk].baseline_name) == ("Atlas US", "Borealis US")
    assert "2 leads would go to a different partner than under the saved rules." in html
    assert "<html" not in html  # the fragment only
    assert {(s.label, s.count) for s in report.by_rule} == {("Germany to Danube", 1), ("Everything: round robin", 1)}
    assert sum(s.share for s in report.by_partner) == pytest.approx(1.0)


def test_trying_an_edited_rule_replaces_its_saved_version(tenant, landscape, make_rule, make_lead, as_manager):
    rule = make_rule(name="North America", regions=["NA"], position=10)
    lead = make_lead(company_name="Maple Syrup Ltd", country="DE")
    before = _state(tenant)

    response = as_manager.post(reverse("leads:rule_dry_run") + f"?rule={rule.pk}", _rule_data(
        name="North America", regions=["NA", "EMEA"], sample="unassigned"))

    assert response.status_code == 200  # without htmx: the whole form page with the result
    assert "<html" in response.content.decode()
    [row] = response.context["report"].rows
    assert row.lead.pk == lead.pk and row.decision.partner_name == "Danube DE" and row.baseline_name == ""
    assert row.decision.rule is response.context["report"].candidate
    assert _state(tenant) == before
    with tenant_scope(tenant):
        rule.refresh_from_db()
    assert rule.regions == ["NA"]  # the saved rule is unchanged


def test_invalid_data_in_a_dry_run_shows_the_form_errors_with_a_400(tenant, landscape, make_lead, as_manager):
    make_lead(country="DE")
    before = _state(tenant)

    response = as_manager.post(reverse("leads:rule_dry_run"), _rule_data(strategy="named", name=""),
                               HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    html = response.content.decode()
    assert "The rule cannot be tried yet" in html
    assert 'id="id_partner_errors"' in html and 'hx-swap-oob="true"' in html
    assert "Choose the partner that receives these leads." in html or "This field is required." in html
    assert _state(tenant) == before


def test_the_saved_rules_can_be_tried_from_the_list_page(tenant, landscape, make_rule, make_lead, as_manager):
    make_rule(name="Germany: named", countries=["DE"], strategy=LeadRule.Strategy.NAMED,
              partner=landscape["danube"])
    make_lead(company_name="Kraftwerk Logistik GmbH", country="DE")
    make_lead(company_name="Nowhere Ltd", country="US")
    before = _state(tenant)

    page = as_manager.get(reverse("leads:rules"))
    response = as_manager.get(reverse("leads:rule_dry_run"), {"sample": "open"}, HTTP_HX_REQUEST="true")
    full = as_manager.get(reverse("leads:rule_dry_run"), {"sample": "bogus"})

    assert reverse("leads:rule_dry_run") in page.content.decode()
    assert response.status_code == 200 and full.status_code == 200
    report = response.context["report"]
    assert {r.lead.company_name: r.decision.partner_name for r in report.rows} == {
        "Kraftwerk Logistik GmbH": "Danube DE", "Nowhere Ltd": ""}
    assert report.changed == 1  # the German lead is with nobody now
    assert "Unassigned: no routing rule matches this lead" in response.content.decode()
    assert _state(tenant) == before


# --- Who may do what ----------------------------------------------------------------------------


def test_partners_get_403_on_every_rule_page(tenant, members, make_rule, client_for):
    rule = make_rule(name="A")
    for role in ("partner_user", "partner_admin"):
        client = client_for(tenant, members[role])
        assert client.get(reverse("leads:rules")).status_code == 403
        assert client.get(reverse("leads:rule_create")).status_code == 403
        assert client.get(reverse("leads:rule_edit", args=[rule.pk])).status_code == 403
        assert client.post(reverse("leads:rule_move", args=[rule.pk]), {"direction": "up"}).status_code == 403
        assert client.post(reverse("leads:rule_delete", args=[rule.pk])).status_code == 403
        assert client.get(reverse("leads:rule_dry_run")).status_code == 403
    assert [n for n, _p in _rules(tenant)] == ["A"]


def test_executives_read_the_rules_but_cannot_change_them(tenant, members, landscape, make_rule, client_for):
    rule = make_rule(name="A", position=10)
    make_rule(name="B", position=20)
    client = client_for(tenant, members["executive"])

    page = client.get(reverse("leads:rules"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "A" in html and reverse("leads:rule_edit", args=[rule.pk]) not in html
    assert reverse("leads:rule_create") not in html
    assert client.get(reverse("leads:rule_dry_run")).status_code == 200  # reading the saved rules' result
    assert client.get(reverse("leads:rule_create")).status_code == 403
    assert client.post(reverse("leads:rule_create"), _rule_data()).status_code == 403
    assert client.post(reverse("leads:rule_edit", args=[rule.pk]), _rule_data(name="X")).status_code == 403
    assert client.post(reverse("leads:rule_move", args=[rule.pk]), {"direction": "down"}).status_code == 403
    assert client.post(reverse("leads:rule_delete", args=[rule.pk])).status_code == 403
    assert client.post(reverse("leads:rule_dry_run"), _rule_data()).status_code == 403
    assert [n for n, _p in _rules(tenant)] == ["A", "B"]


def test_tenant_admins_manage_rules_too(tenant, members, client_for):
    client = client_for(tenant, members["tenant_admin"])

    response = client.post(reverse("leads:rule_create"), _rule_data(name="Admin's rule"))

    assert response.status_code == 302
    assert [n for n, _p in _rules(tenant)] == ["Admin's rule"]


def test_a_manager_confined_to_a_book_is_told_the_rules_cover_the_whole_program(tenant, manager, make_rule,
                                                                                 as_manager):
    rule = make_rule(name="A")
    set_settings(tenant, PartnerSettings, restrict_managers_to_book=True)

    assert as_manager.get(reverse("leads:rules")).status_code == 403
    assert as_manager.get(reverse("leads:rule_edit", args=[rule.pk])).status_code == 403
    assert as_manager.get(reverse("leads:rule_dry_run")).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(tenant, client_for):
    response = client_for(tenant).get(reverse("leads:rules"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The services on their own ------------------------------------------------------------------


def test_conditions_read_as_words(tenant, tiers, product):
    with tenant_scope(tenant):
        rule = LeadRule(tenant=tenant, name="x", countries=["DE", "AT", "CH"], industries=["healthcare"],
                        sizes=["1-49"], product=product, min_tier=tiers[2], specialty="security",
                        match_territory=False)
        parts = rule_services.rule_conditions(rule)
    assert parts == ["Country is DE, AT or CH", "Industry is Healthcare", "Company size 1–49 employees",
                     "Product Security Suite", f"Tier {tiers[2].name} or higher", "Specialty security",
                     "Partners in any territory"]


def test_rule_save_refuses_a_rule_of_another_tenant(tenant, other_tenant, manager):
    from django.core.exceptions import ValidationError

    with tenant_scope(tenant), pytest.raises(ValidationError):
        rule_services.rule_save(tenant=tenant, rule=LeadRule(tenant=other_tenant, name="x"), actor=manager)
