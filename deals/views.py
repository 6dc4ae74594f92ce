"""Deal pages. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deals import selectors, services
from deals.forms import (
    AppealForm,
    BulkForm,
    DealPartnerForm,
    DecideForm,
    DecisionForm,
    ExtensionForm,
    HouseAccountImportForm,
    OutcomeForm,
    RegistrationForm,
    RespondForm,
    RevertWonForm,
    UpdateForm,
)
from deals.models import DealAppeal, DealExtension, DealPartner, DealRegistration, DealSettings, HouseAccount
from prm.csv_safe import csv_response
from prm.forms import INVALID_FORM_STATUS, add_service_errors
from prm.tenancy.access import manager_required, member_required, partner_required, tenant_admin_required
from prm.tenancy.views import render_error

# --- Lists and export ---------------------------------------------------------------------------


@member_required
@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    staff = not membership.is_partner
    filters = selectors.DealFilters.from_request(request.GET, staff=staff)
    deals = selectors.deal_list(request.viewer, filters).only(*selectors.LIST_COLUMNS)
    page = Paginator(deals, selectors.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "filters": filters, "staff": staff, "statuses": DealRegistration.Status.choices,
               "kinds": DealRegistration.Kind.choices, "origins": DealRegistration.Origin.choices, "querystring": filters.querystring()}
    if staff:
        from partners.selectors import partners_visible_to

        # The filter lists only the partners this member may see (a confined manager: their book).
        context["partners"] = partners_visible_to(request.viewer).order_by("name").only("pk", "name")
    else:
        partner = membership.partner
        options = services.registration_options(partner, membership.role)
        context["can_deal"], context["deal_reason"] = options[DealRegistration.Kind.DEAL]
        context["can_refer"] = options[DealRegistration.Kind.REFERRAL][0]
    template = "deals/list.html#deal-table" if request.htmx and not request.htmx.boosted else "deals/list.html"
    return render(request, template, context)


@member_required
@require_GET
def deal_export(request: HttpRequest):
    membership = request.membership
    filters = selectors.DealFilters.from_request(request.GET, staff=not membership.is_partner)
    header, rows = selectors.export_rows(request.viewer, filters)
    return csv_response(f"deals-{request.tenant.slug}.csv", header, rows, tenant=request.tenant)


# --- Registration -------------------------------------------------------------------------------


def _register(request: HttpRequest, kind: str) -> HttpResponse:
    partner = request.membership.partner
    options = services.registration_options(partner, request.membership.role)
    ok, reason = options[kind]
    if not ok:
        if kind == DealRegistration.Kind.DEAL and options[DealRegistration.Kind.REFERRAL][0]:
            messages.info(request, reason)
            return redirect("deals:refer")
        return render(request, "deals/register_closed.html", {"reason": reason}, status=403)
    form = RegistrationForm(request.POST or None, tenant=request.tenant, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            deal, created = services.deal_register(
                tenant=request.tenant, partner=partner, user=request.user, data=form.cleaned_data, kind=kind,
                nonce=form.cleaned_data["nonce"], request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
        else:
            if created:
                messages.success(request, _("Registration received. Your channel manager will review it."))
            else:
                messages.info(request, _("We had already received this registration; it was not submitted twice."))
            return redirect("deals:detail", deal_id=deal.pk)
    return render(request, "deals/register.html", {"form": form, "kind": kind, "is_referral": kind == "referral"},
                  status=INVALID_FORM_STATUS if request.method == "POST" else 200)


@partner_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    return _register(request, DealRegistration.Kind.DEAL)


@partner_required
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    return _register(request, DealRegistration.Kind.REFERRAL)


@partner_required
@require_POST
def register_check(request: HttpRequest) -> HttpResponse:
    """htmx: validate what was typed so far (errors only for filled-in or just-left fields) and
    say neutrally whether the customer may already be registered."""
    kind = request.POST.get("kind") if request.POST.get("kind") in DealRegistration.Kind.values else "deal"
    form = RegistrationForm(request.POST, tenant=request.tenant, kind=kind)
    form.is_valid()
    touched = {name for name in form.fields if request.POST.get(name, "").strip()}
    touched.add(request.headers.get("HX-Trigger-Name", ""))
    errors = {name: form.errors.get(name, []) for name in form.fields if name != "nonce"}
    shown = {name: (errs if name in touched else []) for name, errs in errors.items()}
    name = request.POST.get("customer_name", "").strip()
    conflict = bool(name) and services.possible_conflict(
        tenant=request.tenant, name=name, website=request.POST.get("website", ""),
        email=request.POST.get("contact_email", ""))
    return render(request, "deals/_check.html", {"errors": shown, "conflict": conflict, "checked": bool(name)})


@partner_required
@require_GET
def register_companies(request: HttpRequest) -> HttpResponse:
    """htmx: the suggestion list of the customer field while the partner types: house accounts
    (so the partner knows before submitting) and the organisation's own earlier customers."""
    text = request.GET.get("customer_name", "")
    suggestions = selectors.company_suggestions(request.viewer, text)
    return render(request, "deals/_company_suggestions.html", {"suggestions": suggestions})


# --- Deal page and its actions --------------------------------------------------------------------


def _detail(request: HttpRequest, deal: DealRegistration, status: int = 200, **forms) -> HttpResponse:
    membership = request.membership
    context = selectors.deal_detail_context(deal, request.viewer)
    staff = not membership.is_partner
    context.update({
        "staff": staff,
        "can_manage": membership.can_manage,
        "is_admin": membership.is_tenant_admin,
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "update_form": forms.get("update_form") or UpdateForm(initial={
            "stage": deal.stage, "expected_close_date": deal.expected_close_date, "amount": deal.amount,
            "notes": deal.notes}),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(initial={"amount": deal.amount}),
        "extension_form": forms.get("extension_form") or ExtensionForm(),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "appeal_form": forms.get("appeal_form") or AppealForm(),
        "respond_form": forms.get("respond_form") or RespondForm(),
        "partner_form": forms.get("partner_form") or (DealPartnerForm(viewer=request.viewer) if staff else None),
        "appeal_decide_form": forms.get("appeal_decide_form") or DecideForm(),
        "revert_form": forms.get("revert_form") or RevertWonForm(),
    })
    return render(request, "deals/detail.html", context, status=status)


@member_required
@require_GET
def detail(request: HttpRequest, deal_id) -> HttpResponse:
    return _detail(request, selectors.deal_for(request.viewer, deal_id))


def _partner_deal(request, deal_id) -> DealRegistration:
    return selectors.deal_for(request.viewer, deal_id)


@partner_required
@require_POST
def update(request: HttpRequest, deal_id) -> HttpResponse:
    deal = _partner_deal(request, deal_id)
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            services.deal_update(tenant=request.tenant, deal=deal, user=request.user, request=request, **form.cleaned_data)
            messages.success(request, _("Registration updated."))
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    return _detail(request, deal, status=INVALID_FORM_STATUS, update_form=form)


@member_required
@require_POST
def outcome(request: HttpRequest, deal_id) -> HttpResponse:
    """Partners record the outcome of their deals; managers also for referrals and lapsed deals."""
    membership = request.membership
    if not (membership.is_partner or membership.can_manage):
        return render_error(request, 403, reason="role")
    deal = selectors.deal_for(request.viewer, deal_id)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == "won":
                services.deal_mark_won(tenant=request.tenant, deal=deal, user=request.user, amount=data["amount"],
                                       closed_on=data["closed_on"], staff=not membership.is_partner, request=request)
                messages.success(request, _("Congratulations! The deal is recorded as won."))
            else:
                services.deal_mark_lost(tenant=request.tenant, deal=deal, user=request.user, reason=data["lost_reason"],
                                        closed_on=data["closed_on"], staff=not membership.is_partner, request=request)
                messages.success(request, _("The deal is recorded as lost."))
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    return _detail(request, deal, status=INVALID_FORM_STATUS, outcome_form=form)


@manager_required
@require_POST
def revert_won(request: HttpRequest, deal_id) -> HttpResponse:
    """Staff correct a win recorded by mistake (incentives reverse what the win accrued)."""
    deal = selectors.deal_for(request.viewer, deal_id)
    form = RevertWonForm(request.POST)
    if form.is_valid():
        try:
            deal = services.deal_revert_won(tenant=request.tenant, deal=deal, actor=request.user,
                                            reason=form.cleaned_data["reason"], request=request)
            messages.success(request, _("The win is reverted; the registration is now %(status)s.") % {
                "status": deal.get_status_display().lower()})
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    return _detail(request, deal, status=INVALID_FORM_STATUS, revert_form=form)


@partner_required
@require_POST
def respond(request: HttpRequest, deal_id) -> HttpResponse:
    deal = _partner_deal(request, deal_id)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.deal_respond(tenant=request.tenant, deal=deal, user=request.user,
                                  response=form.cleaned_data["response"], request=request)
            messages.success(request, _("Thanks, your registration is back in the review queue."))
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    return _detail(request, deal, status=INVALID_FORM_STATUS, respond_form=form)


@partner_required
@require_POST
def extension(request: HttpRequest, deal_id) -> HttpResponse:
    deal = _partner_deal(request, deal_id)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_request(tenant=request.tenant, deal=deal, user=request.user, request=request,
                                       **form.cleaned_data)
            messages.success(request, _("Extension requested. Your channel manager will decide."))
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    return _detail(request, deal, status=INVALID_FORM_STATUS, extension_form=form)


@manager_required
@require_POST
def extension_decide(request: HttpRequest, deal_id) -> HttpResponse:
    deal = selectors.deal_for(request.viewer, deal_id)
    ext = DealExtension.objects.filter(deal=deal, status=DealExtension.Status.PENDING).first()
    if ext is None:
        messages.error(request, _("No extension request is waiting for a decision on this registration."))
        return redirect("deals:detail", deal_id=deal.pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.extension_decide(tenant=request.tenant, extension=ext, actor=request.user,
                                      approve=form.cleaned_data["decision"] == "yes",
                                      reason=form.cleaned_data["reason"], request=request)
            messages.success(request, _("Extension decided."))
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    return _detail(request, deal, status=INVALID_FORM_STATUS, decide_form=form)


@partner_required
@require_POST
def appeal(request: HttpRequest, deal_id) -> HttpResponse:
    deal = _partner_deal(request, deal_id)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services.deal_appeal(tenant=request.tenant, deal=deal, user=request.user,
                                 comment=form.cleaned_data["comment"], request=request)
            messages.success(request, _("Appeal sent to the program administrators."))
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    return _detail(request, deal, status=INVALID_FORM_STATUS, appeal_form=form)


@tenant_admin_required
@require_POST
def appeal_decide(request: HttpRequest, deal_id) -> HttpResponse:
    deal = selectors.deal_for(request.viewer, deal_id)
    pending = DealAppeal.objects.filter(deal=deal, status=DealAppeal.Status.PENDING).first()
    if pending is None:
        messages.error(request, _("No appeal is waiting for a decision on this registration."))
        return redirect("deals:detail", deal_id=deal.pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_decide(tenant=request.tenant, appeal=pending, actor=request.user,
                                   reverse=form.cleaned_data["decision"] == "yes",
                                   reason=form.cleaned_data["reason"], request=request)
            messages.success(request, _("Appeal decided."))
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    return _detail(request, deal, status=INVALID_FORM_STATUS, appeal_decide_form=form)


@manager_required
@require_POST
def decide(request: HttpRequest, deal_id) -> HttpResponse:
    deal = selectors.deal_for(request.viewer, deal_id)
    form = DecisionForm(request.POST)
    from_queue = request.POST.get("from") == "queue"
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "approve":
                services.deal_approve(tenant=request.tenant, deal=deal, actor=request.user, reason=data["reason"],
                                      override_similar=data["override_similar"], request=request)
                messages.success(request, _("Approved: %(customer)s is protected.") % {"customer": deal.customer_name})
            elif data["action"] == "reject":
                services.deal_reject(tenant=request.tenant, deal=deal, actor=request.user, reason=data["reason"],
                                     request=request)
                messages.success(request, _("Rejected: %(customer)s.") % {"customer": deal.customer_name})
            else:
                services.deal_request_info(tenant=request.tenant, deal=deal, actor=request.user,
                                           message=data["reason"], request=request)
                messages.success(request, _("The partner was asked for more information."))
            if from_queue:
                return _queue(request)
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    if from_queue:
        for error in form.non_field_errors() + form.errors.get("reason", []) + form.errors.get("action", []):
            messages.error(request, f"{deal.customer_name}: {error}")
        return _queue(request, status=INVALID_FORM_STATUS)
    return _detail(request, deal, status=INVALID_FORM_STATUS, decision_form=form)


@manager_required
@require_POST
def partner_add(request: HttpRequest, deal_id) -> HttpResponse:
    deal = selectors.deal_for(request.viewer, deal_id)
    form = DealPartnerForm(request.POST, viewer=request.viewer)
    if form.is_valid():
        try:
            services.deal_partner_add(tenant=request.tenant, deal=deal, partner=form.cleaned_data["partner"],
                                      role=form.cleaned_data["role"], actor=request.user, request=request)
            messages.success(request, _("Partner credited on the deal."))
            return redirect("deals:detail", deal_id=deal.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
    return _detail(request, deal, status=INVALID_FORM_STATUS, partner_form=form)


@manager_required
@require_POST
def partner_remove(request: HttpRequest, deal_partner_id) -> HttpResponse:
    link = get_object_or_404(DealPartner.objects.select_related("partner", "deal"), pk=deal_partner_id,
                             deal__in=selectors.deals_visible_to(request.viewer))
    deal = link.deal
    try:
        services.deal_partner_remove(tenant=request.tenant, link=link, actor=request.user, request=request)
        messages.success(request, _("Partner no longer credited on the deal."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("deals:detail", deal_id=deal.pk)


# --- Review queue -----------------------------------------------------------------------------


def _queue(request: HttpRequest, status: int = 200, bulk_form=None) -> HttpResponse:
    params = request.GET if request.method == "GET" else request.POST
    state = params.get("state", "")
    page, groups = selectors.review_queue(request.viewer, page_number=params.get("page"),
                                          status=state)
    context = {"page": page, "groups": groups, "state": state, "bulk_form": bulk_form,
               "querystring": f"state={state}" if state else ""}
    partial = request.htmx and not request.htmx.boosted
    if not partial:  # the page's header states the review deadline
        context["sla_days"] = DealSettings.for_tenant(request.tenant).deal_approval_sla_days
    return render(request, "deals/queue.html#queue" if partial else "deals/queue.html", context, status=status)


@manager_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return _queue(request)


@manager_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    pending = selectors.deals_visible_to(request.viewer).pending()
    form = BulkForm(request.POST, queryset=pending)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _queue(request, status=INVALID_FORM_STATUS, bulk_form=form)
    try:
        result = services.deals_bulk_decide(tenant=request.tenant, deals=list(form.cleaned_data["deals"]),
                                            actor=request.user, action=form.cleaned_data["action"],
                                            reason=form.cleaned_data["reason"], request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _queue(request, status=INVALID_FORM_STATUS, bulk_form=form)
    if result.done:
        messages.success(request, _("%(n)d registration(s) updated.") % {"n": len(result.done)})
    for deal, reason in result.failed:
        messages.error(request, f"{deal.customer_name}: {reason}")
    if request.htmx:
        return _queue(request)
    return redirect(reverse("deals:queue"))


# --- House accounts ---------------------------------------------------------------------------


@manager_required
@require_http_methods(["GET", "POST"])
def house_accounts(request: HttpRequest) -> HttpResponse:
    form = HouseAccountImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.house_accounts_import(tenant=request.tenant, file=form.cleaned_data["file"],
                                                    actor=request.user, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc, request=request)
        else:
            messages.success(request, _("Imported: %(c)d new, %(u)d updated house accounts.") % {
                "c": result.created, "u": result.updated})
            return redirect("deals:house_accounts")
    q = request.GET.get("q", "").strip()[:100]
    qs = HouseAccount.objects.filter(tenant=request.tenant)
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs.order_by("name"), 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "q": q, "querystring": f"q={q}" if q else ""}
    if request.htmx and request.method == "GET":
        return render(request, "deals/house_accounts.html#house-table", context)
    return render(request, "deals/house_accounts.html", context, status=INVALID_FORM_STATUS if request.method == "POST" else 200)


@manager_required
@require_POST
def house_account_delete(request: HttpRequest, house_account_id) -> HttpResponse:
    account = get_object_or_404(HouseAccount, pk=house_account_id)
    services.house_account_delete(tenant=request.tenant, account=account, actor=request.user, request=request)
    messages.success(request, _("House account removed."))
    return redirect("deals:house_accounts")
