"""Bulk import of partners from CSV: upload → preview → import task with a polled progress bar."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners.forms import ImportUploadForm
from partners.models import PartnerImport
from partners.services.imports import (
    COLUMNS,
    ERROR_REPORT_HEADER,
    REQUIRED_COLUMNS,
    error_report_rows,
    import_progress,
    partner_import_create,
    partner_import_start,
)
from partners.views import bound
from prm.csv_safe import csv_response
from prm.forms import add_service_errors
from prm.tenancy.access import manager_required


@manager_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(*bound(request, files=True))
    if request.method == "POST" and form.is_valid():
        try:
            partner_import = partner_import_create(
                tenant=request.tenant, upload=form.cleaned_data["file"], actor=request.user,
                send_invitations=form.cleaned_data["send_invitations"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("partners:import_detail", import_id=partner_import.pk)
    imports = PartnerImport.objects.select_related("created_by").order_by("-created_at")[:20]
    return render(request, "partners/staff/imports.html", {
        "form": form, "imports": imports, "columns": COLUMNS, "required": REQUIRED_COLUMNS,
    }, status=400 if form.errors else 200)


@manager_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    example = ["Example Partner Ltd", "https://www.example-partner.com", "GB", "reseller", "", "active", "EMEA",
               "cloud;security", "40", "1m-10m", "Cloud reseller in the UK", "Jane Doe", "jane@example-partner.com"]
    return csv_response("partners-import-template.csv", COLUMNS, [example])


def _progress_context(partner_import: PartnerImport) -> dict:
    done = import_progress(partner_import)
    total = partner_import.total_rows or 1
    return {"imp": partner_import, "done": done, "percent": min(100, round(100 * done / total))}


@manager_required
@require_GET
def import_detail(request: HttpRequest, import_id) -> HttpResponse:
    """Preview before the import; progress while it runs (htmx polls the partial); result after."""
    partner_import = get_object_or_404(PartnerImport.objects.select_related("created_by"), pk=import_id)
    context = _progress_context(partner_import)
    if request.htmx:
        return render(request, "partners/staff/import_detail.html#import-progress", context)
    return render(request, "partners/staff/import_detail.html", context)


@manager_required
@require_POST
def import_start(request: HttpRequest, import_id) -> HttpResponse:
    partner_import = get_object_or_404(PartnerImport, pk=import_id)
    try:
        partner_import_start(tenant=request.tenant, partner_import=partner_import, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        partner_import.refresh_from_db(fields=["status"])
        if partner_import.status in (PartnerImport.Status.QUEUED, PartnerImport.Status.RUNNING):
            # When it finished already (tasks run eagerly), the page shows the result instead.
            messages.success(request, _("Import started. You can leave this page; it continues in the background."))
    return redirect("partners:import_detail", import_id=partner_import.pk)


@manager_required
@require_GET
def import_errors(request: HttpRequest, import_id) -> HttpResponse:
    partner_import = get_object_or_404(PartnerImport, pk=import_id)
    return csv_response(f"import-errors-{partner_import.pk}.csv", ERROR_REPORT_HEADER,
                        error_report_rows(partner_import), tenant=request.tenant)
