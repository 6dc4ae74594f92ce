"""How leads plugs into the rest: the back office, the Settings page section, the Jobs page, the
metrics registry for tier requirements and incentives, and the tenancy rules of its tables."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.models import Lead, LeadAssignment, LeadRule, LeadSettings
from partners import metrics
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def test_the_back_office_lists_leads_rules_and_capacities_for_managers(tenant, members, client_for, make_partner,
                                                                       make_rule, make_lead, route):
    make_partner("Alder", capacity=4)
    rule = make_rule(name="All", strategy=LeadRule.Strategy.ROUND_ROBIN)
    lead = make_lead()
    route(lead)
    client = client_for(tenant, members["channel_manager"])
    for url in ("/admin/leads/lead/", "/admin/leads/leadrule/", "/admin/leads/partnerleadprofile/",
                f"/admin/leads/lead/{lead.pk}/change/", f"/admin/leads/leadrule/{rule.pk}/change/"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    assert "takes turns" in page  # the routing explanation
    assert client_for(tenant, members["partner_admin"]).get("/admin/leads/lead/").status_code in (302, 403)


def test_a_rule_with_bad_conditions_is_refused_by_its_own_checks(tenant, make_partner):
    from django.core.exceptions import ValidationError

    rule = LeadRule(tenant=tenant, name="Bad", countries=["de", "XX"], regions=["MARS"], strategy="named")
    with tenant_scope(tenant), pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert set(exc.value.message_dict) >= {"countries", "regions", "partner"}
    assert rule.countries == ["DE", "XX"]


def test_the_settings_page_has_a_leads_section(tenant, members, client_for):
    page = client_for(tenant, members["tenant_admin"]).get("/staff/settings/").content.decode()
    assert "lead_accept_hours" in page and "lead_fairness_floor" in page
    settings = LeadSettings.for_tenant(tenant)
    assert (settings.lead_accept_hours, settings.lead_business_hours, settings.lead_window_days) == (48, True, 30)


def test_the_sweep_is_a_job_tenant_admins_can_run(tenant):
    from prm.tenancy.jobs import job

    assert job("leads.sweep") is not None


def test_lead_metrics_answer_for_many_partners_at_once(tenant, make_partner, django_assert_max_num_queries):
    from leads.metrics import LEAD_ACCEPT_RATE_90D, LEADS_WON_12M
    from tests.factories.leads import LeadFactory

    good, slow, idle = make_partner("Good"), make_partner("Slow"), make_partner("Idle")
    now = timezone.now()
    with tenant_scope(tenant):
        for partner, outcomes in ((good, ["accepted"] * 9 + ["declined"]), (slow, ["accepted", "expired", "expired"])):
            for i, outcome in enumerate(outcomes):
                lead = LeadFactory(tenant=tenant, partner=partner if outcome == "accepted" else None,
                                   status="converted" if outcome == "accepted" else "unassigned",
                                   deal_outcome="won" if outcome == "accepted" and i < 2 else "",
                                   won_at=now if outcome == "accepted" and i < 2 else None)
                LeadAssignment.objects.create(tenant=tenant, lead=lead, seq=1, partner=partner, reason="round_robin",
                                              created_at=now - timedelta(days=3), accept_by=now - timedelta(days=1),
                                              outcome=outcome, decided_at=now - timedelta(days=2))
        with django_assert_max_num_queries(6):
            values = metrics.partner_metrics(tenant, [good.pk, slow.pk, idle.pk], timezone.localdate())
    assert values[LEAD_ACCEPT_RATE_90D] == {good.pk: Decimal("90.0"), slow.pk: Decimal("33.3")}
    assert values[LEADS_WON_12M] == {good.pk: 2, slow.pk: 1, idle.pk: 0}


def test_lead_tables_follow_the_tenancy_rules():
    """tests/security/test_schema.py's checks, applied to this app's models."""
    from django.apps import apps

    from tests.security.test_schema import test_tenant_owned_model_follows_the_rules as follows_the_rules

    models = list(apps.get_app_config("leads").get_models())
    assert {m.__name__ for m in models} >= {"Lead", "LeadAssignment", "LeadRule", "PartnerLeadProfile", "LeadShare",
                                            "LeadSettings"}
    for model in models:
        follows_the_rules(model)
    # Row errors of an import are an append-only log (sequential keys, never in a URL).
    assert all(m._meta.pk.get_internal_type() == "UUIDField" for m in models if m.__name__ != "LeadImportError")
    assert Lead._meta.get_field("partner").null  # unassigned leads have no partner
