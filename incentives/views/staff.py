"""Staff pages: overview and queues, MDF decisions, funds and allocations. Executives read; managers act."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incentives import selectors, services
from incentives.forms import (
    AllocationAdjustForm,
    AllocationForm,
    DecisionForm,
    FundForm,
    ReimburseForm,
    TierRulesForm,
)
from incentives.models import MdfAllocation, MdfClaim, MdfFund, MdfRequest, MdfTierRule
from incentives.views.common import request_detail
from partners.models import Tier
from prm.forms import INVALID_FORM_STATUS, add_service_errors
from prm.tenancy.access import manager_required, staff_required, tenant_admin_required

QUEUES = {
    "requests": (_("Requests awaiting pre-approval"), "request"),
    "claims": (_("Claims awaiting review"), "claim"),
    "reimburse": (_("Approved claims awaiting reimbursement"), "claim"),
}


@staff_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    return render(request, "incentives/staff/home.html", {
        "counts": selectors.overview_counts(request.viewer),
        "requests": list(selectors.request_queue(request.viewer)[:5]),
        "claims": list(selectors.claim_queue(request.viewer)[:5]),
        "funds": selectors.fund_list(tenant)[:6],
        "programs": selectors.program_list(tenant)[:6],
    })


@staff_required
@require_GET
def mdf_queue(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab") if request.GET.get("tab") in QUEUES else "requests"
    if tab == "requests":
        qs = selectors.request_queue(request.viewer)
    else:
        qs = selectors.claim_queue(request.viewer, status=MdfClaim.Status.SUBMITTED if tab == "claims"
                                   else MdfClaim.Status.APPROVED)
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"tab": tab, "tabs": QUEUES, "page": page, "kind": QUEUES[tab][1], "querystring": f"tab={tab}"}
    template = "incentives/staff/queue.html#queue-table" if request.htmx else "incentives/staff/queue.html"
    return render(request, template, context)


# --- Decisions ---------------------------------------------------------------------------------------


def _decision(request, mdf_request, form_name: str, action) -> HttpResponse:
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            action(approve=data["decision"] == "approve", amount=data["amount"], note=data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("incentives:mdf_request", mdf_request_id=mdf_request.pk)
    return request_detail(request, mdf_request, status=INVALID_FORM_STATUS, **{form_name: form})


@manager_required
@require_POST
def mdf_request_decide(request: HttpRequest, mdf_request_id) -> HttpResponse:
    mdf_request = selectors.mdf_request_for(request.viewer, mdf_request_id)

    def act(*, approve, amount, note):
        decided = services.mdf_request_decide(tenant=request.tenant, mdf_request=mdf_request, actor=request.user,
                                              approve=approve, amount=amount, note=note, request=request)
        messages.success(request, _("Pre-approved: the amount is reserved on the partner's allocation.")
                         if decided.status == MdfRequest.Status.APPROVED else _("The request was rejected."))

    return _decision(request, mdf_request, "decide_form", act)


@manager_required
@require_POST
def mdf_claim_decide(request: HttpRequest, mdf_claim_id) -> HttpResponse:
    claim = selectors.claim_for(request.viewer, mdf_claim_id)

    def act(*, approve, amount, note):
        decided = services.mdf_claim_decide(tenant=request.tenant, claim=claim, actor=request.user, approve=approve,
                                            amount=amount, note=note, request=request)
        messages.success(request, _("Claim approved; the rest of the reservation was released.")
                         if decided.status == MdfClaim.Status.APPROVED else
                         _("Claim rejected; the reservation was released."))

    return _decision(request, claim.mdf_request, "claim_decide_form", act)


@manager_required
@require_POST
def mdf_claim_reimburse(request: HttpRequest, mdf_claim_id) -> HttpResponse:
    claim = selectors.claim_for(request.viewer, mdf_claim_id)
    form = ReimburseForm(request.POST)
    if form.is_valid():
        try:
            services.mdf_claim_reimburse(tenant=request.tenant, claim=claim, actor=request.user,
                                         payment_reference=form.cleaned_data["payment_reference"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Marked as reimbursed; the partner was notified."))
            return redirect("incentives:mdf_request", mdf_request_id=claim.mdf_request_id)
    return request_detail(request, claim.mdf_request, status=INVALID_FORM_STATUS, reimburse_form=form)


# --- Funds and allocations ------------------------------------------------------------------------------


@staff_required
@require_GET
def fund_list(request: HttpRequest) -> HttpResponse:
    return render(request, "incentives/staff/funds.html", {"funds": selectors.fund_list(request.tenant)})


def _fund(request, fund_id) -> MdfFund:
    return get_object_or_404(MdfFund.objects.filter(tenant=request.tenant), pk=fund_id)


def _fund_page(request, fund: MdfFund, *, status: int = 200, **forms) -> HttpResponse:
    tenant = request.tenant
    selectors.attach_fund_balances(tenant, [fund])
    membership = request.membership
    tiers = list(Tier.objects.filter(tenant=tenant, mdf_eligible=True).order_by("rank"))
    rules = dict(MdfTierRule.objects.filter(fund=fund).values_list("tier_id", "amount"))
    requests = (request.viewer.scope(MdfRequest.objects.filter(fund=fund))
                .select_related("partner").order_by("-submitted_at")[:20])
    context = {
        "fund": fund, "allocations": selectors.fund_allocations(request.viewer, fund), "requests": requests,
        "tiers": tiers, "rules": rules, "rule_rows": [(t, rules.get(t.pk)) for t in tiers], "can_manage": membership.can_manage, "is_admin": membership.is_tenant_admin,
        "roi": selectors.roi_summary(tenant, fund=fund)["mdf"],
    }
    if membership.can_manage:
        context["allocate_form"] = forms.get("allocate_form") or AllocationForm(tenant=tenant, fund=fund)
    if membership.is_tenant_admin:
        context["rules_form"] = forms.get("rules_form") or TierRulesForm(fund=fund, tiers=tiers, rules=rules)
    return render(request, "incentives/staff/fund_detail.html", context, status=status)


@staff_required
@require_GET
def fund_detail(request: HttpRequest, mdf_fund_id) -> HttpResponse:
    return _fund_page(request, _fund(request, mdf_fund_id))


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def fund_edit(request: HttpRequest, mdf_fund_id=None) -> HttpResponse:
    fund = _fund(request, mdf_fund_id) if mdf_fund_id else MdfFund(currency=request.tenant.base_currency)
    form = FundForm(request.POST or None, instance=fund, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_save(tenant=request.tenant, fund=form.instance, actor=request.user, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Fund saved; its budget is recorded in the ledger."))
            return redirect("incentives:fund_detail", mdf_fund_id=fund.pk)
    return render(request, "incentives/staff/fund_form.html",
                  {"form": form, "fund": None if fund._state.adding else fund},
                  status=INVALID_FORM_STATUS if request.method == "POST" else 200)


@tenant_admin_required
@require_POST
def fund_rules(request: HttpRequest, mdf_fund_id) -> HttpResponse:
    fund = _fund(request, mdf_fund_id)
    tiers = list(Tier.objects.filter(tenant=request.tenant, mdf_eligible=True).order_by("rank"))
    rules = dict(MdfTierRule.objects.filter(fund=fund).values_list("tier_id", "amount"))
    form = TierRulesForm(request.POST, fund=fund, tiers=tiers, rules=rules)
    if form.is_valid():
        try:
            services.fund_rules_save(tenant=request.tenant, fund=fund, amounts=form.amounts(), actor=request.user,
                                     request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Allocation rules saved."))
            return redirect("incentives:fund_detail", mdf_fund_id=fund.pk)
    return _fund_page(request, fund, status=INVALID_FORM_STATUS, rules_form=form)


@manager_required
@require_POST
def fund_allocate(request: HttpRequest, mdf_fund_id) -> HttpResponse:
    fund = _fund(request, mdf_fund_id)
    form = AllocationForm(request.POST, tenant=request.tenant, fund=fund)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.allocation_create(tenant=request.tenant, fund=fund, partner=data["partner"], amount=data["amount"],
                                       currency=data["currency"], rate=data["rate"], note=data["note"],
                                       actor=request.user, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Allocated to %(partner)s.") % {"partner": data["partner"].name})
            return redirect("incentives:fund_detail", mdf_fund_id=fund.pk)
    return _fund_page(request, fund, status=INVALID_FORM_STATUS, allocate_form=form)


@manager_required
@require_POST
def fund_generate(request: HttpRequest, mdf_fund_id) -> HttpResponse:
    fund = _fund(request, mdf_fund_id)
    try:
        made = services.allocations_generate(tenant=request.tenant, fund=fund, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d allocation(s) made from the tier rules.") % {"n": len(made)})
    return redirect("incentives:fund_detail", mdf_fund_id=fund.pk)


@manager_required
@require_POST
def allocation_adjust(request: HttpRequest, mdf_allocation_id) -> HttpResponse:
    allocation = get_object_or_404(request.viewer.scope(MdfAllocation.objects.select_related("fund")),
                                   pk=mdf_allocation_id)
    form = AllocationAdjustForm(request.POST)
    if form.is_valid():
        try:
            services.allocation_adjust(tenant=request.tenant, allocation=allocation, amount=form.cleaned_data["amount"],
                                       actor=request.user, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, _("Allocation adjusted."))
    return redirect("incentives:fund_detail", mdf_fund_id=allocation.fund_id)
