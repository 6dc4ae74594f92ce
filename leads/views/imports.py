"""Bulk import of leads from CSV: upload → preview → import task with a polled progress bar
(the pages are prm.imports.views'; these add the access rules and the leads' form and texts)."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deals.models import Product
from leads.forms.imports import LeadImportForm
from leads.imports import LeadImporter
from prm.imports import views as import_views
from prm.tenancy.access import manager_required
from prm.tenancy.request import MemberRequest


def _template_example(tenant) -> list[str]:
    product = Product.objects.filter(tenant=tenant, is_active=True).order_by("name").values_list("code", flat=True)
    return ["Initech", "https://www.initech.com", "US", "NA", "technology", "250-999", next(iter(product), ""),
            "Bill Lumbergh", "bill@initech.com", "+1 555 0100", "VP Operations", "event", "expo-2026-0042",
            "Met at the spring expo; wants a demo.", "25000", tenant.base_currency]


@manager_required
@require_http_methods(["GET", "POST"])
def import_list(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        form = LeadImportForm(request.POST, request.FILES, tenant=request.tenant)
    else:
        form = LeadImportForm(tenant=request.tenant)
    return import_views.upload_page(request, LeadImporter, form=form, template="leads/import_list.html",
                                    options=["route_after_import", "default_owner"])


@manager_required
@require_GET
def import_template(request: MemberRequest) -> HttpResponse:
    return import_views.template_download(LeadImporter, "leads-import-template.csv",
                                          [_template_example(request.tenant)])


@manager_required
@require_GET
def import_detail(request: MemberRequest, lead_import_id) -> HttpResponse:
    """Preview before the import; progress while it runs (htmx polls the partial); result after."""
    return import_views.detail_page(request, LeadImporter, lead_import_id, template="leads/import_detail.html")


@manager_required
@require_POST
def import_start(request: MemberRequest, lead_import_id) -> HttpResponse:
    return import_views.start(request, LeadImporter, lead_import_id)


@manager_required
@require_GET
def import_errors(request: MemberRequest, lead_import_id) -> HttpResponse:
    return import_views.error_report(request, LeadImporter, lead_import_id)
