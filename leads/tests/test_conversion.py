"""Conversion: through the deals services, one approved and protected registration linked to the
lead, attributed as vendor-sourced; the deals conflict check runs first and refuses a conflict."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from deals.models import DealHistory, DealRegistration
from leads import services
from leads.models import Lead, LeadRule
from leads.selectors import conversion_check
from leads.tests.conftest import viewer
from prm.events.models import EngagementEvent
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory, HouseAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(tenant, make_partner, make_rule, make_lead, route, member_of, product):
    partner = make_partner("Alder")
    make_rule(name="All", strategy=LeadRule.Strategy.ROUND_ROBIN)
    lead = make_lead(company_name="Gringotts Bank", website="https://gringotts-bank.com",
                     contact_email="griphook@gringotts-bank.com", product=product, value_estimate=Decimal("42000"))
    route(lead)
    user = member_of(partner)
    with tenant_scope(tenant):
        services.lead_accept(tenant=tenant, lead=lead, partner=partner, user=user)
        lead.refresh_from_db()
    return lead, partner, user


def _convert(tenant, lead, partner, user, **kwargs):
    kwargs.setdefault("expected_close_date", timezone.localdate() + timedelta(days=60))
    with tenant_scope(tenant):
        return services.lead_convert(tenant=tenant, lead=lead, partner=partner, user=user, **kwargs)


def test_conversion_creates_exactly_one_protected_deal_linked_to_the_lead(tenant, accepted):
    lead, partner, user = accepted
    deal = _convert(tenant, lead, partner, user)
    with tenant_scope(tenant):
        lead.refresh_from_db()
        assert DealRegistration.objects.count() == 1
        event = EngagementEvent.objects.get(kind="lead_converted")
        history = list(DealHistory.objects.filter(deal=deal).values_list("action", flat=True))
    assert deal.status == "approved" and deal.is_protected and deal.partner == partner
    assert (deal.customer_name, deal.customer_domain, deal.amount) == ("Gringotts Bank", "gringotts-bank.com",
                                                                       Decimal("42000.00"))
    assert lead.status == "converted" and lead.deal_id == deal.pk
    assert deal.origin == DealRegistration.Origin.VENDOR_LEAD
    with tenant_scope(tenant):
        assert list(DealRegistration.objects.filter(origin="partner")) == []
    assert event.data["attribution"] == "vendor_sourced_lead" and event.data["deal_id"] == str(deal.pk)
    assert history[:2] == ["registered", "approved"]
    with pytest.raises(ValidationError) as exc:
        _convert(tenant, lead, partner, user)
    assert exc.value.messages == ["This lead was already converted to a deal registration."]
    with tenant_scope(tenant):
        assert DealRegistration.objects.count() == 1


def test_a_conversion_that_conflicts_with_an_active_registration_is_refused_and_shown(tenant, accepted, make_partner,
                                                                                     make_member):
    lead, partner, user = accepted
    rival = make_partner("Rival Co")
    DealFactory(tenant=tenant, partner=rival, customer_name="Gringotts", website="https://gringotts-bank.com",
                status="approved")
    with tenant_scope(tenant):
        staff_view = conversion_check(viewer(tenant, make_member(tenant, "channel_manager")), lead)
        partner_view = conversion_check(viewer(tenant, user), lead)
    assert staff_view["conflict"] and staff_view["matches"][0].partner_name == "Rival Co"
    assert partner_view == {"conflict": True, "matches": []}
    with pytest.raises(services.ConversionConflict) as exc:
        _convert(tenant, lead, partner, user)
    assert "already has an active deal registration or is a house account" in exc.value.messages[0]
    assert exc.value.matches[0].domain_match
    with tenant_scope(tenant):
        lead.refresh_from_db()
        assert lead.status == "accepted" and DealRegistration.objects.filter(partner=partner).count() == 0


def test_a_house_account_blocks_the_conversion_too(tenant, accepted):
    lead, partner, user = accepted
    HouseAccountFactory(tenant=tenant, name="Gringotts Bank Ltd", domain="gringotts-bank.com")
    with pytest.raises(services.ConversionConflict):
        _convert(tenant, lead, partner, user)


def test_the_deals_rules_apply_to_the_converted_registration(tenant, accepted):
    lead, partner, user = accepted
    with pytest.raises(ValidationError) as exc:
        _convert(tenant, lead, partner, user, expected_close_date=None)
    assert "expected_close_date" in exc.value.message_dict
    with tenant_scope(tenant):
        assert DealRegistration.objects.count() == 0 and Lead.objects.get(pk=lead.pk).status == "accepted"


def test_only_the_accepting_organisation_converts(tenant, accepted, make_partner, member_of):
    lead, _partner, _user = accepted
    other = make_partner("Birch")
    with pytest.raises(ValidationError) as exc:
        _convert(tenant, lead, other, member_of(other))
    assert exc.value.messages == ["Only a lead your organisation has accepted can be converted."]


def test_a_referral_partner_converts_into_a_referral(tenant, make_partner, make_rule, make_lead, route, member_of):
    from tests.factories import PartnerTypeFactory

    PartnerTypeFactory(tenant=tenant, code="referral", transacts=False)  # make_partner finds this type
    partner = make_partner("Scout Referrals", kind="referral")
    make_rule(name="All")
    lead = make_lead(company_name="Ollivanders Wands", website="https://ollivanders-wands.com")
    route(lead)
    user = member_of(partner)
    with tenant_scope(tenant):
        services.lead_accept(tenant=tenant, lead=lead, partner=partner, user=user)
    deal = _convert(tenant, lead, partner, user, expected_close_date=None)
    assert deal.kind == "referral" and deal.status == "approved"


def test_the_won_deal_marks_its_lead_won_and_a_reverted_win_clears_it(tenant, accepted, make_member,
                                                                     django_capture_on_commit_callbacks):
    from deals.services import deal_mark_won, deal_revert_won

    lead, partner, user = accepted
    deal = _convert(tenant, lead, partner, user)
    with tenant_scope(tenant):
        # The deal events reach leads after commit, as in production.
        with django_capture_on_commit_callbacks(execute=True):
            deal_mark_won(tenant=tenant, deal=deal, user=user, amount=Decimal("45000"), closed_on=timezone.localdate())
        lead.refresh_from_db()
        assert (lead.deal_outcome, lead.won_at is not None) == ("won", True)
        with django_capture_on_commit_callbacks(execute=True):
            deal_revert_won(tenant=tenant, deal=deal, actor=make_member(tenant, "channel_manager"), reason="Cancelled")
        lead.refresh_from_db()
    assert (lead.deal_outcome, lead.won_at) == ("", None)
