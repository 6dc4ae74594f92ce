"""The staff side of the leads pages: the lead list with its filters, counts and bulk bar, adding
and editing leads, reassigning one lead, and the CSV export (partners use it too).

Thin: parse, call a service or selector, render. Who may do what: the list is for all staff
(executives read only), every write is `manager_required`; a manager confined to a book of
partners sees and touches only that book's leads and the unassigned ones (request.viewer)."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from leads.choices import INDUSTRIES
from leads.forms.staff import BulkForm, LeadForm, ReassignForm
from leads.models import Lead, LeadRule
from leads.selectors import LeadFilters, export_rows, lead_for, leads_visible_to, status_counts
from leads.services import lead_create, lead_reassign, validate_lead
from leads.services.edit import BulkResult, lead_duplicates, lead_update, leads_bulk_action
from partners.choices import REGIONS
from partners.models import Partner
from partners.selectors import partners_visible_to
from prm.csv_safe import csv_response
from prm.forms import INVALID_FORM_STATUS, add_service_errors, form_status
from prm.tenancy.access import manager_required, member_required

PAGE_SIZE = 50
DEFAULT_SORT = "-created"
SORTS = {
    "-created": ("-created_at", "-pk"),
    "created": ("created_at", "pk"),
    "accept_by": (F("accept_by").asc(nulls_last=True), "-created_at", "pk"),
    "-accept_by": (F("accept_by").desc(nulls_last=True), "-created_at", "pk"),
}
# The summary chips at the top of the list: a status filter each, with its count.
CHIPS = [
    ("", gettext_lazy("All")),
    ("open", gettext_lazy("Open")),
    (Lead.Status.UNASSIGNED, Lead.Status.UNASSIGNED.label),
    (Lead.Status.ASSIGNED, Lead.Status.ASSIGNED.label),
    ("overdue", gettext_lazy("Overdue")),
    ("escalated", gettext_lazy("Waiting for their owner")),
    (Lead.Status.ACCEPTED, Lead.Status.ACCEPTED.label),
    (Lead.Status.WORKING, Lead.Status.WORKING.label),
    (Lead.Status.CONVERTED, Lead.Status.CONVERTED.label),
    (Lead.Status.LOST, Lead.Status.LOST.label),
]
BULK_REPORT_NAMES = 20


def _optional_url(name: str) -> str | None:
    """The URL of a page another part of the portal may not have yet (the page works without it)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _query(filters: LeadFilters, sort: str = DEFAULT_SORT, **changes) -> str:
    """The list's query string: the filters (with `changes`) and the sort order when not the default."""
    text = replace(filters, **changes).querystring() if changes else filters.querystring()
    if sort != DEFAULT_SORT:
        text = f"{text}&{urlencode({'sort': sort})}" if text else urlencode({"sort": sort})
    return text


def _sort_heads(filters: LeadFilters, sort: str) -> dict[str, dict]:
    """Per sortable column: the link that sorts by it (again: the other way round) and its aria-sort."""
    heads = {}
    for key, first in (("created", "-created"), ("accept_by", "accept_by")):
        current = sort.lstrip("-") == key
        other = (key if sort.startswith("-") else f"-{key}") if current else first
        heads[key] = {"query": _query(filters, other),
                      "aria": ("descending" if sort.startswith("-") else "ascending") if current else ""}
    return heads


def _list(request: HttpRequest, params: QueryDict, *, status: int = 200) -> HttpResponse:
    viewer = request.viewer
    filters = LeadFilters.from_request(params, staff=True)
    sort = params.get("sort", "") if params.get("sort", "") in SORTS else DEFAULT_SORT
    leads = leads_visible_to(viewer, filters).order_by(*SORTS[sort])
    page = Paginator(leads, PAGE_SIZE).get_page(params.get("page"))
    counts = status_counts(viewer, filters)
    # The filter lists only the partners and rules this member may see (a confined manager: their book).
    partners = list(partners_visible_to(viewer).order_by("name").only("pk", "name", "status"))
    rules = list(viewer.scope(LeadRule.objects.all(), unowned=True).order_by("position", "name").only("pk", "name"))
    context = {
        "page": page, "filters": filters, "sort": sort, "now": timezone.now(),
        "querystring": _query(filters, sort), "export_query": filters.querystring(),
        "chips": [{"value": value, "label": label, "count": counts["all" if not value else value],
                   "query": _query(filters, sort, status=value)} for value, label in CHIPS],
        "sort_heads": _sort_heads(filters, sort),
        "is_filtered": bool(filters.querystring()), "total": counts["all"],
        "partners": partners, "active_partners": [p for p in partners if p.status == Partner.Status.ACTIVE],
        "rules": rules, "statuses": Lead.Status.choices, "sources": Lead.Source.choices, "regions": REGIONS,
        "industries": INDUSTRIES, "countries": list(countries),
        "can_manage": request.membership.can_manage, "bulk_actions": BulkForm.ACTIONS,
        "analytics_url": _optional_url("analytics:leads"), "api_url": _optional_url("integrations:tokens"),
    }
    partial = request.htmx and not request.htmx.boosted
    return render(request, "leads/staff_list.html#lead-table" if partial else "leads/staff_list.html", context,
                  status=status)


def lead_list_page(request: HttpRequest) -> HttpResponse:
    """The staff lead list (leads:list dispatches here for staff; its decorator checked the member)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _list(request, request.GET)


@member_required
@require_GET
def lead_export(request: HttpRequest):
    """The list as CSV with the list's filters; the selector decides the columns per viewer
    (partners: their own leads, contacts only once accepted, no other partner's name)."""
    filters = LeadFilters.from_request(request.GET, staff=not request.membership.is_partner)
    header, rows = export_rows(request.viewer, filters)
    return csv_response(f"leads-{request.tenant.slug}.csv", header, rows, tenant=request.tenant)


# --- Bulk actions -------------------------------------------------------------------------------


def _back_params(request: HttpRequest) -> QueryDict:
    """The list's filters, sort and page as they were when the bulk bar was posted."""
    params = QueryDict(request.POST.get("querystring", ""), mutable=True)
    if request.POST.get("page", "").isdigit():
        params["page"] = request.POST["page"]
    return params


def _report(request: HttpRequest, result: BulkResult) -> None:
    """One message for the leads that moved, one for each lead that did not, with the reason."""
    if result.moved:
        names = ", ".join(f"{lead.company_name} → {partner}" for lead, partner in result.moved[:BULK_REPORT_NAMES])
        if len(result.moved) > BULK_REPORT_NAMES:
            names += " " + _("and %(n)d more") % {"n": len(result.moved) - BULK_REPORT_NAMES}
        messages.success(request, ngettext("%(n)d lead moved: %(names)s.", "%(n)d leads moved: %(names)s.",
                                           len(result.moved)) % {"n": len(result.moved), "names": names})
    for lead, why in result.unassigned:
        messages.warning(request, _("%(company)s is unassigned and waits for its owner: %(why)s") % {
            "company": lead.company_name, "why": why})
    for lead, reason in result.refused:
        messages.error(request, _("%(company)s was not changed: %(reason)s") % {
            "company": lead.company_name, "reason": reason})
    if not (result.moved or result.unassigned or result.refused):
        messages.info(request, _("Nothing was changed."))


@manager_required
@require_POST
def lead_bulk(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    back = _back_params(request)
    form = BulkForm(request.POST, leads=leads_visible_to(viewer),
                    partners=partners_visible_to(viewer).filter(status=Partner.Status.ACTIVE))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _list(request, back, status=INVALID_FORM_STATUS)
    data = form.cleaned_data
    try:
        result = leads_bulk_action(tenant=request.tenant, leads=list(data["leads"]), actor=request.user,
                                   action=data["action"], partner=data["partner"], reason=data["reason"],
                                   take_back=data["take_back"], request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _list(request, back, status=INVALID_FORM_STATUS)
    _report(request, result)
    if request.htmx:
        return _list(request, back)
    query = back.urlencode()
    return redirect(reverse("leads:list") + (f"?{query}" if query else ""))


# --- Adding and editing a lead ------------------------------------------------------------------


def _check(request: HttpRequest, form: LeadForm, exclude=()) -> HttpResponse:
    """htmx: the errors of the fields typed in so far (or just left), and whether an open lead for
    the same company exists, swapped out of band into the form's slots."""
    form.is_valid()
    errors = {name: list(form.errors.get(name, [])) for name in form.fields}
    try:
        validate_lead(tenant=request.tenant, data=form.service_data())
    except ValidationError as exc:
        for name, messages_ in exc.message_dict.items():
            if name in errors and not errors[name]:
                errors[name] = messages_
    touched = {name for name in form.fields if request.POST.get(name, "").strip()}
    touched.add(request.headers.get("HX-Trigger-Name", ""))
    shown = {name: (errs if name in touched else []) for name, errs in errors.items()}
    duplicates = []
    if {"company_name", "website"} & touched and not errors["company_name"]:
        duplicates = lead_duplicates(tenant=request.tenant, data=form.service_data(), exclude=exclude)
    return render(request, "leads/_staff_form_check.html", {"errors": shown, "duplicates": duplicates})


def _duplicates(request: HttpRequest, form: LeadForm, exc: ValidationError, exclude=()) -> list[dict]:
    """The open leads a refused save looks like (shown with a "create anyway" choice), with a link
    to those this member may open."""
    if "company_name" not in getattr(exc, "error_dict", {}):
        return []
    matches = lead_duplicates(tenant=request.tenant, data=form.service_data(), exclude=exclude)
    visible = set(leads_visible_to(request.viewer).filter(pk__in=[m["id"] for m in matches]).values_list("pk", flat=True))
    return [{**m, "visible": m["id"] in visible, "status_label": Lead.Status(m["status"]).label} for m in matches]


def _form_page(request: HttpRequest, form: LeadForm, *, lead: Lead | None = None, duplicates=()) -> HttpResponse:
    return render(request, "leads/lead_form.html", {"form": form, "lead": lead, "duplicates": duplicates},
                  status=form_status(form) if request.method == "POST" else 200)


def _created_message(lead: Lead, routed: bool) -> str:
    if lead.status == Lead.Status.ASSIGNED:
        return _("Lead created and offered to %(partner)s.") % {"partner": lead.partner.name}
    if routed:
        return _("Lead created. No partner could take it yet; it waits for its owner.")
    return _("Lead created. Route it when it is ready.")


@manager_required
@require_http_methods(["GET", "POST"])
def lead_create_view(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    form = LeadForm(request.POST or None, tenant=tenant, initial={"owner": request.user.pk})
    if request.method == "POST" and request.htmx and request.POST.get("_validate"):
        return _check(request, form)
    duplicates: list = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead, created = lead_create(tenant=tenant, data=form.service_data(), user=request.user, owner=data["owner"],
                                        route=data["route"], allow_duplicate=data["allow_duplicate"], request=request)
        except ValidationError as exc:
            duplicates = _duplicates(request, form, exc)  # before the errors empty cleaned_data's fields
            add_service_errors(form, exc)
        else:
            messages.success(request, _created_message(lead, data["route"]))
            return redirect("leads:detail", lead_id=lead.pk)
    return _form_page(request, form, duplicates=duplicates)


def _closed(request: HttpRequest, lead: Lead, message: str) -> HttpResponse:
    messages.info(request, message % {"status": lead.get_status_display().lower()})
    return redirect("leads:detail", lead_id=lead.pk)


@manager_required
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, lead_id) -> HttpResponse:
    lead = lead_for(request.viewer, lead_id)
    if not lead.is_open:
        return _closed(request, lead, _("This lead is %(status)s; it can no longer be edited."))
    form = LeadForm(request.POST or None, tenant=request.tenant, editing=True, initial=LeadForm.initial_for(lead))
    if request.method == "POST" and request.htmx and request.POST.get("_validate"):
        return _check(request, form, exclude=[lead.pk])
    duplicates: list = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead_update(tenant=request.tenant, lead=lead, actor=request.user, data=form.service_data(),
                        owner=data["owner"], allow_duplicate=data["allow_duplicate"], request=request)
        except ValidationError as exc:
            duplicates = _duplicates(request, form, exc, exclude=[lead.pk])
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Lead updated."))
            return redirect("leads:detail", lead_id=lead.pk)
    return _form_page(request, form, lead=lead, duplicates=duplicates)


# --- Reassigning one lead -----------------------------------------------------------------------


def _to_detail(request: HttpRequest, lead: Lead) -> HttpResponse:
    url = reverse("leads:detail", kwargs={"lead_id": lead.pk})
    if request.htmx:  # a full navigation, not a fragment swapped into the lead page
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@manager_required
@require_http_methods(["GET", "POST"])
def lead_reassign_view(request: HttpRequest, lead_id) -> HttpResponse:
    """GET: the choice of partner (or the next candidate) with a reason. POST: lead_reassign."""
    lead = lead_for(request.viewer, lead_id)
    form = ReassignForm.for_lead(request.POST or None, viewer=request.viewer, lead=lead)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead = lead_reassign(tenant=request.tenant, lead=lead, actor=request.user, partner=data["partner"],
                                 reason=data["reason"], take_back=data["take_back"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if lead.partner_id is not None:
                messages.success(request, _("The lead is now offered to %(partner)s.") % {"partner": lead.partner.name})
            else:
                messages.warning(request, _("No other partner could take the lead; it waits for its owner."))
            return _to_detail(request, lead)
    held = lead.status in (Lead.Status.ACCEPTED, Lead.Status.WORKING)
    return render(request, "leads/reassign.html", {"lead": lead, "form": form, "held": held},
                  status=form_status(form) if request.method == "POST" else 200)
