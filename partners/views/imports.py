"""Bulk import of partners from CSV: upload → preview → import task with a polled progress bar
(the pages are prm.imports.views'; these add the access rules and the partners' form and texts)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners.forms import ImportUploadForm
from partners.services.imports import PartnerImporter
from partners.views import bound
from prm.imports import views as import_views
from prm.tenancy.access import manager_required

TEMPLATE_EXAMPLE = ["Example Partner Ltd", "https://www.example-partner.com", "GB", "reseller", "", "active", "EMEA",
                    "cloud;security", "40", "1m-10m", "Cloud reseller in the UK", "Jane Doe",
                    "jane@example-partner.com"]


@manager_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    return import_views.upload_page(request, PartnerImporter, form=ImportUploadForm(*bound(request, files=True)),
                                    template="partners/staff/imports.html", options=["send_invitations"])


@manager_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    return import_views.template_download(PartnerImporter, "partners-import-template.csv", [TEMPLATE_EXAMPLE])


@manager_required
@require_GET
def import_detail(request: HttpRequest, import_id) -> HttpResponse:
    """Preview before the import; progress while it runs (htmx polls the partial); result after."""
    return import_views.detail_page(request, PartnerImporter, import_id, template="partners/staff/import_detail.html")


@manager_required
@require_POST
def import_start(request: HttpRequest, import_id) -> HttpResponse:
    return import_views.start(request, PartnerImporter, import_id)


@manager_required
@require_GET
def import_errors(request: HttpRequest, import_id) -> HttpResponse:
    return import_views.error_report(request, PartnerImporter, import_id)
