"""CSV import of leads: the validation pass with its preview and per-row errors, the queued run in
batches that creates the leads and routes each batch set-based, all or nothing on a fatal error,
the error report, re-imports by source reference, and who may use the pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from leads import imports as lead_imports
from leads.imports import COLUMNS, LeadImporter, lead_import_create, lead_import_run, lead_import_start
from leads.models import Lead, LeadAssignment, LeadImport, LeadImportError, LeadRule
from leads.tasks import lead_import_task
from prm.imports.runner import progress_key
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db

GOOD = [
    {"company": "Initech", "website": "https://www.initech.com", "country": "US", "product": "security-suite",
     "industry": "technology", "company_size": "250-999", "contact_name": "Bill Lumbergh",
     "contact_email": "Bill@Initech.com", "contact_phone": "+1 555 0100", "source": "event", "source_ref": "crm-1",
     "value_estimate": "25,000", "notes": "- wants a demo"},
    {"company": "Vandelay Industries", "country": "Germany", "product": "Security Suite", "company_size": "120",
     "industry": "Manufacturing", "source_ref": "crm-2", "contact_email": "art@vandelay.de"},
    # A website and no country: created, and routing says it has no territory.
    {"company": "Pied Piper", "website": "piedpiper.com", "source_ref": "crm-3"},
]
BAD = [
    {"company": "", "website": "https://nameless.com", "country": "US"},
    {"company": "Narnia Trading", "country": "Narnia"},
    {"company": "Bad Mail Co", "website": "https://badmail.com", "country": "US", "contact_email": "not-an-email"},
    {"company": "=HYPERLINK(\"http://evil.example\",\"click\")", "website": "https://evil-name.com", "country": "US"},
    {"company": "Initech Inc.", "website": "https://shop.initech.com", "country": "US"},
    {"company": "Hooli", "website": "https://hooli.com", "country": "US"},
    {"company": "Nowhere Ltd", "contact_email": "a@nowhere.com"},
    {"company": "Unknown Product Co", "country": "FR", "product": "teleporter"},
]


def csv_bytes(rows, columns=COLUMNS, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def upload(content: bytes, name="leads.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def report_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def manager(tenant, make_member):
    return make_member(tenant, "channel_manager")


@pytest.fixture
def landscape(tenant, product, make_partner, make_rule, make_lead):
    """Partners in North America and EMEA, one rule for everything, and an open lead for Hooli."""
    make_partner("Alder US", country="US", regions=["NA"])
    make_partner("Danube DE", country="DE", regions=["EMEA"])
    make_rule(name="Everything", strategy=LeadRule.Strategy.ROUND_ROBIN)
    return {"hooli": make_lead(company_name="Hooli", website="https://hooli.com")}


def run_import(tenant, manager, content: bytes, **options) -> LeadImport:
    with tenant_scope(tenant):
        imp = lead_import_create(tenant=tenant, upload=upload(content), actor=manager, **options)
        with scopes_disabled():
            LeadImport.objects.filter(pk=imp.pk).update(status="queued")
        return lead_import_run(tenant=tenant, import_id=imp.pk)


def test_upload_previews_with_per_row_errors_then_the_import_creates_and_routes_the_leads(
    tenant, landscape, manager, client_for, django_capture_on_commit_callbacks
):
    client = client_for(tenant, manager)
    response = client.post(reverse("leads:import_list"), {"file": upload(csv_bytes(GOOD + BAD)),
                                                          "route_after_import": "on"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        imp = LeadImport.objects.get()
        assert Lead.objects.count() == 1  # nothing imported before confirmation (Hooli was there)
    assert (imp.total_rows, imp.valid_rows, imp.error_rows) == (11, 3, 8)
    assert (imp.preview["creates"], imp.preview["updates"], imp.status) == (3, 0, "validated")
    errors = {r["row"]: r["errors"] for r in imp.preview["rows"]}
    assert [n for n, e in errors.items() if not e] == [2, 3, 4]
    assert errors[5] == ["Missing company."]
    assert errors[6] == ["Unknown country “Narnia” (use a two-letter code such as DE, or the English name)."]
    assert errors[7] == ["contact_email: Enter a valid email address for the contact."]
    assert errors[8] == ["The name “=HYPERLINK(\"http://evil.example\",\"click\"” starts with = like a "
                         "spreadsheet formula; a company name cannot."]
    assert errors[9] == ["Same company as row 2 (Initech)."]
    assert errors[10] == ["An open lead for this company already exists: Hooli (Unassigned)."]
    assert errors[11] == ["Missing country or website: give at least one (routing needs the country)."]
    assert errors[12] == ["Unknown product “teleporter” (use a product code or name of the catalogue)."]

    page = client.get(response["Location"]).content.decode()
    assert "11 rows: 3 valid, 8 with errors." in page and "3 new leads, 0 already imported" in page
    assert "Same company as row 2 (Initech)." in page and "Import 3 valid rows" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("leads:import_start", args=[imp.pk])).status_code == 302
    with tenant_scope(tenant):
        imp.refresh_from_db()
        leads = {lead.source_ref: lead for lead in Lead.objects.exclude(pk=landscape["hooli"].pk)
                 .select_related("partner", "product")}
        offers = {a.lead_id: a for a in LeadAssignment.objects.filter(lead__in=leads.values())}
        assert LeadImportError.objects.filter(lead_import=imp).count() == 8
    assert imp.status == "done" and (imp.created_count, imp.unchanged_count, imp.error_rows) == (3, 0, 8)
    assert (imp.assigned_count, imp.unassigned_count) == (2, 1)
    assert set(leads) == {"crm-1", "crm-2", "crm-3"} and len(offers) == 3
    initech, vandelay, piper = leads["crm-1"], leads["crm-2"], leads["crm-3"]
    assert (initech.status, initech.partner.name, offers[initech.pk].outcome) == ("assigned", "Alder US", "pending")
    assert (vandelay.status, vandelay.partner.name, vandelay.country.code) == ("assigned", "Danube DE", "DE")
    assert (piper.status, offers[piper.pk].outcome) == ("unassigned", "unassigned")
    assert (initech.contact_email, str(initech.value_estimate), initech.product.code) == (
        "bill@initech.com", "25000.00", "security-suite")
    assert (initech.domain, initech.source, initech.owner, initech.created_by) == (
        "initech.com", "event", manager, manager)
    assert (vandelay.industry, vandelay.company_size, vandelay.source, vandelay.currency) == (
        "manufacturing", "50-249", "import", tenant.base_currency)

    page = client.get(reverse("leads:import_detail", args=[imp.pk])).content.decode()
    assert "3 created, 0 updated, 0 unchanged, 8 rows skipped" in page
    assert "Routing: 2 offered to partners, 1 left unassigned" in page

    rows = report_rows(client.get(reverse("leads:import_errors", args=[imp.pk])))
    assert rows[0] == ["row", "errors", *COLUMNS]
    assert [r[0] for r in rows[1:]] == ["5", "6", "7", "8", "9", "10", "11", "12"]
    assert rows[1][1] == "Missing company." and rows[1][3] == "https://nameless.com"
    narnia = rows[2]
    assert narnia[2] == "Narnia Trading" and narnia[2 + COLUMNS.index("country")] == "Narnia"
    assert rows[3][1] == "contact_email: Enter a valid email address for the contact."
    # The formula cell goes back neutralised (prm.csv_safe), never as a live formula.
    assert rows[4][2].startswith("'=HYPERLINK")


def test_the_error_report_is_available_before_importing(tenant, landscape, manager, client_for):
    with tenant_scope(tenant):
        imp = lead_import_create(tenant=tenant, upload=upload(csv_bytes(GOOD + BAD)), actor=manager)
    rows = report_rows(client_for(tenant, manager).get(reverse("leads:import_errors", args=[imp.pk])))
    assert len(rows) == 1 + len(BAD)
    assert rows[-1][1] == "Unknown product “teleporter” (use a product code or name of the catalogue)."


def test_reimporting_the_same_source_references_creates_nothing(tenant, landscape, manager, client_for,
                                                                django_capture_on_commit_callbacks):
    first = run_import(tenant, manager, csv_bytes(GOOD))
    assert (first.created_count, first.unchanged_count) == (3, 0)
    with tenant_scope(tenant):
        before = (Lead.objects.count(), LeadAssignment.objects.count(),
                  {lead.source_ref: (lead.company_name, lead.partner_id) for lead in Lead.objects.all()})
    # The same rows again, one of them with a changed company: "update nothing".
    again_rows = [dict(GOOD[0], company="Initech Renamed"), *GOOD[1:]]
    with tenant_scope(tenant):
        again = lead_import_create(tenant=tenant, upload=upload(csv_bytes(again_rows)), actor=manager)
    assert (again.valid_rows, again.error_rows, again.preview["creates"], again.preview["updates"]) == (3, 0, 0, 3)
    page = client_for(tenant, manager).get(reverse("leads:import_detail", args=[again.pk])).content.decode()
    assert "0 new leads, 3 already imported (same source reference; left unchanged)." in page
    assert page.count('<span class="pill">already imported</span>') == 3 and ">update<" not in page
    with tenant_scope(tenant):
        with django_capture_on_commit_callbacks(execute=True):  # the (eager) task runs after commit
            lead_import_start(tenant=tenant, lead_import=again, actor=manager)
        again.refresh_from_db()
        after = (Lead.objects.count(), LeadAssignment.objects.count(),
                 {lead.source_ref: (lead.company_name, lead.partner_id) for lead in Lead.objects.all()})
    assert again.status == "done" and (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert after == before


def test_a_source_reference_repeated_in_the_file_is_refused(tenant, landscape, manager):
    rows = [GOOD[0], dict(GOOD[1], source_ref="crm-1")]
    result = run_import(tenant, manager, csv_bytes(rows))
    assert (result.created_count, result.error_rows) == (1, 1)
    errors = [e for r in result.preview["rows"] for e in r["errors"]]
    assert errors == ["The source reference “crm-1” is repeated (already on row 2)."]


def test_each_batch_is_bulk_created_and_routed_in_one_call(tenant, landscape, manager, monkeypatch, settings):
    settings.PRM_IMPORT_BATCH_SIZE = 2
    calls = []
    real_route = lead_imports.leads_route

    def counting_route(**kwargs):
        calls.append(len(kwargs["leads"]))
        return real_route(**kwargs)

    monkeypatch.setattr(lead_imports, "leads_route", counting_route)
    rows = [{"company": f"Company {word}", "website": f"https://{word}.com", "country": "US"}
            for word in ("amber", "basalt", "cobalt", "dolomite", "emerald")]
    result = run_import(tenant, manager, csv_bytes(rows))
    assert result.created_count == 5 and calls == [2, 2, 1]
    with tenant_scope(tenant):
        assert LeadAssignment.objects.filter(lead__company_name__startswith="Company").count() == 5
        assert list(Lead.objects.filter(company_name__startswith="Company").order_by("created_at")
                    .values_list("website", flat=True)) == [r["website"] for r in rows]  # the file's order


def test_a_fatal_error_in_the_middle_leaves_nothing_imported(tenant, landscape, manager, monkeypatch, settings):
    settings.PRM_IMPORT_BATCH_SIZE = 2
    real_route = lead_imports.leads_route
    calls = {"n": 0}

    def failing_route(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("routing went away")
        return real_route(**kwargs)

    monkeypatch.setattr(lead_imports, "leads_route", failing_route)
    rows = [{"company": f"Company {word}", "website": f"https://{word}.com", "country": "US"}
            for word in ("amber", "basalt", "cobalt", "dolomite")] + BAD[:2]
    result = run_import(tenant, manager, csv_bytes(rows))
    assert calls["n"] == 2  # the first batch had been created and routed before the failure
    assert result.status == "failed" and "nothing was imported" in result.error_message
    assert "routing went away" in result.error_message
    assert (result.created_count, result.assigned_count, result.unassigned_count) == (0, 0, 0)
    with tenant_scope(tenant):
        assert list(Lead.objects.values_list("company_name", flat=True)) == ["Hooli"]
        assert not LeadAssignment.objects.exists()
        assert not LeadImportError.objects.exists()


def test_without_routing_the_leads_stay_unassigned_with_the_chosen_owner(tenant, landscape, manager, make_member,
                                                                        client_for, django_capture_on_commit_callbacks):
    owner = make_member(tenant, "tenant_admin")
    client = client_for(tenant, manager)
    response = client.post(reverse("leads:import_list"), {"file": upload(csv_bytes(GOOD)), "default_owner": owner.pk})
    assert response.status_code == 302
    with tenant_scope(tenant):
        imp = LeadImport.objects.get()
        assert imp.route_after_import is False and imp.default_owner == owner
        with django_capture_on_commit_callbacks(execute=True):
            lead_import_start(tenant=tenant, lead_import=imp, actor=manager)
        imp.refresh_from_db()
        new = list(Lead.objects.filter(source_ref__startswith="crm-"))
        assert not LeadAssignment.objects.filter(lead__in=new).exists()
    assert imp.created_count == 3 and (imp.assigned_count, imp.unassigned_count) == (0, 0)
    assert {(lead.status, lead.owner_id, lead.created_by_id) for lead in new} == {("unassigned", owner.pk, manager.pk)}


def test_the_owner_must_be_a_manager_of_this_portal(tenant, other_tenant, landscape, manager, make_member,
                                                    client_for):
    partner_user = make_member(tenant, "partner_user")
    stranger = make_member(other_tenant, "channel_manager")
    client = client_for(tenant, manager)
    for user in (partner_user, stranger):
        response = client.post(reverse("leads:import_list"), {"file": upload(csv_bytes(GOOD)), "default_owner": user.pk})
        assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    with tenant_scope(tenant):
        assert not LeadImport.objects.exists()


def test_start_enqueues_the_importers_task_after_commit(tenant, landscape, manager, client_for,
                                                        django_capture_on_commit_callbacks):
    assert LeadImporter.task() is lead_import_task and lead_import_task.name == "leads.tasks.lead_import_task"
    with tenant_scope(tenant):
        imp = lead_import_create(tenant=tenant, upload=upload(csv_bytes(GOOD)), actor=manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(tenant, manager).post(reverse("leads:import_start", args=[imp.pk]))
    with scopes_disabled():
        assert LeadImport.objects.get(pk=imp.pk).status == "queued" and len(callbacks) == 1
        callbacks[0]()  # what the broker delivers to the worker
        imp.refresh_from_db()
    assert imp.status == "done" and imp.created_count == 3


def test_progress_partial_is_polled_while_the_import_runs(tenant, landscape, manager, client_for):
    with tenant_scope(tenant):
        imp = lead_import_create(tenant=tenant, upload=upload(csv_bytes(GOOD)), actor=manager)
    with scopes_disabled():
        LeadImport.objects.filter(pk=imp.pk).update(status="running")
    cache.set(progress_key(LeadImport, imp.pk), 2)
    response = client_for(tenant, manager).get(reverse("leads:import_detail", args=[imp.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="import-progress"') and 'hx-trigger="every 1s"' in body
    assert '<progress value="2" max="3"' in body
    cache.delete(progress_key(LeadImport, imp.pk))


def test_header_spellings_and_semicolons_are_understood(tenant, landscape, manager):
    content = (b"Company Name;Country Code;E-mail;Phone;Lead Source;External ID\n"
               b"Globochem;CA;ops@globochem.com;+1 416 555 0199;Campaign;hs-77\n")
    result = run_import(tenant, manager, content)
    assert result.created_count == 1 and result.preview["unknown_columns"] == []
    with tenant_scope(tenant):
        lead = Lead.objects.get(source_ref="hs-77")
    assert (lead.company_name, lead.country.code, lead.contact_phone, lead.source) == (
        "Globochem", "CA", "+1 416 555 0199", "campaign")


@pytest.mark.parametrize("content,message", [
    (b"website,country\nhttps://a.com,US\n", "missing the column(s): company"),
    (csv_bytes([]), "has a header but no rows"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "This type of file is not allowed here."),
])
def test_unusable_files_are_refused_at_upload(tenant, manager, client_for, content, message):
    response = client_for(tenant, manager).post(reverse("leads:import_list"), {"file": upload(content)})
    assert response.status_code == 400 and message in response.content.decode()
    with tenant_scope(tenant):
        assert not LeadImport.objects.exists()


def test_only_managers_import_and_other_tenants_imports_are_not_found(tenant, other_tenant, members, client_for):
    for role in ("partner_user", "partner_admin", "executive"):
        client = client_for(tenant, members[role])
        assert client.get(reverse("leads:import_list")).status_code == 403, role
        assert client.get(reverse("leads:import_template")).status_code == 403, role
    assert client_for(tenant, members["tenant_admin"]).get(reverse("leads:import_list")).status_code == 200
    template = client_for(tenant, members["channel_manager"]).get(reverse("leads:import_template"))
    assert report_rows(template)[0] == COLUMNS
    foreign = LeadImport(tenant=other_tenant, filename="x.csv")
    with scopes_disabled():
        foreign.file.save("x.csv", upload(csv_bytes(GOOD)), save=True)
    client = client_for(tenant, members["channel_manager"])
    assert client.get(reverse("leads:import_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("leads:import_errors", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("leads:import_start", args=[foreign.pk])).status_code == 404
    partner_client = client_for(tenant, members["partner_admin"])
    assert partner_client.get(reverse("leads:import_detail", args=[foreign.pk])).status_code == 403
    assert client.get(reverse("leads:import_detail", args=[foreign.pk])).status_code == 404
    with scopes_disabled():
        assert LeadImport.objects.get(pk=foreign.pk).status == "validated"
