"""Bulk CSV import (preview, task, error report, upsert, all-or-nothing, 10,000 rows) and CSV export."""

import csv
import io
import os
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.models import Partner, PartnerImport, PartnerImportError, PartnerOnboarding, TierChange
from partners.services import imports as import_service
from partners.services.imports import COLUMNS, partner_import_create, partner_import_run, partner_import_start
from prm.tenancy.scoping import tenant_scope
from tests.factories import OnboardingPathFactory, OnboardingStepFactory, PartnerFactory

pytestmark = pytest.mark.django_db

GOOD = [
    {"name": "Alpha Cloud", "website": "https://www.alpha-cloud.com", "country": "DE", "partner_type": "reseller",
     "tier": "Silver", "regions": "EMEA;NA", "specialties": "cloud;security", "employees": "40",
     "contact_name": "Ann Alpha", "contact_email": "ann@alpha-cloud.com"},
    {"name": "Beta MSP", "website": "beta-msp.co.uk", "country": "United Kingdom", "partner_type": "Managed service provider",
     "status": "onboarding", "contact_email": "bob@beta-msp.co.uk"},
    {"name": "Gamma Referrals", "website": "https://gamma.io", "country": "fr",
     "partner_type": "referral", "description": "+cmd|' /C calc'!A0", "contact_email": "eve@gamma.io"},
]
FORMULA_NAMES = [
    {"name": "=HYPERLINK(\"http://evil.example\",\"click\")", "website": "https://evil-name.com", "country": "fr",
     "partner_type": "referral", "contact_email": "eve@evil-name.com"},
    {"name": "Fine Name Ltd", "website": "https://evil-contact.com", "country": "fr", "partner_type": "referral",
     "contact_name": "@SUM(A1:A9)", "contact_email": "eve@evil-contact.com"},
]
BAD = [
    {"name": "No Email Ltd", "website": "https://noemail.com", "country": "DE", "partner_type": "reseller",
     "contact_email": ""},
    {"name": "Narnia Inc", "website": "https://narnia.com", "country": "Narnia", "partner_type": "reseller",
     "contact_email": "aslan@narnia.com"},
    {"name": "Alpha Again", "website": "https://shop.alpha-cloud.com", "country": "DE", "partner_type": "reseller",
     "contact_email": "x@alpha-cloud.com"},
    {"name": "No Domain", "website": "https://localhost", "country": "DE", "partner_type": "reseller",
     "contact_email": "a@b.com"},
    {"name": "Bad Type", "website": "https://badtype.com", "country": "DE", "partner_type": "distributor",
     "contact_email": "a@badtype.com", "employees": "lots"},
]


def csv_bytes(rows, columns=COLUMNS, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def upload(content: bytes, name="partners.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def manager(tenant, make_member):
    return make_member(tenant, "channel_manager")


def run_import(tenant, manager, content: bytes, **kwargs) -> PartnerImport:
    with tenant_scope(tenant):
        imp = partner_import_create(tenant=tenant, upload=upload(content), actor=manager, **kwargs)
        with scopes_disabled():
            PartnerImport.objects.filter(pk=imp.pk).update(status="queued")
        return partner_import_run(tenant=tenant, import_id=imp.pk)


def test_upload_preview_then_import_through_the_pages_with_errors_reported_per_row(
    tenant, program, manager, client_for, django_capture_on_commit_callbacks
):
    OnboardingStepFactory(path=OnboardingPathFactory(tenant=tenant, partner_type=program["types"]["msp"]))
    client = client_for(tenant, manager)
    response = client.post(reverse("partners:import_list"), {"file": upload(csv_bytes(GOOD + BAD))})
    assert response.status_code == 302
    with tenant_scope(tenant):
        imp = PartnerImport.objects.get()
    assert (imp.total_rows, imp.valid_rows, imp.error_rows) == (8, 3, 5)
    assert imp.preview["creates"] == 3 and imp.status == "validated"

    preview = client.get(response["Location"]).content.decode()
    assert "Missing contact email." in preview
    assert "Unknown country “Narnia”" in preview
    assert "Duplicate domain alpha-cloud.com (already on row 2)." in preview
    assert "Website “https://localhost” has no domain name." in preview
    assert "Unknown partner type “distributor”" in preview and "Employees must be a whole number" in preview
    with tenant_scope(tenant):
        assert not Partner.objects.exists()  # nothing imported before confirmation

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:import_start", args=[imp.pk]))
    with tenant_scope(tenant):
        imp.refresh_from_db()
        partners = {p.domain: p for p in Partner.objects.select_related("tier", "partner_type")}
        assert PartnerImportError.objects.filter(partner_import=imp).count() == 5
        assert PartnerOnboarding.objects.filter(partner=partners["beta-msp.co.uk"]).exists()
        assert TierChange.objects.filter(partner=partners["alpha-cloud.com"], source="import").count() == 1
    assert imp.status == "done" and (imp.created_count, imp.updated_count, imp.error_rows) == (3, 0, 5)
    alpha = partners["alpha-cloud.com"]
    assert alpha.tier.name == "Silver" and alpha.regions == ["EMEA", "NA"] and alpha.specialties == ["cloud", "security"]
    assert alpha.contact_email == "ann@alpha-cloud.com" and alpha.status == "active" and alpha.owner == manager
    beta = partners["beta-msp.co.uk"]
    assert beta.country.code == "GB" and beta.partner_type.code == "msp" and beta.status == "onboarding"
    assert beta.tier.rank == 1  # entry tier when none is given

    report = client.get(reverse("partners:import_errors", args=[imp.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["row", "errors"]
    assert [r[0] for r in rows[1:]] == ["5", "6", "7", "8", "9"]
    assert "Missing contact email." in rows[1][1] and rows[2][2] == "Narnia Inc"

    page = client.get(reverse("partners:import_detail", args=[imp.pk])).content.decode()
    assert "3 created, 0 updated, 0 unchanged, 5 rows skipped" in page


def test_error_report_is_available_before_importing(tenant, program, manager, client_for):
    with tenant_scope(tenant):
        imp = partner_import_create(tenant=tenant, upload=upload(csv_bytes(GOOD + BAD)), actor=manager)
    report = client_for(tenant, manager).get(reverse("partners:import_errors", args=[imp.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + len(BAD)


def test_reimporting_the_same_file_updates_instead_of_duplicating(tenant, program, manager):
    content = csv_bytes(GOOD)
    first = run_import(tenant, manager, content)
    assert (first.created_count, first.updated_count, first.unchanged_count) == (3, 0, 0)
    with tenant_scope(tenant):
        snapshot = {p.domain: (p.pk, p.name, p.tier_id, p.regions) for p in Partner.objects.all()}
    again = run_import(tenant, manager, content)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    with tenant_scope(tenant):
        assert {p.domain: (p.pk, p.name, p.tier_id, p.regions) for p in Partner.objects.all()} == snapshot
        assert TierChange.objects.count() == 3  # no new history for unchanged tiers

    changed = [dict(GOOD[0], name="Alpha Cloud AG", tier="Gold", website="http://alpha-cloud.com/en")] + GOOD[1:]
    third = run_import(tenant, manager, csv_bytes(changed))
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 1, 2)
    with tenant_scope(tenant):
        alpha = Partner.objects.get(domain="alpha-cloud.com")
        assert Partner.objects.count() == 3
        assert TierChange.objects.filter(partner=alpha).order_by("created_at").last().to_tier.name == "Gold"
    assert alpha.name == "Alpha Cloud AG" and alpha.tier.name == "Gold"


def test_a_fatal_error_in_the_middle_leaves_nothing_imported(tenant, program, manager, monkeypatch, settings):
    settings.PRM_IMPORT_BATCH_SIZE = 2
    real_batch = import_service._import_batch
    calls = {"n": 0}

    def failing_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(import_service, "_import_batch", failing_batch)
    result = run_import(tenant, manager, csv_bytes(GOOD + BAD))
    assert calls["n"] == 2  # the first batch had been written before the failure
    assert result.status == "failed" and "nothing was imported" in result.error_message
    assert "database went away" in result.error_message and result.created_count == 0
    with tenant_scope(tenant):
        assert not Partner.objects.exists()
        assert not TierChange.objects.exists()
        assert not PartnerImportError.objects.exists()


def test_import_runs_once_even_if_the_task_is_delivered_twice(tenant, program, manager):
    imp = run_import(tenant, manager, csv_bytes(GOOD))
    with tenant_scope(tenant):
        again = partner_import_run(tenant=tenant, import_id=imp.pk)
        assert again.status == "done" and Partner.objects.count() == 3
        with pytest.raises(Exception, match="already been started"):
            partner_import_start(tenant=tenant, partner_import=imp, actor=manager)


@pytest.mark.parametrize("content,message", [
    (b"name,website\nA,https://a.com\n", "missing the column(s): country, partner_type, contact_email"),
    (csv_bytes([]), "has a header but no rows"),
    ("name,website,country,partner_type,contact_email\nCaf\xe9,https://c.com,FR,reseller,a@c.com\n".encode("latin-1"),
     "CSV UTF-8"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "This type of file is not allowed here."),
])
def test_unusable_files_are_refused_at_upload(tenant, program, manager, client_for, content, message):
    response = client_for(tenant, manager).post(reverse("partners:import_list"), {"file": upload(content)})
    assert response.status_code == 400 and message in response.content.decode()
    with tenant_scope(tenant):
        assert not PartnerImport.objects.exists()


def test_semicolon_separated_files_are_understood(tenant, program, manager):
    result = run_import(tenant, manager, csv_bytes(GOOD[:1], delimiter=";"))
    assert result.created_count == 1


def test_progress_partial_is_polled_while_the_import_runs(tenant, program, manager, client_for):
    from django.core.cache import cache

    with tenant_scope(tenant):
        imp = partner_import_create(tenant=tenant, upload=upload(csv_bytes(GOOD)), actor=manager)
    with scopes_disabled():
        PartnerImport.objects.filter(pk=imp.pk).update(status="running")
    cache.set(import_service._progress_key(imp.pk), 2)
    response = client_for(tenant, manager).get(reverse("partners:import_detail", args=[imp.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="import-progress"') and 'hx-trigger="every 1s"' in body
    assert '<progress value="2" max="3"' in body


def test_only_managers_import_and_other_tenants_imports_are_not_found(tenant, other_tenant, program, members,
                                                                     client_for):
    assert client_for(tenant, members["executive"]).get(reverse("partners:import_list")).status_code == 403
    assert client_for(tenant, members["partner_admin"]).get(reverse("partners:import_list")).status_code == 403
    foreign = PartnerImport.objects.model(tenant=other_tenant, filename="x.csv")
    with scopes_disabled():
        foreign.file.save("x.csv", upload(csv_bytes(GOOD)), save=True)
    client = client_for(tenant, members["channel_manager"])
    assert client.get(reverse("partners:import_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("partners:import_errors", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("partners:import_start", args=[foreign.pk])).status_code == 404


class PeakRSS:
    """Samples the process's resident memory in a background thread (cheap, unlike tracemalloc)."""

    def __init__(self, interval=0.02):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(self.interval)

    def __enter__(self):
        self.start = self.peak = self.rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.start


def test_ten_thousand_rows_import_in_bounded_memory(tenant, program, manager):
    rows = [{"name": f"Partner {i}", "website": f"https://partner{i}.com", "country": "DE",
             "partner_type": "reseller", "regions": "EMEA", "specialties": "cloud", "employees": str(10 + i % 90),
             "contact_name": f"Contact {i}", "contact_email": f"c{i}@partner{i}.com"} for i in range(10_000)]
    content = csv_bytes(rows)
    del rows
    started = time.monotonic()
    with PeakRSS() as memory, tenant_scope(tenant):
        imp = partner_import_create(tenant=tenant, upload=upload(content), actor=manager)
        validated = time.monotonic()
        with scopes_disabled():
            PartnerImport.objects.filter(pk=imp.pk).update(status="queued")
        result = partner_import_run(tenant=tenant, import_id=imp.pk)
    finished = time.monotonic()
    print(f"\n10,000-row import: preview {validated - started:.1f}s, import {finished - validated:.1f}s, "
          f"peak RSS growth {memory.growth / 2**20:.1f} MiB (file {len(content) / 2**20:.1f} MiB)")
    assert result.status == "done" and result.created_count == 10_000 and result.error_rows == 0
    with tenant_scope(tenant):
        assert Partner.objects.filter(domain__startswith="partner").count() == 10_000
        assert TierChange.objects.filter(source="import").count() == 10_000
    # Batches of 1,000 rows: 10,000 partners with their history held as ORM objects at once would
    # take well over this; streaming keeps the growth small and independent of the file's length.
    assert memory.growth < 64 * 2**20
    assert finished - started < 120


# --- Export -----------------------------------------------------------------------------


def export_rows(client, **params):
    response = client.get(reverse("partners:staff_export"), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_export_neutralises_formula_cells_and_round_trips_through_the_import(tenant, program, manager, client_for):
    run_import(tenant, manager, csv_bytes(GOOD))
    rows = export_rows(client_for(tenant, manager))
    header, body = rows[0], rows[1:]
    assert header[:13] == COLUMNS
    gamma = next(r for r in body if "gamma.io" in r[1])
    assert gamma[10] == "'+cmd|' /C calc'!A0"
    # The export reads back as an import of the same partners (nothing new).
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    reimport = run_import(tenant, manager, buffer.getvalue().encode())
    assert (reimport.created_count, reimport.updated_count, reimport.unchanged_count) == (0, 0, 3)
    with tenant_scope(tenant):
        assert Partner.objects.get(domain="gamma.io").name == GOOD[2]["name"]


def test_export_applies_the_list_filters(tenant, program, manager, client_for):
    PartnerFactory(tenant=tenant, name="Active DE", status="active", country="DE", regions=["EMEA"])
    PartnerFactory(tenant=tenant, name="Churned US", status="churned", country="US", regions=["NA"])
    client = client_for(tenant, manager)
    assert [r[0] for r in export_rows(client, status="active")[1:]] == ["Active DE"]
    assert [r[0] for r in export_rows(client, region="NA")[1:]] == ["Churned US"]
    assert [r[0] for r in export_rows(client, q="churn")[1:]] == ["Churned US"]
    assert len(export_rows(client)) == 3


def test_partners_cannot_export(tenant, members, client_for):  # noqa: D103
    assert client_for(tenant, members["partner_admin"]).get(reverse("partners:staff_export")).status_code == 403


def test_a_name_that_is_a_spreadsheet_formula_is_refused_in_the_preview(tenant, program, manager):
    result = run_import(tenant, manager, csv_bytes(GOOD + FORMULA_NAMES))
    assert result.created_count == len(GOOD) and result.error_rows == 2
    with tenant_scope(tenant):
        assert not Partner.objects.filter(domain__in=["evil-name.com", "evil-contact.com"]).exists()
        errors = [e for r in result.preview["rows"] for e in r["errors"]]
    assert any("like a spreadsheet formula; a company name cannot" in e for e in errors)
    assert any("contact name “@SUM(A1:A9)” starts with @" in e for e in errors)
