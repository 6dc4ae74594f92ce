"""The partner side of leads: the inbox (tabs, filters, share and capacity panel) and the actions on
a lead (accept, decline, status, assign within the organisation, convert to a deal).

Thin: parse, call a service or selector, render. Inbox rows are replaced in place by htmx (the row
partial "leads/inbox.html#lead-row"); without JavaScript every action is a POST and a redirect."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leads import selectors, services
from leads.choices import INDUSTRIES
from leads.forms.inbox import AssignForm, CapacityForm, ConvertForm, DeclineForm, StatusForm
from leads.models import Lead, LeadAssignment, LeadSettings, PartnerLeadProfile
from leads.services.convert import CONVERTIBLE
from leads.views.detail import lead_page
from prm.forms import INVALID_FORM_STATUS, add_service_errors
from prm.tenancy.access import partner_admin_required, partner_required
from prm.tenancy.roles import Role

PAGE_SIZE = 25
RETURNED = "returned"
TABS = [*selectors.INBOX_TABS, RETURNED]
CONFLICT_STATUS = 409


def _tab_labels() -> dict[str, str]:
    return {"new": _("New offers"), "accepted": _("Accepted"), "working": _("Working"),
            "converted": _("Converted"), "lost": _("Lost"), RETURNED: _("Returned")}


# --- The inbox page -----------------------------------------------------------------------------


def _capacity(request: HttpRequest) -> dict:
    """The organisation's declared capacity and how much of it is in use (two queries)."""
    partner = request.membership.partner
    profile = PartnerLeadProfile.objects.filter(tenant=request.tenant, partner=partner).first()
    default = LeadSettings.for_tenant(request.tenant).lead_default_capacity
    held = Lead.objects.filter(tenant=request.tenant, partner=partner).held().count()
    return {"declared": profile.max_open_leads if profile else None, "default": default,
            "limit": profile.max_open_leads if profile else default, "held": held,
            "can_edit": request.membership.role == Role.PARTNER_ADMIN}


def _rows_and_counts(request: HttpRequest, tab: str, filters: selectors.LeadFilters):
    viewer = request.viewer
    # Tab counts follow the search filters but not the tab itself: one aggregate.
    by_status = selectors.status_counts(viewer, filters)
    counts = {tab: by_status[status] for tab, status in selectors.INBOX_TABS.items()}
    returned = selectors.returned_assignments(viewer)
    if filters.q:
        returned = returned.filter(Q(lead__company_name__icontains=filters.q) | Q(lead__domain__icontains=filters.q))
    for field in ("country", "industry"):
        if getattr(filters, field):
            returned = returned.filter(**{f"lead__{field}": getattr(filters, field)})
    if filters.mine:
        returned = returned.filter(decided_by=viewer.user)
    counts[RETURNED] = returned.count()
    rows = returned if tab == RETURNED else selectors.leads_visible_to(viewer, filters)
    return rows, counts


def _inbox_context(request: HttpRequest, capacity_form: CapacityForm | None = None) -> dict:
    viewer = request.viewer
    tab = request.GET.get("status", "")
    tab = tab if tab in TABS else "new"
    filters = selectors.LeadFilters.from_request(request.GET, staff=False)
    filters.status = "" if tab == RETURNED else tab
    rows, counts = _rows_and_counts(request, tab, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    capacity = _capacity(request)
    if capacity["can_edit"] and capacity_form is None:
        capacity_form = CapacityForm(initial={"max_open_leads": capacity["limit"]})
    settings = LeadSettings.for_tenant(request.tenant)
    labels = _tab_labels()
    without_tab = dataclasses.replace(filters, status="").querystring()
    filtered = bool(filters.q or filters.country or filters.industry or filters.mine)
    countries = (Lead.objects.filter(tenant=request.tenant, partner_id=viewer.partner_id).exclude(country="")
                 .order_by("country").values_list("country", flat=True).distinct())
    from django_countries import countries as country_names

    return {
        "tab": tab, "tabs": [(key, labels[key], counts[key]) for key in TABS], "tab_label": labels[tab],
        "filters": filters, "filtered": filtered, "page": page, "querystring": filters.querystring(),
        "tab_querystring": without_tab, "is_returned": tab == RETURNED,
        "share": selectors.partner_share(viewer), "capacity": capacity, "capacity_form": capacity_form,
        "accept_hours": settings.lead_accept_hours, "business_hours": settings.lead_business_hours,
        "window_days": settings.lead_window_days, "industries": INDUSTRIES,
        "countries": [(code, country_names.name(code)) for code in countries],
        "decline_open": None, "is_partner_admin": request.membership.role == Role.PARTNER_ADMIN,
    }


def inbox_page(request: HttpRequest) -> HttpResponse:
    """The partner's lead inbox (reached through lists.lead_list, which checks the membership)."""
    context = _inbox_context(request)
    template = "leads/inbox.html#inbox-table" if request.htmx and not request.htmx.boosted else "leads/inbox.html"
    return render(request, template, context)


# --- Capacity -----------------------------------------------------------------------------------


@partner_admin_required
@require_POST
def capacity(request: HttpRequest) -> HttpResponse:
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.lead_capacity_set(tenant=request.tenant, partner=request.membership.partner, user=request.user,
                                       max_open_leads=form.cleaned_data["max_open_leads"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            value = form.cleaned_data["max_open_leads"]
            text = (_("New leads are paused: your organisation takes no new leads until you raise its capacity.")
                    if value == 0 else _("Saved: your organisation takes up to %(n)d open leads at once.") % {"n": value})
            if request.htmx:
                context = {"capacity": _capacity(request), "capacity_form": CapacityForm(
                    initial={"max_open_leads": value}), "capacity_saved": text}
                return render(request, "leads/inbox.html#capacity-panel", context)
            messages.success(request, text)
            return redirect("leads:list")
    if request.htmx:
        return render(request, "leads/inbox.html#capacity-panel",
                      {"capacity": _capacity(request), "capacity_form": form}, status=INVALID_FORM_STATUS)
    return render(request, "leads/inbox.html", _inbox_context(request, capacity_form=form), status=INVALID_FORM_STATUS)


# --- Actions on one lead ------------------------------------------------------------------------


class NoLongerOffered(Exception):
    """The organisation had this lead once (declined, expired, taken back): say so instead of a bare 404."""


def _own_lead(request: HttpRequest, lead_id) -> Lead:
    try:
        return selectors.lead_for(request.viewer, lead_id)
    except Http404:
        if request.viewer.scope(LeadAssignment.objects.filter(lead_id=lead_id)).exists():
            raise NoLongerOffered from None
        raise


def _back(request: HttpRequest, lead: Lead | None) -> HttpResponse:
    """Where a plain (no JavaScript) POST goes back to: the inbox it came from, else the lead page."""
    if request.POST.get("from") == "inbox" or lead is None:
        tab = request.POST.get("tab", "")
        return redirect(reverse("leads:list") + (f"?status={tab}" if tab in TABS else ""))
    return redirect("leads:detail", lead_id=lead.pk)


def _row(request: HttpRequest, lead: Lead, *, status: int = 200, notice: str = "", error: str = "",
         decline_form: DeclineForm | None = None) -> HttpResponse:
    """The inbox row of one lead, re-read so it shows what the action changed."""
    context = {"lead": lead, "row_response": True, "notice": notice, "row_error": error, "tab": request.POST.get("tab", ""),
               "decline_form": decline_form, "decline_open": lead.pk if decline_form is not None else None,
               "is_partner_admin": request.membership.role == Role.PARTNER_ADMIN}
    return render(request, "leads/inbox.html#lead-row", context, status=status)


def _fresh(request: HttpRequest, lead: Lead) -> Lead:
    """The lead as the inbox lists it, re-read after an action (a list query, not a second lookup)."""
    return selectors.leads_visible_to(request.viewer).filter(pk=lead.pk).first() or lead


def _gone(request: HttpRequest, lead_id) -> HttpResponse:
    text = _("This lead is no longer offered to your organisation: it was declined, its time to accept ran out, "
             "or it was passed to another partner.")
    if request.htmx:
        return render(request, "leads/inbox.html#gone-row", {"message": text, "lead_id": lead_id},
                      status=INVALID_FORM_STATUS)
    messages.error(request, text)
    return _back(request, None)


def _refused(request: HttpRequest, lead: Lead, exc: ValidationError) -> HttpResponse:
    text = " ".join(exc.messages)
    if request.htmx:
        fresh = selectors.leads_visible_to(request.viewer).filter(pk=lead.pk).first()
        if fresh is None:
            return render(request, "leads/inbox.html#gone-row", {"message": text, "lead_id": lead.pk},
                          status=INVALID_FORM_STATUS)
        return _row(request, fresh, status=INVALID_FORM_STATUS, error=text)
    messages.error(request, text)
    still_mine = selectors.leads_visible_to(request.viewer).filter(pk=lead.pk).exists()
    return _back(request, lead if still_mine else None)


@partner_required
@require_POST
def accept(request: HttpRequest, lead_id) -> HttpResponse:
    try:
        lead = _own_lead(request, lead_id)
    except NoLongerOffered:
        return _gone(request, lead_id)
    try:
        services.lead_accept(tenant=request.tenant, lead=lead, partner=request.membership.partner,
                             user=request.user, request=request)
    except ValidationError as exc:
        return _refused(request, lead, exc)
    text = _("Accepted: %(company)s is yours. The contact details are now shown.") % {"company": lead.company_name}
    if request.htmx:
        return _row(request, _fresh(request, lead), notice=text)
    messages.success(request, text)
    return redirect("leads:detail", lead_id=lead.pk)


@partner_required
@require_POST
def decline(request: HttpRequest, lead_id) -> HttpResponse:
    try:
        lead = _own_lead(request, lead_id)
    except NoLongerOffered:
        return _gone(request, lead_id)
    from_inbox = request.POST.get("from") == "inbox"
    form = DeclineForm(request.POST, lead=lead if from_inbox else None)
    if form.is_valid():
        try:
            services.lead_decline(tenant=request.tenant, lead=lead, partner=request.membership.partner,
                                  user=request.user, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            if "reason" in getattr(exc, "error_dict", {}):
                add_service_errors(form, exc)
            else:
                return _refused(request, lead, exc)
        else:
            text = _("Declined: %(company)s goes to another partner. Thank you for saying why.") % {
                "company": lead.company_name}
            if request.htmx:
                return render(request, "leads/inbox.html#gone-row", {"message": text, "lead_id": lead.pk,
                                                                     "ok": True})
            messages.success(request, text)
            return _back(request, None)
    if request.htmx:
        return _row(request, lead, status=INVALID_FORM_STATUS, decline_form=form)
    if from_inbox:
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return _back(request, lead)
    return lead_page(request, lead, status=INVALID_FORM_STATUS, decline_form=form)


@partner_required
@require_POST
def status(request: HttpRequest, lead_id) -> HttpResponse:
    try:
        lead = _own_lead(request, lead_id)
    except NoLongerOffered:
        return _gone(request, lead_id)
    form = StatusForm(request.POST, lead=lead)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.lead_status_update(tenant=request.tenant, lead=lead, partner=request.membership.partner,
                                        user=request.user, status=data["status"], reason=data["reason"],
                                        request=request)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _refused(request, lead, exc)
            add_service_errors(form, exc)
        else:
            text = (_("%(company)s is marked lost.") if data["status"] == Lead.Status.LOST
                    else _("%(company)s is marked as working.")) % {"company": lead.company_name}
            if request.htmx:
                return _row(request, _fresh(request, lead), notice=text)
            messages.success(request, text)
            return _back(request, lead)
    errors = [e for errs in form.errors.values() for e in errs]
    if request.htmx:
        return _row(request, lead, status=INVALID_FORM_STATUS, error=" ".join(errors))
    if request.POST.get("from") == "inbox":
        for error in errors:
            messages.error(request, error)
        return _back(request, lead)
    return lead_page(request, lead, status=INVALID_FORM_STATUS, status_form=form)


@partner_admin_required
@require_POST
def assign_member(request: HttpRequest, lead_id) -> HttpResponse:
    try:
        lead = _own_lead(request, lead_id)
    except NoLongerOffered:
        return _gone(request, lead_id)
    partner = request.membership.partner
    form = AssignForm(request.POST, tenant=request.tenant, partner=partner)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            services.lead_assign(tenant=request.tenant, lead=lead, partner=partner, user=request.user,
                                 assignee=assignee, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
        else:
            messages.success(request, _("%(company)s is assigned to %(name)s.") % {
                "company": lead.company_name, "name": assignee.get_full_name() or assignee.email})
            return redirect("leads:detail", lead_id=lead.pk)
    return lead_page(request, lead, status=INVALID_FORM_STATUS, assign_form=form)


@partner_required
@require_http_methods(["GET", "POST"])
def convert(request: HttpRequest, lead_id) -> HttpResponse:
    """GET: the conflict check and the conversion form on the lead page. POST: convert, then the new deal."""
    lead = selectors.lead_for(request.viewer, lead_id)
    if lead.status == Lead.Status.CONVERTED and lead.deal_id:
        messages.info(request, _("This lead was already converted to a deal registration."))
        return redirect("deals:detail", deal_id=lead.deal_id)
    if lead.status not in CONVERTIBLE:
        messages.info(request, _("Only a lead your organisation has accepted can be converted."))
        return redirect("leads:detail", lead_id=lead.pk)
    form = ConvertForm(request.POST or None, tenant=request.tenant, lead=lead)
    status_code = 200
    if request.method == "POST":
        status_code = INVALID_FORM_STATUS
        if form.is_valid():
            data = form.cleaned_data
            try:
                deal = services.lead_convert(
                    tenant=request.tenant, lead=lead, partner=request.membership.partner, user=request.user,
                    amount=data["amount"], expected_close_date=data["expected_close_date"],
                    products=list(data["products"]), request=request)
            except services.ConversionConflict as exc:
                add_service_errors(form, exc)
                status_code = CONFLICT_STATUS
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Converted: %(company)s is now a protected deal registration.") % {
                    "company": lead.company_name})
                return redirect("deals:detail", deal_id=deal.pk)
    return lead_page(request, lead, status=status_code, convert_form=form,
                     conversion=selectors.conversion_check(request.viewer, lead))
