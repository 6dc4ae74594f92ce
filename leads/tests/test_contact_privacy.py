"""Contact details are withheld from partners until their organisation accepts the lead: one rule
(Lead.shows_contact_to / contact_for) that the selectors, the export and the pages use."""

from __future__ import annotations

import pytest

from leads import services
from leads.models import LeadRule
from leads.selectors import LeadFilters, export_rows, lead_for, leads_visible_to, returned_assignments
from leads.tests.conftest import viewer
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db

CONTACT = {"contact_name": "Dana Prospect", "contact_email": None, "contact_phone": "+1 555 0100",
           "contact_title": "Head of IT"}


@pytest.fixture
def offered(tenant, make_partner, make_rule, make_lead, route, member_of):
    first, second = make_partner("Alder"), make_partner("Birch")
    make_rule(name="Round robin", strategy=LeadRule.Strategy.ROUND_ROBIN)
    lead = make_lead()
    route(lead)
    return lead, first, second, member_of(first), member_of(second)


def _contact_of(lead):
    return {**CONTACT, "contact_email": lead.contact_email}


def test_the_offered_partner_sees_no_contact_until_it_accepts(tenant, offered):
    lead, alder, _birch, alder_user, _birch_user = offered
    alder_viewer = viewer(tenant, alder_user)
    with tenant_scope(tenant):
        shown = lead_for(alder_viewer, lead.pk)
        assert not shown.shows_contact_to(alder_viewer)
        assert shown.contact_for(alder_viewer) == dict.fromkeys(CONTACT, "")
        services.lead_accept(tenant=tenant, lead=lead, partner=alder, user=alder_user)
        shown = lead_for(alder_viewer, lead.pk)
        assert shown.contact_for(alder_viewer) == _contact_of(lead)


def test_staff_always_see_the_contact(tenant, offered, make_member):
    lead = offered[0]
    staff = viewer(tenant, make_member(tenant, "channel_manager"))
    with tenant_scope(tenant):
        assert lead_for(staff, lead.pk).contact_for(staff) == _contact_of(lead)


def test_the_export_leaves_contact_columns_empty_until_acceptance(tenant, offered):
    lead, alder, _birch, alder_user, _birch_user = offered
    alder_viewer = viewer(tenant, alder_user)
    with tenant_scope(tenant):
        header, rows = export_rows(alder_viewer, LeadFilters())
        before = list(rows)
        services.lead_accept(tenant=tenant, lead=lead, partner=alder, user=alder_user)
        _header, rows = export_rows(alder_viewer, LeadFilters())
        after = list(rows)
    email = header.index("Contact email")
    assert "Partner" not in header  # partners never get other partners' names
    assert before[0][email] == "" and before[0][1] == lead.company_name
    assert after[0][email] == lead.contact_email


def test_a_partner_that_declined_never_sees_the_contact_or_the_new_partner(tenant, offered):
    lead, alder, _birch, alder_user, _birch_user = offered
    alder_viewer = viewer(tenant, alder_user)
    with tenant_scope(tenant):
        services.lead_decline(tenant=tenant, lead=lead, partner=alder, user=alder_user, reason="Not our market")
        assert not leads_visible_to(alder_viewer).exists()
        returned = list(returned_assignments(alder_viewer))
        assert [r.lead.company_name for r in returned] == [lead.company_name]
        assert returned[0].lead.contact_for(alder_viewer) == dict.fromkeys(CONTACT, "")


def test_other_partners_cannot_see_the_lead_at_all(tenant, offered):
    from django.http import Http404

    lead, *_rest, birch_user = offered
    birch = viewer(tenant, birch_user)
    with tenant_scope(tenant):
        assert not leads_visible_to(birch).exists()
        with pytest.raises(Http404):
            lead_for(birch, lead.pk)
