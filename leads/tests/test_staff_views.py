"""The staff side of the lead pages: the list (filters, status counts, sorting, a constant number
of queries), the bulk bar (route, offer to a partner, reassign; every lead reported), adding a lead
(with the duplicate check), editing, reassigning one lead, the CSV export, and who may do what."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead, LeadAssignment, LeadRule
from leads.services import lead_accept, lead_decline
from prm.audit.models import AuditEntry
from prm.tenancy.scoping import tenant_scope
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def manager(members):
    return members["channel_manager"]


@pytest.fixture
def staff_client(tenant, manager, client_for):
    return client_for(tenant, manager)


@pytest.fixture
def landscape(partner, make_partner, make_rule):
    """Two US resellers under a round-robin catch-all rule (the members' own partner sits out)."""
    partner.status = "suspended"
    partner.save(update_fields=["status"])
    alder, birch = make_partner("Alder"), make_partner("Birch")
    rule = make_rule(name="Americas", strategy=LeadRule.Strategy.ROUND_ROBIN)
    return {"alder": alder, "birch": birch, "rule": rule}


def _fresh(tenant, lead) -> Lead:
    with tenant_scope(tenant):
        return Lead.objects.select_related("partner").get(pk=lead.pk)


def _texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _bulk(client, leads, action, **data):
    return client.post(reverse("leads:bulk"), {"action": action, "leads": [str(lead.pk) for lead in leads], **data})


# --- The list -------------------------------------------------------------------------------------


def test_the_staff_list_shows_each_lead_with_its_rule_partner_and_an_overdue_deadline(
        tenant, staff_client, landscape, make_lead, route, manager):
    offered = make_lead(company_name="Hooli", owner=manager, value_estimate="25000")
    route(offered)
    with tenant_scope(tenant):
        Lead.objects.filter(pk=offered.pk).update(accept_by=timezone.now() - timedelta(hours=1))
    make_lead(company_name="Initech", country="DE", escalated_at=timezone.now())
    response = staff_client.get(reverse("leads:list"))
    assert response.status_code == 200
    assert "leads/staff_list.html" in [t.name for t in response.templates]
    html = response.content.decode()
    row = html[html.index('id="lead-' + str(offered.pk)):]
    row = row[:row.index("</tr>")]
    for text in ("Hooli", 'title="United States of America">US<', "25,000.00 USD", "Awaiting acceptance", "Americas", "Overdue",
                 offered.partner.name, manager.get_full_name()):
        assert text in row, text
    counts = {c["value"]: c["count"] for c in response.context["chips"]}
    assert (counts[""], counts["open"], counts["assigned"], counts["overdue"], counts["escalated"],
            counts["unassigned"], counts["converted"]) == (2, 2, 1, 1, 1, 1, 0)
    for name in ("leads:rules", "leads:import_list", "leads:export", "leads:create"):
        assert reverse(name) in html
    assert 'id="bulk-form"' in html


@pytest.mark.parametrize(("query", "expected"), [
    ({"country": "DE"}, {"Initech"}),
    ({"status": "overdue"}, {"Hooli"}),
    ({"status": "escalated"}, {"Initech"}),
    ({"status": "unassigned"}, {"Initech", "Umbrella"}),
    ({"q": "hoo"}, {"Hooli"}),
    ({"source": "event"}, {"Umbrella"}),
    ({"industry": "retail"}, {"Umbrella"}),
    ({"region": "EMEA"}, {"Initech"}),
    ({"mine": "1"}, {"Umbrella"}),
])
def test_the_list_filters(tenant, staff_client, landscape, make_lead, route, manager, query, expected):
    hooli = make_lead(company_name="Hooli")
    route(hooli)
    with tenant_scope(tenant):
        Lead.objects.filter(pk=hooli.pk).update(accept_by=timezone.now() - timedelta(hours=1))
    make_lead(company_name="Initech", country="DE", region="EMEA", escalated_at=timezone.now())
    make_lead(company_name="Umbrella", source=Lead.Source.EVENT, industry="retail", owner=manager)
    response = staff_client.get(reverse("leads:list"), query)
    assert response.status_code == 200
    assert {lead.company_name for lead in response.context["page"].object_list} == expected


def test_the_list_filters_by_partner_and_current_rule(tenant, staff_client, landscape, make_lead, make_rule, route):
    first, second = make_lead(company_name="Hooli"), make_lead(company_name="Initech")
    route(first, second)
    by_partner = staff_client.get(reverse("leads:list"), {"partner": str(first.partner_id)})
    assert [lead.pk for lead in by_partner.context["page"].object_list] == [first.pk]
    by_rule = staff_client.get(reverse("leads:list"), {"rule": str(landscape["rule"].pk)})
    assert {lead.pk for lead in by_rule.context["page"].object_list} == {first.pk, second.pk}
    other = make_rule(name="Nobody's")
    assert not staff_client.get(reverse("leads:list"), {"rule": str(other.pk)}).context["page"].object_list


def test_the_list_sorts_by_accept_by_and_created(tenant, staff_client, landscape, make_lead, route):
    now = timezone.now()
    old, new = make_lead(company_name="Old", created_at=now - timedelta(days=2)), make_lead(company_name="New")
    route(old, new)
    with tenant_scope(tenant):
        Lead.objects.filter(pk=old.pk).update(accept_by=now + timedelta(hours=9))
        Lead.objects.filter(pk=new.pk).update(accept_by=now + timedelta(hours=1))
    names = lambda sort: [lead.company_name for lead in  # noqa: E731
                          staff_client.get(reverse("leads:list"), {"sort": sort}).context["page"].object_list]
    assert names("-created") == ["New", "Old"]
    assert names("created") == ["Old", "New"]
    assert names("accept_by") == ["New", "Old"]
    assert names("-accept_by") == ["Old", "New"]
    assert names("nonsense") == ["New", "Old"]


def test_htmx_filtering_answers_the_table_fragment_with_its_counts(staff_client, make_lead):
    make_lead(company_name="Hooli")
    response = staff_client.get(reverse("leads:list"), {"q": "hoo"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="lead-table"')
    assert "<html" not in html and "Hooli" in html
    assert 'id="lead-export"' in html and "q=hoo" in html  # the export link keeps the filters (out of band)


def test_an_empty_program_says_how_to_get_leads(staff_client):
    html = staff_client.get(reverse("leads:list")).content.decode()
    assert "No leads yet — add one, import a CSV, or connect the API" in html
    assert reverse("leads:create") in html and reverse("leads:import_list") in html


def test_a_filter_without_matches_offers_to_clear_it(staff_client, make_lead):
    make_lead(company_name="Hooli")
    html = staff_client.get(reverse("leads:list"), {"q": "zzz"}).content.decode()
    assert "No leads match these filters." in html and "No leads yet" not in html


def test_the_staff_list_keeps_a_constant_number_of_queries(tenant, staff_client, landscape, make_lead, route, manager,
                                                           django_assert_num_queries):
    product = ProductFactory(tenant=tenant)
    route(make_lead(product=product, owner=manager, value_estimate="1000"))
    staff_client.get(reverse("leads:list"))  # warm the per-process caches (name statistics, settings)
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(reverse("leads:list")).status_code == 200
    many = [make_lead(product=product, owner=manager, value_estimate="1000") for _ in range(30)]
    route(*many)
    make_lead(escalated_at=timezone.now())
    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(reverse("leads:list"))
    assert response.context["page"].paginator.count == 32


def test_a_partner_user_gets_the_inbox_not_the_staff_list(tenant, members, client_for, monkeypatch):
    from leads.views import inbox

    monkeypatch.setattr(inbox, "inbox_page", lambda request: HttpResponse("the partner inbox"))
    response = client_for(tenant, members["partner_user"]).get(reverse("leads:list"))
    assert response.content == b"the partner inbox"
    assert "leads/staff_list.html" not in [t.name for t in response.templates]


def test_the_list_refuses_other_methods(staff_client):
    assert staff_client.post(reverse("leads:list")).status_code == 405


# --- Who may do what ----------------------------------------------------------------------------


def test_an_executive_reads_the_list_but_cannot_change_leads(tenant, members, client_for, make_lead, landscape):
    lead = make_lead(company_name="Hooli")
    client = client_for(tenant, members["executive"])
    response = client.get(reverse("leads:list"))
    html = response.content.decode()
    assert response.status_code == 200 and "Hooli" in html
    assert 'id="bulk-form"' not in html and reverse("leads:create") not in html and 'name="leads"' not in html
    assert _bulk(client, [lead], "route").status_code == 403
    assert client.get(reverse("leads:create")).status_code == 403
    assert client.post(reverse("leads:create"), {"company_name": "Pied Piper"}).status_code == 403
    assert client.get(reverse("leads:edit", args=[lead.pk])).status_code == 403
    assert client.post(reverse("leads:reassign", args=[lead.pk]), {"reason": "x"}).status_code == 403
    assert _fresh(tenant, lead).status == Lead.Status.UNASSIGNED
    with tenant_scope(tenant):
        assert Lead.objects.count() == 1


def test_partners_cannot_use_the_staff_actions(tenant, members, client_for, make_lead):
    lead = make_lead()
    client = client_for(tenant, members["partner_admin"])
    assert _bulk(client, [lead], "route").status_code == 403
    assert client.get(reverse("leads:create")).status_code == 403
    assert client.get(reverse("leads:edit", args=[lead.pk])).status_code == 403
    assert client.get(reverse("leads:reassign", args=[lead.pk])).status_code == 403


def test_a_confined_manager_sees_and_moves_only_their_books_leads(tenant, make_member, client_for, make_partner,
                                                                   make_lead, landscape):
    from partners.models import PartnerSettings
    from tests.factories.core import set_settings

    set_settings(tenant, PartnerSettings, restrict_managers_to_book=True)
    confined = make_member(tenant, "channel_manager")
    mine = make_partner("Cedar", owner=confined)
    theirs = landscape["alder"]
    in_book, outside, free = make_lead(company_name="Mine"), make_lead(company_name="Theirs"), make_lead(company_name="Free")
    with tenant_scope(tenant):
        Lead.objects.filter(pk=in_book.pk).update(status="assigned", partner=mine, accept_by=timezone.now())
        Lead.objects.filter(pk=outside.pk).update(status="assigned", partner=theirs, accept_by=timezone.now())
    client = client_for(tenant, confined)
    response = client.get(reverse("leads:list"))
    assert {lead.company_name for lead in response.context["page"].object_list} == {"Mine", "Free"}
    html = response.content.decode()
    assert theirs.name not in html and str(theirs.pk) not in html and "Cedar" in html
    assert _bulk(client, [outside], "reassign", reason="Balance").status_code == 400
    assert _fresh(tenant, outside).partner_id == theirs.pk
    assert client.get(reverse("leads:edit", args=[outside.pk])).status_code == 404
    assert client.get(reverse("leads:reassign", args=[outside.pk])).status_code == 404
    assert _bulk(client, [free], "assign", partner=str(theirs.pk), reason="x").status_code == 400


# --- Bulk actions -------------------------------------------------------------------------------


def test_bulk_route_routes_the_unassigned_and_reports_the_others(tenant, staff_client, landscape, make_lead, route):
    first, second, offered = make_lead(company_name="Hooli"), make_lead(company_name="Initech"), make_lead(
        company_name="Umbrella")
    route(offered)
    response = _bulk(staff_client, [first, second, offered], "route")
    assert response.status_code == 302 and response.url == reverse("leads:list")
    first, second = _fresh(tenant, first), _fresh(tenant, second)
    assert first.status == second.status == Lead.Status.ASSIGNED
    assert {first.partner.name, second.partner.name} == {"Alder", "Birch"}
    texts = _texts(response)
    assert any(t.startswith("2 leads moved:") and "Hooli → " in t and "Initech → " in t for t in texts), texts
    assert any(t.startswith("Umbrella was not changed:") and "only unassigned leads are routed" in t for t in texts)


def test_bulk_route_says_why_nobody_could_take_a_lead(tenant, staff_client, make_lead):
    lead = make_lead(company_name="Hooli")  # no rule, no partner
    response = _bulk(staff_client, [lead], "route")
    assert response.status_code == 302
    assert _fresh(tenant, lead).status == Lead.Status.UNASSIGNED
    texts = _texts(response)
    assert len(texts) == 1 and texts[0].startswith("Hooli is unassigned and waits for its owner: ")


def test_bulk_assign_offers_to_the_partner_and_refuses_one_that_declined(tenant, staff_client, landscape, make_lead,
                                                                          route, member_of):
    alder, birch = landscape["alder"], landscape["birch"]
    moved, declined = make_lead(company_name="Hooli"), make_lead(company_name="Initech")
    route(moved)
    with tenant_scope(tenant):
        Lead.objects.filter(pk=declined.pk).update(status="assigned", partner=birch, accept_by=timezone.now()
                                                   + timedelta(days=1))
        LeadAssignment.objects.create(tenant=tenant, lead=declined, seq=1, partner=birch, reason="manual",
                                      accept_by=timezone.now() + timedelta(days=1))
        lead_decline(tenant=tenant, lead=_fresh(tenant, declined), partner=birch, user=member_of(birch),
                     reason="Not our segment")
    target = alder if _fresh(tenant, moved).partner_id == birch.pk else birch
    response = _bulk(staff_client, [moved, declined], "assign", partner=str(birch.pk), reason="Birch knows them")
    assert response.status_code == 302
    texts = _texts(response)
    if target == birch:
        assert _fresh(tenant, moved).partner_id == birch.pk
        assert any(t == "1 lead moved: Hooli → Birch." for t in texts), texts
    assert any(t.startswith("Initech was not changed:") and "declined this lead" in t for t in texts), texts
    assert _fresh(tenant, declined).partner_id != birch.pk


def test_bulk_assign_moves_every_lead_and_audits_each(tenant, staff_client, landscape, make_lead):
    leads = [make_lead(company_name=name) for name in ("Hooli", "Initech", "Umbrella")]
    response = _bulk(staff_client, leads, "assign", partner=str(landscape["alder"].pk), reason="Event follow-up")
    assert response.status_code == 302
    for lead in leads:
        fresh = _fresh(tenant, lead)
        assert (fresh.status, fresh.partner_id) == (Lead.Status.ASSIGNED, landscape["alder"].pk)
    assert "3 leads moved:" in _texts(response)[0]
    with tenant_scope(tenant):
        assert AuditEntry.objects.filter(action="lead.reassign").count() == 3
        offer = LeadAssignment.objects.get(lead=leads[0], outcome="pending")
    assert offer.strategy == "manual" and offer.reason_data["reason"] == "Event follow-up"


def test_bulk_reassign_moves_to_the_next_candidate_or_back_to_the_owner(tenant, staff_client, landscape, make_lead,
                                                                          route, make_partner, make_rule):
    lead = make_lead(company_name="Hooli")
    route(lead)
    first = _fresh(tenant, lead).partner_id
    response = _bulk(staff_client, [lead], "reassign", reason="No answer on the phone")
    assert response.status_code == 302
    again = _fresh(tenant, lead)
    assert again.status == Lead.Status.ASSIGNED and again.partner_id not in (None, first)
    assert _texts(response) == [f"1 lead moved: Hooli → {again.partner.name}."]
    # Both partners tried: nobody is left, the lead goes back to its owner (and the page says so).
    staff_client.get(reverse("leads:list"))  # shows (and so clears) the first report
    response = _bulk(staff_client, [lead], "reassign", reason="Still nothing")
    assert _fresh(tenant, lead).status == Lead.Status.UNASSIGNED
    texts = _texts(response)
    assert len(texts) == 1 and texts[0].startswith("Hooli is unassigned and waits for its owner: ")
    assert "already offered this lead" in texts[0]


def test_bulk_reassign_takes_back_an_accepted_lead_only_when_asked(tenant, staff_client, landscape, make_lead, route,
                                                                    member_of):
    lead = make_lead(company_name="Hooli")
    route(lead)
    holder = _fresh(tenant, lead).partner
    with tenant_scope(tenant):
        lead_accept(tenant=tenant, lead=_fresh(tenant, lead), partner=holder, user=member_of(holder))
    response = _bulk(staff_client, [lead], "reassign", reason="Stalled")
    assert _fresh(tenant, lead).status == Lead.Status.ACCEPTED
    assert "accepted this lead" in _texts(response)[0]
    response = _bulk(staff_client, [lead], "reassign", reason="Stalled", take_back="on")
    fresh = _fresh(tenant, lead)
    assert fresh.status == Lead.Status.ASSIGNED and fresh.partner_id != holder.pk


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "assign", "reason": "x"}, "Choose the partner to offer the selected leads to."),
    ({"action": "reassign"}, "Say why the leads move"),
    ({"action": "explode"}, "Select a valid choice"),
    ({"action": "route", "leads": []}, "Select at least one lead."),
    ({"action": "route", "leads": ["not-a-uuid"]}, "no longer exists or is not visible to you"),
])
def test_bad_bulk_input_is_refused_with_a_reason(tenant, staff_client, make_lead, landscape, data, message):
    lead = make_lead()
    payload = {"leads": [str(lead.pk)], **data}
    response = staff_client.post(reverse("leads:bulk"), payload)
    assert response.status_code == 400
    assert any(message in t for t in _texts(response)), _texts(response)
    assert _fresh(tenant, lead).status == Lead.Status.UNASSIGNED


def test_htmx_bulk_answers_the_table_with_the_outcome(tenant, staff_client, landscape, make_lead):
    lead = make_lead(company_name="Hooli")
    response = staff_client.post(reverse("leads:bulk"), {"action": "route", "leads": [str(lead.pk)],
                                                         "querystring": "q=hoo", "page": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="lead-table"')
    assert "1 lead moved: Hooli" in html
    assert response.context["filters"].q == "hoo"


def test_a_bulk_redirect_keeps_the_lists_filters(staff_client, make_lead, landscape):
    lead = make_lead(company_name="Hooli")
    response = staff_client.post(reverse("leads:bulk"), {"action": "route", "leads": [str(lead.pk)],
                                                         "querystring": "status=unassigned&sort=accept_by"})
    assert response.url == reverse("leads:list") + "?status=unassigned&sort=accept_by"


# --- Adding and editing -------------------------------------------------------------------------


def test_a_manager_adds_a_lead_that_is_routed_at_once(tenant, staff_client, landscape, manager, product):
    response = staff_client.get(reverse("leads:create"))
    assert response.status_code == 200 and response.context["form"]["currency"].value() == tenant.base_currency
    response = staff_client.post(reverse("leads:create"), {
        "company_name": "Pied Piper, Inc.", "website": "piedpiper.com", "country": "US", "industry": "technology",
        "product": str(product.pk), "contact_name": "Richard", "contact_email": "richard@piedpiper.com",
        "source": "event", "value_estimate": "12500.50", "currency": tenant.base_currency, "owner": str(manager.pk),
        "route": "on"})
    with tenant_scope(tenant):
        lead = Lead.objects.select_related("partner").get()
    assert response.status_code == 302 and response.url == reverse("leads:detail", args=[lead.pk])
    assert (lead.status, lead.domain, lead.product, lead.source, str(lead.value_estimate), lead.owner) == (
        Lead.Status.ASSIGNED, "piedpiper.com", product, "event", "12500.50", manager)
    assert _texts(response) == [f"Lead created and offered to {lead.partner.name}."]


def test_a_lead_kept_for_later_is_not_routed(tenant, staff_client, landscape):
    response = staff_client.post(reverse("leads:create"), {"company_name": "Hooli", "source": "other",
                                                          "currency": tenant.base_currency})
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert Lead.objects.get().status == Lead.Status.UNASSIGNED
        assert not LeadAssignment.objects.exists()


def test_bad_input_is_shown_on_its_fields_and_nothing_is_saved(tenant, staff_client):
    response = staff_client.post(reverse("leads:create"), {"company_name": "", "website": "gmail.com",
                                                          "source": "other", "currency": tenant.base_currency,
                                                          "value_estimate": "-5"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["company_name"] == ["Enter the prospect's company name."]
    assert "value_estimate" in form.errors
    response = staff_client.post(reverse("leads:create"), {"company_name": "Hooli", "website": "gmail.com",
                                                          "source": "other", "currency": tenant.base_currency})
    assert response.status_code == 400
    assert "email provider" in response.context["form"].errors["website"][0]
    with tenant_scope(tenant):
        assert not Lead.objects.exists()


def test_a_duplicate_is_shown_with_its_match_and_created_only_when_confirmed(tenant, staff_client, make_lead):
    existing = make_lead(company_name="Hooli", website="https://hooli.com")
    data = {"company_name": "Hooli Inc", "website": "www.hooli.com", "source": "other",
            "currency": tenant.base_currency}
    response = staff_client.post(reverse("leads:create"), data)
    assert response.status_code == 400
    assert "An open lead for this company already exists: Hooli" in response.context["form"].errors["company_name"][0]
    assert [d["id"] for d in response.context["duplicates"]] == [existing.pk]
    html = response.content.decode()
    assert reverse("leads:detail", args=[existing.pk]) in html and 'name="allow_duplicate"' in html
    with tenant_scope(tenant):
        assert Lead.objects.count() == 1
    response = staff_client.post(reverse("leads:create"), {**data, "allow_duplicate": "on"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert Lead.objects.count() == 2
        assert AuditEntry.objects.get(action="lead.create").changes["duplicates"] == [str(existing.pk)]


def test_inline_validation_reports_the_typed_fields_and_a_possible_duplicate(tenant, staff_client, make_lead):
    make_lead(company_name="Hooli", website="https://hooli.com")
    response = staff_client.post(reverse("leads:create"), {
        "_validate": "1", "company_name": "Hooli", "website": "hooli.com", "contact_email": "nope", "source": "other",
        "currency": tenant.base_currency}, HTTP_HX_TRIGGER_NAME="contact_email", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_contact_email_errors"' in html and "Enter a valid email address" in html
    assert 'id="duplicate-hint"' in html and "looks like the same company" in html
    # Untouched fields get empty slots (no error while the manager has not reached them).
    assert "Enter the prospect" not in html
    with tenant_scope(tenant):
        assert Lead.objects.count() == 1


def test_a_manager_edits_an_open_lead_and_the_change_is_audited(tenant, staff_client, make_lead, manager, members):
    lead = make_lead(company_name="Hooli", value_estimate="1000", owner=manager)
    response = staff_client.get(reverse("leads:edit", args=[lead.pk]))
    assert response.status_code == 200 and response.context["form"]["company_name"].value() == "Hooli"
    assert "route" not in response.context["form"].fields
    response = staff_client.post(reverse("leads:edit", args=[lead.pk]), {
        "company_name": "Hooli XYZ", "website": lead.website, "country": "DE", "source": "event",
        "value_estimate": "2500", "currency": tenant.base_currency, "owner": str(members["tenant_admin"].pk),
        "contact_name": "Gavin", "contact_email": lead.contact_email})
    assert response.status_code == 302 and response.url == reverse("leads:detail", args=[lead.pk])
    fresh = _fresh(tenant, lead)
    assert (fresh.company_name, fresh.country.code, fresh.effective_region, str(fresh.value_estimate), fresh.owner,
            fresh.contact_name, fresh.status) == ("Hooli XYZ", "DE", "EMEA", "2500.00", members["tenant_admin"],
                                                  "Gavin", Lead.Status.UNASSIGNED)
    with tenant_scope(tenant):
        entry = AuditEntry.objects.get(action="lead.update")
    assert entry.changes["company_name"] == {"from": "Hooli", "to": "Hooli XYZ"}
    assert entry.changes["value_estimate"] == {"from": "1000.00", "to": "2500.00"}
    assert "website" not in entry.changes


def test_editing_into_another_open_leads_company_asks_first(tenant, staff_client, make_lead):
    make_lead(company_name="Initech", website="https://initech.com")
    lead = make_lead(company_name="Hooli", website="https://hooli.com")
    data = {"company_name": "Initech", "website": "initech.com", "source": "other", "currency": tenant.base_currency}
    response = staff_client.post(reverse("leads:edit", args=[lead.pk]), data)
    assert response.status_code == 400 and response.context["duplicates"]
    assert _fresh(tenant, lead).company_name == "Hooli"
    assert staff_client.post(reverse("leads:edit", args=[lead.pk]), {**data, "allow_duplicate": "on"}).status_code == 302
    assert _fresh(tenant, lead).company_name == "Initech"


def test_a_closed_lead_cannot_be_edited(tenant, staff_client, make_lead):
    lead = make_lead(company_name="Hooli", status=Lead.Status.LOST)
    response = staff_client.get(reverse("leads:edit", args=[lead.pk]))
    assert response.status_code == 302 and "can no longer be edited" in _texts(response)[0]
    response = staff_client.post(reverse("leads:edit", args=[lead.pk]), {"company_name": "X", "source": "other",
                                                                          "currency": tenant.base_currency})
    assert response.status_code == 302 and _fresh(tenant, lead).company_name == "Hooli"


def test_another_tenants_lead_is_not_found(other_tenant, staff_client):
    from tests.factories.leads import LeadFactory

    foreign = LeadFactory(tenant=other_tenant)
    for name in ("leads:edit", "leads:reassign"):
        assert staff_client.get(reverse(name, args=[foreign.pk])).status_code == 404


# --- Reassigning one lead -----------------------------------------------------------------------


def test_the_reassign_page_offers_the_other_active_partners(tenant, staff_client, landscape, make_lead, route,
                                                           make_partner):
    make_partner("Dormant", status="suspended")
    lead = make_lead(company_name="Hooli")
    route(lead)
    holder = _fresh(tenant, lead).partner
    response = staff_client.get(reverse("leads:reassign", args=[lead.pk]))
    assert response.status_code == 200
    choices = {p.name for p in response.context["form"].fields["partner"].queryset}
    assert choices == {"Alder", "Birch"} - {holder.name}


def test_reassigning_to_a_partner_redirects_to_the_lead(tenant, staff_client, landscape, make_lead):
    lead = make_lead(company_name="Hooli")
    response = staff_client.post(reverse("leads:reassign", args=[lead.pk]),
                                 {"partner": str(landscape["birch"].pk), "reason": "Birch met them at the fair"})
    assert response.status_code == 302 and response.url == reverse("leads:detail", args=[lead.pk])
    assert _fresh(tenant, lead).partner_id == landscape["birch"].pk
    assert _texts(response) == ["The lead is now offered to Birch."]


def test_reassigning_to_the_next_candidate(tenant, staff_client, landscape, make_lead, route):
    lead = make_lead(company_name="Hooli")
    route(lead)
    first = _fresh(tenant, lead).partner_id
    response = staff_client.post(reverse("leads:reassign", args=[lead.pk]), {"partner": "", "reason": "Too slow"},
                                 **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("leads:detail", args=[lead.pk])
    assert _fresh(tenant, lead).partner_id not in (None, first)


def test_a_refused_reassignment_shows_the_reason_on_the_form(tenant, staff_client, landscape, make_lead, route,
                                                             member_of):
    lead = make_lead(company_name="Hooli")
    route(lead)
    holder = _fresh(tenant, lead).partner
    with tenant_scope(tenant):
        lead_accept(tenant=tenant, lead=_fresh(tenant, lead), partner=holder, user=member_of(holder))
    response = staff_client.post(reverse("leads:reassign", args=[lead.pk]), {"reason": "Stalled"})
    assert response.status_code == 400 and "accepted this lead" in response.content.decode()
    assert 'name="take_back"' in response.content.decode()
    assert staff_client.post(reverse("leads:reassign", args=[lead.pk]), {"reason": ""}).status_code == 400
    response = staff_client.post(reverse("leads:reassign", args=[lead.pk]), {"reason": "Stalled", "take_back": "on"})
    assert response.status_code == 302 and _fresh(tenant, lead).partner_id != holder.pk


def test_an_unknown_partner_is_a_form_error_not_a_crash(tenant, staff_client, landscape, make_lead):
    lead = make_lead()
    response = staff_client.post(reverse("leads:reassign", args=[lead.pk]), {"partner": "nope", "reason": "x"})
    assert response.status_code == 400 and "Choose an active partner" in response.content.decode()


# --- Export -------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_export_has_the_staff_columns_and_follows_the_filters(tenant, staff_client, landscape, make_lead, route):
    hooli = make_lead(company_name="Hooli", contact_email="gavin@hooli.com")
    make_lead(company_name="Initech", country="DE")
    route(hooli)
    response = staff_client.get(reverse("leads:export"), {"country": "US"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="leads-acme.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    header = rows[0]
    for column in ("Reference", "Company", "Partner", "Rule", "Source", "Status", "Contact email"):
        assert column in header
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=True))
    assert (row["Company"], row["Rule"], row["Contact email"], row["Partner"]) == (
        "Hooli", "Americas", "gavin@hooli.com", _fresh(tenant, hooli).partner.name)


def test_a_partner_exports_only_its_leads_without_other_partners_or_unaccepted_contacts(tenant, client_for,
                                                                                         landscape, make_lead,
                                                                                         member_of):
    alder = landscape["alder"]
    mine, theirs = make_lead(company_name="Hooli"), make_lead(company_name="Initech")
    with tenant_scope(tenant):
        Lead.objects.filter(pk=mine.pk).update(status="assigned", partner=alder, accept_by=timezone.now())
        Lead.objects.filter(pk=theirs.pk).update(status="assigned", partner=landscape["birch"], accept_by=timezone.now())
    rows = _csv(client_for(tenant, member_of(alder)).get(reverse("leads:export")))
    header = rows[0]
    assert "Partner" not in header and "Rule" not in header
    assert [r[header.index("Company")] for r in rows[1:]] == ["Hooli"]
    assert rows[1][header.index("Contact email")] == ""
