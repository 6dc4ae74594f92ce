"""The partner's lead inbox and the actions on a lead: accept, decline, status, assign, capacity,
convert. Every action works with htmx (the row is replaced in place) and without (POST, redirect);
staff get 403, other partners' leads 404, and the inbox keeps a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import DealRegistration
from leads import services
from leads.models import Lead, LeadAssignment, LeadRule, PartnerLeadProfile
from leads.widgets import partner_home, staff_home
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(tenant, make_partner, make_rule, make_lead, route, member_of, make_member, product):
    """Alder (ours) gets every lead except German ones, which go to Birch (a named rule each)."""
    alder, birch = make_partner("Alder", country="US"), make_partner("Birch", country="DE", regions=("EMEA",))
    make_rule(name="Germany: Birch", strategy=LeadRule.Strategy.NAMED, partner=birch, countries=["DE"], position=1,
              match_territory=False)
    make_rule(name="Everything: Alder", strategy=LeadRule.Strategy.NAMED, partner=alder, position=2,
              match_territory=False)
    return {
        "alder": alder, "birch": birch, "user": member_of(alder), "admin": member_of(alder, "partner_admin"),
        "birch_user": member_of(birch), "manager": make_member(tenant, "channel_manager"),
        "make": lambda **kw: _routed(make_lead, route, product, **kw),
    }


def _routed(make_lead, route, product, **fields):
    fields.setdefault("product", product)
    fields.setdefault("value_estimate", Decimal("42000"))
    lead = make_lead(**fields)
    route(lead)
    return lead


def _accept(tenant, lead, partner, user):
    with tenant_scope(tenant):
        services.lead_accept(tenant=tenant, lead=lead, partner=partner, user=user)
        lead.refresh_from_db()
    return lead


def _body(response) -> str:
    return response.content.decode()


# --- The page -------------------------------------------------------------------------------------


def test_the_inbox_lists_new_offers_with_deadline_value_and_actions_but_no_contact(tenant, world, client_for):
    lead = world["make"](company_name="Gringotts Bank", contact_name="Griphook Goblin")
    response = client_for(tenant, world["user"]).get(reverse("leads:list"))
    body = _body(response)
    assert response.status_code == 200
    assert "Gringotts Bank" in body and "United States" in body and "Security Suite" in body
    assert "42,000.00 USD" in body
    assert reverse("leads:accept", args=[lead.pk]) in body and reverse("leads:decline", args=[lead.pk]) in body
    assert lead.accept_by.isoformat()[:16] in body or timezone.localtime(lead.accept_by).isoformat()[:16] in body
    assert "Griphook" not in body and lead.contact_email not in body
    assert 'aria-live="polite"' in body and 'class="cards"' in body


def test_each_tab_lists_the_leads_in_that_state(tenant, world, client_for):
    alder, user = world["alder"], world["user"]
    new = world["make"](company_name="Newco One")
    accepted = _accept(tenant, world["make"](company_name="Acceptedco Two"), alder, user)
    working = _accept(tenant, world["make"](company_name="Workingco Three"), alder, user)
    lost = _accept(tenant, world["make"](company_name="Lostco Four"), alder, user)
    declined = world["make"](company_name="Declinedco Five")
    with tenant_scope(tenant):
        services.lead_status_update(tenant=tenant, lead=working, partner=alder, user=user, status="working")
        services.lead_status_update(tenant=tenant, lead=lost, partner=alder, user=user, status="lost",
                                    reason="No budget")
        services.lead_decline(tenant=tenant, lead=declined, partner=alder, user=user, reason="Not our market")
    client = client_for(tenant, user)
    expected = {"new": new, "accepted": accepted, "working": working, "lost": lost}
    for tab, lead in expected.items():
        body = _body(client.get(reverse("leads:list"), {"status": tab}))
        assert lead.company_name in body, tab
        assert all(other.company_name not in body for other in expected.values() if other is not lead), tab
    returned = _body(client.get(reverse("leads:list"), {"status": "returned"}))
    assert "Declinedco Five" in returned and "Not our market" in returned and "Newco One" not in returned


def test_the_filters_narrow_the_list_and_htmx_gets_only_the_table(tenant, world, client_for):
    alder, user = world["alder"], world["user"]
    world["make"](company_name="Canada Maple", country="CA")
    mine = _accept(tenant, world["make"](company_name="Mine Inc"), alder, user)
    _accept(tenant, world["make"](company_name="Colleague Inc"), alder, world["admin"])
    client = client_for(tenant, user)
    body = _body(client.get(reverse("leads:list"), {"country": "CA"}))
    assert "Canada Maple" in body
    body = _body(client.get(reverse("leads:list"), {"q": "maple"}))
    assert "Canada Maple" in body
    body = _body(client.get(reverse("leads:list"), {"status": "accepted", "mine": "1"}))
    assert mine.company_name in body and "Colleague Inc" not in body
    partial = client.get(reverse("leads:list"), {"status": "new", "q": "nothing-like-this"}, **HX)
    text = _body(partial)
    assert "<html" not in text and 'id="inbox-table"' in text and "No leads match these filters." in text


def test_the_empty_new_tab_says_what_happens_next(tenant, world, client_for):
    body = _body(client_for(tenant, world["user"]).get(reverse("leads:list")))
    assert "Leads from Acme Cloud appear here; you'll have 48 hours to accept each one" in body


def test_the_share_and_capacity_panel(tenant, world, client_for):
    world["make"]()
    user_page = _body(client_for(tenant, world["user"]).get(reverse("leads:list")))
    assert "Your share of leads" in user_page and "received 1 leads" in user_page
    assert "Your organisation holds 1 open leads of the 10 it takes at once." in user_page
    assert reverse("leads:capacity") not in user_page  # read-only for partner users
    admin_page = _body(client_for(tenant, world["admin"]).get(reverse("leads:list")))
    assert reverse("leads:capacity") in admin_page and 'name="max_open_leads"' in admin_page


def test_a_partner_admin_sets_the_capacity_and_a_user_cannot(tenant, world, client_for):
    admin = client_for(tenant, world["admin"])
    response = admin.post(reverse("leads:capacity"), {"max_open_leads": "3"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert PartnerLeadProfile.objects.get(partner=world["alder"]).max_open_leads == 3
    partial = admin.post(reverse("leads:capacity"), {"max_open_leads": "0"}, **HX)
    assert partial.status_code == 200 and "New leads are paused" in _body(partial)
    bad = admin.post(reverse("leads:capacity"), {"max_open_leads": "-4"}, **HX)
    assert bad.status_code == 400 and "errorlist" in _body(bad)
    assert client_for(tenant, world["user"]).post(reverse("leads:capacity"), {"max_open_leads": "9"}).status_code == 403
    with tenant_scope(tenant):
        assert PartnerLeadProfile.objects.get(partner=world["alder"]).max_open_leads == 0


def test_the_inbox_needs_the_same_queries_for_one_lead_as_for_many(tenant, world, client_for):
    client = client_for(tenant, world["user"])
    alder, user = world["alder"], world["user"]
    _accept(tenant, world["make"](), alder, user)
    world["make"]()
    client.get(reverse("leads:list"))  # warm the per-process caches (content types, settings rows)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("leads:list")).status_code == 200
    with tenant_scope(tenant):
        PartnerLeadProfile.objects.update_or_create(tenant=tenant, partner=alder, defaults={"max_open_leads": 100})
    for _ in range(6):
        world["make"]()
    for _ in range(3):
        _accept(tenant, world["make"](), alder, user)
    with tenant_scope(tenant):
        assert Lead.objects.filter(partner=alder, status="assigned").count() == 7
    from pytest_django.asserts import assertNumQueries

    with assertNumQueries(len(one)):
        client.get(reverse("leads:list"))
    with assertNumQueries(len(one)):
        client.get(reverse("leads:list"), {"status": "accepted"})


# --- Accept ---------------------------------------------------------------------------------------


def test_accepting_with_htmx_replaces_the_row_and_reveals_the_lead(tenant, world, client_for):
    lead = world["make"](company_name="Gringotts Bank")
    response = client_for(tenant, world["user"]).post(reverse("leads:accept", args=[lead.pk]),
                                                      {"from": "inbox", "tab": "new"}, **HX)
    body = _body(response)
    assert response.status_code == 200
    assert body.startswith(f'<tr id="lead-{lead.pk}">') and "<html" not in body
    assert "Accepted: Gringotts Bank is yours" in body and 'hx-swap-oob="true"' in body
    assert reverse("leads:convert", args=[lead.pk]) in body
    with tenant_scope(tenant):
        lead.refresh_from_db()
    assert lead.status == "accepted" and lead.partner_user == world["user"]


def test_accepting_without_javascript_redirects_to_the_lead_page(tenant, world, client_for):
    lead = world["make"]()
    client = client_for(tenant, world["user"])
    response = client.post(reverse("leads:accept", args=[lead.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("leads:detail", args=[lead.pk])
    page = _body(client.get(response["Location"]))
    assert lead.contact_email in page and "is yours" in page


def test_an_accept_after_the_window_closed_is_refused_with_a_clear_message(tenant, world, client_for):
    lead = world["make"]()
    with tenant_scope(tenant):
        Lead.objects.filter(pk=lead.pk).update(accept_by=timezone.now() - timedelta(minutes=5))
    client = client_for(tenant, world["user"])
    response = client.post(reverse("leads:accept", args=[lead.pk]), {"from": "inbox"}, **HX)
    assert response.status_code == 400 and "The time to accept this lead ended at" in _body(response)
    response = client.post(reverse("leads:accept", args=[lead.pk]), follow=True)
    assert "The time to accept this lead ended at" in _body(response)
    with tenant_scope(tenant):
        lead.refresh_from_db()
    assert lead.status == "assigned" and lead.accepted_at is None


def test_an_accept_of_a_lead_moved_to_another_partner_says_so(tenant, world, client_for):
    lead = world["make"](company_name="Moved Away")
    with tenant_scope(tenant):
        services.lead_reassign(tenant=tenant, lead=lead, actor=world["manager"], partner=world["birch"],
                               reason="Birch knows them")
    client = client_for(tenant, world["user"])
    response = client.post(reverse("leads:accept", args=[lead.pk]), {"from": "inbox"}, **HX)
    body = _body(response)
    assert response.status_code == 400 and "no longer offered to your organisation" in body
    assert "Birch" not in body
    response = client.post(reverse("leads:accept", args=[lead.pk]), {"from": "inbox"}, follow=True)
    assert "no longer offered to your organisation" in _body(response)


def test_an_accept_of_a_lead_already_accepted_by_a_colleague_says_so(tenant, world, client_for):
    lead = _accept(tenant, world["make"](), world["alder"], world["admin"])
    response = client_for(tenant, world["user"]).post(reverse("leads:accept", args=[lead.pk]), follow=True)
    assert "Your organisation already accepted this lead." in _body(response)


# --- Decline --------------------------------------------------------------------------------------


def test_declining_needs_a_reason(tenant, world, client_for):
    lead = world["make"]()
    client = client_for(tenant, world["user"])
    response = client.post(reverse("leads:decline", args=[lead.pk]), {"from": "inbox", "reason": " "}, **HX)
    body = _body(response)
    assert response.status_code == 400 and "Say why you decline the lead" in body
    assert f'id="decline-{lead.pk}"' in body and " open" in body  # the form stays open with its error
    page = client.post(reverse("leads:decline", args=[lead.pk]), {"reason": ""})
    assert page.status_code == 400 and "Say why you decline the lead" in _body(page)
    with tenant_scope(tenant):
        lead.refresh_from_db()
    assert lead.status == "assigned" and lead.partner == world["alder"]


def test_declining_with_a_reason_removes_the_row_and_routes_the_lead_on(tenant, world, client_for):
    lead = world["make"](company_name="Not For Us")
    client = client_for(tenant, world["user"])
    response = client.post(reverse("leads:decline", args=[lead.pk]), {"from": "inbox", "reason": "Too far away"}, **HX)
    body = _body(response)
    assert response.status_code == 200 and "Declined: Not For Us goes to another partner" in body
    with tenant_scope(tenant):
        offer = LeadAssignment.objects.get(lead=lead, partner=world["alder"])
    assert offer.outcome == "declined" and offer.decline_reason == "Too far away"
    returned = _body(client.get(reverse("leads:list"), {"status": "returned"}))
    assert "Not For Us" in returned and "Too far away" in returned


def test_declining_without_javascript_redirects_to_the_inbox(tenant, world, client_for):
    lead = world["make"]()
    response = client_for(tenant, world["user"]).post(reverse("leads:decline", args=[lead.pk]),
                                                      {"from": "inbox", "tab": "new", "reason": "No capacity"})
    assert response.status_code == 302 and response["Location"] == reverse("leads:list") + "?status=new"


# --- Status, assignment ---------------------------------------------------------------------------


def test_status_goes_to_working_and_lost_needs_a_reason(tenant, world, client_for):
    lead = _accept(tenant, world["make"](), world["alder"], world["user"])
    client = client_for(tenant, world["user"])
    response = client.post(reverse("leads:status", args=[lead.pk]), {"status": "working", "from": "inbox"}, **HX)
    assert response.status_code == 200 and "is marked as working" in _body(response)
    refused = client.post(reverse("leads:status", args=[lead.pk]), {"status": "lost", "reason": ""})
    assert refused.status_code == 400 and "Say why the lead was lost" in _body(refused)
    response = client.post(reverse("leads:status", args=[lead.pk]), {"status": "lost", "reason": "Chose a rival"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        lead.refresh_from_db()
    assert lead.status == "lost" and lead.lost_reason == "Chose a rival"


def test_a_new_offer_cannot_be_marked_working(tenant, world, client_for):
    lead = world["make"]()
    response = client_for(tenant, world["user"]).post(reverse("leads:status", args=[lead.pk]),
                                                      {"status": "working"}, follow=True)
    assert "no longer your organisation" in _body(response) or "cannot be marked" in _body(response)
    with tenant_scope(tenant):
        lead.refresh_from_db()
    assert lead.status == "assigned"


def test_a_partner_admin_assigns_the_lead_to_a_colleague(tenant, world, client_for, member_of):
    lead = _accept(tenant, world["make"](), world["alder"], world["admin"])
    colleague = world["user"]
    response = client_for(tenant, world["admin"]).post(reverse("leads:assign_member", args=[lead.pk]),
                                                       {"assignee": colleague.pk})
    assert response.status_code == 302
    with tenant_scope(tenant):
        lead.refresh_from_db()
    assert lead.partner_user == colleague
    outsider = world["birch_user"]
    bad = client_for(tenant, world["admin"]).post(reverse("leads:assign_member", args=[lead.pk]),
                                                  {"assignee": outsider.pk})
    assert bad.status_code == 400
    assert client_for(tenant, colleague).post(reverse("leads:assign_member", args=[lead.pk]),
                                              {"assignee": colleague.pk}).status_code == 403


# --- Convert --------------------------------------------------------------------------------------


def test_convert_shows_the_check_and_creates_the_deal(tenant, world, client_for, product):
    lead = _accept(tenant, world["make"](company_name="Gringotts Bank", website="https://gringotts-bank.com"),
                   world["alder"], world["user"])
    client = client_for(tenant, world["user"])
    page = client.get(reverse("leads:convert", args=[lead.pk]))
    body = _body(page)
    assert page.status_code == 200 and 'data-testid="conversion-clear"' in body
    assert 'name="expected_close_date"' in body and 'name="amount"' in body and 'value="42000.00"' in body
    close = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(reverse("leads:convert", args=[lead.pk]),
                           {"amount": "50000", "expected_close_date": close, "products": [product.pk]})
    with tenant_scope(tenant):
        deal = DealRegistration.objects.get()
        lead.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("deals:detail", args=[deal.pk])
    assert lead.status == "converted" and lead.deal == deal and deal.amount == Decimal("50000")
    again = client.get(reverse("leads:convert", args=[lead.pk]))
    assert again.status_code == 302 and again["Location"] == reverse("deals:detail", args=[deal.pk])


def test_a_conversion_conflict_is_shown_on_the_form_not_a_500(tenant, world, client_for, make_partner):
    lead = _accept(tenant, world["make"](company_name="Gringotts Bank", website="https://gringotts-bank.com"),
                   world["alder"], world["user"])
    DealFactory(tenant=tenant, partner=make_partner("Rival Co"), customer_name="Gringotts",
                website="https://gringotts-bank.com", status="approved")
    client = client_for(tenant, world["user"])
    assert 'data-testid="conversion-conflict"' in _body(client.get(reverse("leads:convert", args=[lead.pk])))
    close = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(reverse("leads:convert", args=[lead.pk]), {"expected_close_date": close})
    body = _body(response)
    assert response.status_code == 409 and "already has an active deal registration" in body
    assert "Rival Co" not in body
    missing = client.post(reverse("leads:convert", args=[lead.pk]), {"expected_close_date": ""})
    assert missing.status_code == 400 and "Enter the expected close date." in _body(missing)
    with tenant_scope(tenant):
        lead.refresh_from_db()
    assert lead.status == "accepted"


def test_an_offer_not_yet_accepted_cannot_be_converted(tenant, world, client_for):
    lead = world["make"]()
    response = client_for(tenant, world["user"]).get(reverse("leads:convert", args=[lead.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("leads:detail", args=[lead.pk])


# --- Access ---------------------------------------------------------------------------------------


ACTIONS = ["leads:accept", "leads:decline", "leads:status", "leads:assign_member", "leads:convert"]


def test_staff_get_403_on_every_partner_action(tenant, world, client_for, members):
    lead = world["make"]()
    for role in ("channel_manager", "executive", "tenant_admin"):
        client = client_for(tenant, members[role])
        for name in ACTIONS:
            assert client.post(reverse(name, args=[lead.pk]), {"reason": "x"}).status_code == 403, (role, name)
        assert client.post(reverse("leads:capacity"), {"max_open_leads": "1"}).status_code == 403


def test_another_partners_lead_is_not_found(tenant, world, client_for):
    theirs = world["make"](country="DE", company_name="German Lead")
    assert theirs.partner == world["birch"]
    client = client_for(tenant, world["user"])
    for name in ACTIONS:
        assert client.post(reverse(name, args=[theirs.pk]), {"reason": "x"}).status_code in (403, 404), name
    assert client.post(reverse("leads:accept", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("leads:convert", args=[theirs.pk])).status_code == 404
    assert "German Lead" not in _body(client.get(reverse("leads:list")))


def test_actions_refuse_the_wrong_method(tenant, world, client_for):
    lead = world["make"]()
    client = client_for(tenant, world["admin"])
    for name in ("leads:accept", "leads:decline", "leads:status", "leads:assign_member"):
        assert client.get(reverse(name, args=[lead.pk])).status_code == 405, name
    assert client.get(reverse("leads:capacity")).status_code == 405


# --- Home widgets ---------------------------------------------------------------------------------


def _request(tenant, user, rf):
    from django.contrib.auth.models import AnonymousUser  # noqa: F401 (the request only needs a viewer)

    from leads.tests.conftest import viewer

    request = rf.get("/")
    request.viewer = viewer(tenant, user)
    request.membership = request.viewer.membership
    request.user = user
    return request


def test_the_partner_widget_lists_offers_awaiting_acceptance(tenant, world, rf, client_for):
    with tenant_scope(tenant):
        assert partner_home(_request(tenant, world["user"], rf)) is None  # never offered anything
    lead = world["make"](company_name="Widget Lead")
    with tenant_scope(tenant):
        w = partner_home(_request(tenant, world["user"], rf))
    assert w["awaiting"] == 1 and w["leads"] == [lead]
    home = _body(client_for(tenant, world["user"]).get(reverse("portal_home")))
    assert "Widget Lead" in home and "awaiting your acceptance" in home


def test_the_staff_widget_counts_unassigned_escalated_and_overdue_leads(tenant, world, rf, make_lead, client_for):
    with tenant_scope(tenant):
        assert staff_home(_request(tenant, world["manager"], rf)) is None  # no leads yet
    make_lead(escalated_at=timezone.now())
    make_lead()
    late = world["make"]()
    with tenant_scope(tenant):
        Lead.objects.filter(pk=late.pk).update(accept_by=timezone.now() - timedelta(hours=1))
        w = staff_home(_request(tenant, world["manager"], rf))
    assert (w["unassigned"], w["escalated"], w["overdue"]) == (2, 1, 1)
    home = _body(client_for(tenant, world["manager"]).get(reverse("portal_home")))
    assert reverse("leads:list") + "?status=escalated" in home and "past the accept deadline" in home
