"""Staff pages for SPIF programs, accrual approval into payout batches, the ledger, ROI, and a
partner's statement as staff see it."""

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
    AccrualRejectForm,
    BatchCreateForm,
    LedgerFilterForm,
    ProgramForm,
    RecoverForm,
    ReimburseForm,
)
from incentives.models import PayoutBatch, SpifAccrual, SpifProgram
from incentives.money import format_money as money_label
from incentives.money import quantize
from partners.selectors import can_register_deals, partners_visible_to
from prm.csv_safe import csv_response
from prm.forms import INVALID_FORM_STATUS, add_service_errors
from prm.tenancy.access import manager_required, program_wide, staff_required, tenant_admin_required


@staff_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    return render(request, "incentives/staff/programs.html", {"programs": selectors.program_list(request.tenant)})


def _program(request, program_id) -> SpifProgram:
    return get_object_or_404(SpifProgram.objects.filter(tenant=request.tenant), pk=program_id)


@staff_required
@require_GET
def program_detail(request: HttpRequest, spif_program_id) -> HttpResponse:
    return _program_page(request, _program(request, spif_program_id))


def _program_page(request, program: SpifProgram, *, http_status: int = 200, failed: tuple | None = None) -> HttpResponse:
    """The program page; `failed` is (partner id, bound RecoverForm) after a refused recovery."""
    selectors.attach_program_balances(request.tenant, [program])
    to_recover = selectors.program_clawbacks(request.viewer, program)
    for row in to_recover:
        row.form = (failed[1] if failed and failed[0] == row.partner_id else
                    RecoverForm(initial={"amount": quantize(row.outstanding, program.currency)}, auto_id=f"recover-{row.partner_id}-%s"))
    if failed and not any(row.partner_id == failed[0] for row in to_recover):
        # Nothing owed by that partner, so no row carries the form: show its errors at the top.
        messages.error(request, " ".join(e for errors in failed[1].errors.values() for e in errors))
    status = request.GET.get("status", "")
    status = status if status in SpifAccrual.Status.values else ""
    page = Paginator(selectors.accruals(request.viewer, program=program, status=status), selectors.PAGE_SIZE).get_page(
        request.GET.get("page"))
    spec = services.program_specs([program])[program.pk]
    context = {"program": program, "spec": spec, "page": page, "status": status,
               "statuses": SpifAccrual.Status.choices, "querystring": f"status={status}" if status else "",
               "tiers": program.tiers.order_by("rank"), "types": program.partner_types.order_by("name"),
               "products": program.products.order_by("name"), "roi": selectors.roi_summary(request.tenant,
                                                                                            program=program)["spif"],
               "to_recover": to_recover}
    template = "incentives/staff/program_detail.html#accrual-table" if request.htmx and not failed else \
        "incentives/staff/program_detail.html"
    return render(request, template, context, status=http_status)


@manager_required
@require_POST
def program_recover(request: HttpRequest, spif_program_id, partner_id) -> HttpResponse:
    """Record money recovered from a partner (a paid SPIF reversed later, paid back or netted)."""
    program = _program(request, spif_program_id)
    partner = get_object_or_404(partners_visible_to(request.viewer), pk=partner_id)
    form = RecoverForm(request.POST, auto_id=f"recover-{partner.pk}-%s")
    if form.is_valid():
        try:
            services.spif_recover(tenant=request.tenant, program=program, partner=partner,
                                  amount=form.cleaned_data["amount"], note=form.cleaned_data["note"],
                                  actor=request.user, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded %(amount)s as recovered from %(partner)s.") % {
                "amount": money_label(form.cleaned_data["amount"], program.currency), "partner": partner.name})
            return redirect("incentives:program_detail", spif_program_id=program.pk)
    return _program_page(request, program, http_status=400, failed=(partner.pk, form))


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, spif_program_id=None) -> HttpResponse:
    program = _program(request, spif_program_id) if spif_program_id else SpifProgram(currency=request.tenant.base_currency)
    form = ProgramForm(request.POST or None, instance=program, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            program = services.program_save(
                tenant=request.tenant, program=form.instance, actor=request.user, tiers=list(data["tiers"]),
                partner_types=list(data["partner_types"]), products=list(data["products"]),
                bands=form.cleaned_bands(), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Program saved. Won deals from now on accrue automatically; the nightly job "
                                        "catches up with deals already won in the period."))
            return redirect("incentives:program_detail", spif_program_id=program.pk)
    return render(request, "incentives/staff/program_form.html",
                  {"form": form, "program": None if program._state.adding else program},
                  status=INVALID_FORM_STATUS if request.method == "POST" else 200)


# --- Approval into payout batches ----------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def accruals_approve(request: HttpRequest) -> HttpResponse:
    """Pending accruals (all programs); managers tick them and approve them as one payout batch."""
    membership = request.membership
    form = BatchCreateForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST":
        if not membership.can_manage:
            from prm.tenancy.views import render_error

            return render_error(request, 403, reason="role")
        if form.is_valid():
            try:
                batch = services.payout_batch_create(
                    tenant=request.tenant, accrual_ids=[a.pk for a in form.cleaned_data["accruals"]],
                    actor=request.user, note=form.cleaned_data["note"], request=request)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Approved into payout batch %(ref)s.") % {"ref": batch.reference})
                return redirect("incentives:batch_detail", payout_batch_id=batch.pk)
    pending = selectors.accruals(request.viewer, status=SpifAccrual.Status.ACCRUED)
    page = Paginator(pending, 200).get_page(request.GET.get("page"))
    return render(request, "incentives/staff/approve.html", {
        "form": form, "page": page, "can_manage": membership.can_manage,
        "reject_form": AccrualRejectForm()}, status=INVALID_FORM_STATUS if request.method == "POST" else 200)


@manager_required
@require_POST
def accrual_reject(request: HttpRequest, spif_accrual_id) -> HttpResponse:
    accrual = selectors.accrual_for(request.viewer, spif_accrual_id)
    form = AccrualRejectForm(request.POST)
    if form.is_valid():
        try:
            services.spif_reverse(tenant=request.tenant, accrual=accrual, reason=form.cleaned_data["reason"],
                                  actor=request.user, reject=True, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Accrual rejected; the amount returned to the program budget."))
    else:
        messages.error(request, _("Give a reason for rejecting the accrual."))
    return redirect("incentives:accruals_approve")


@staff_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.batch_list(request.tenant), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incentives/staff/batches.html", {"page": page})


def _batch(request, batch_id) -> PayoutBatch:
    return get_object_or_404(PayoutBatch.objects.filter(tenant=request.tenant).select_related("created_by", "paid_by"),
                             pk=batch_id)


def _batch_page(request, batch: PayoutBatch, *, status: int = 200, paid_form=None) -> HttpResponse:
    lines = list(selectors.batch_lines(request.viewer, batch))
    total = sum((a.amount for a in lines if a.status in ("approved", "paid")), 0)
    return render(request, "incentives/staff/batch_detail.html", {
        "batch": batch, "lines": lines, "total": total, "can_manage": request.membership.can_manage,
        "paid_form": paid_form or ReimburseForm()}, status=status)


@staff_required
@require_GET
def batch_detail(request: HttpRequest, payout_batch_id) -> HttpResponse:
    return _batch_page(request, _batch(request, payout_batch_id))


@manager_required
@program_wide
@require_POST
def batch_paid(request: HttpRequest, payout_batch_id) -> HttpResponse:
    batch = _batch(request, payout_batch_id)
    form = ReimburseForm(request.POST)
    if form.is_valid():
        try:
            services.payout_batch_mark_paid(tenant=request.tenant, batch=batch, actor=request.user,
                                            payment_reference=form.cleaned_data["payment_reference"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Batch marked paid; partners were notified."))
            return redirect("incentives:batch_detail", payout_batch_id=batch.pk)
    return _batch_page(request, batch, status=INVALID_FORM_STATUS, paid_form=form)


@staff_required
@require_GET
def batch_export(request: HttpRequest, payout_batch_id) -> HttpResponse:
    batch = _batch(request, payout_batch_id)
    return csv_response(f"{batch.reference}.csv", selectors.BATCH_HEADER, selectors.batch_export_rows(request.viewer, batch),
                        tenant=request.tenant)


# --- Ledger and ROI ---------------------------------------------------------------------------------


@staff_required
@program_wide
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.journal(request.tenant, start=filters.get("start"), end=filters.get("end"),
                           kind=filters.get("kind", ""))
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page" and v)
    return render(request, "incentives/staff/ledger.html", {
        "form": form, "page": page, "totals": selectors.ledger_totals(request.tenant), "querystring": querystring})


@staff_required
@program_wide
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponse(" ".join(e for errors in form.errors.values() for e in errors), status=400,
                            content_type="text/plain; charset=utf-8")
    filters = form.cleaned_data if request.GET else {}
    rows = selectors.journal_export_rows(request.tenant, start=filters.get("start"), end=filters.get("end"))
    return csv_response(f"incentives-journal-{request.tenant.slug}.csv", selectors.JOURNAL_HEADER, rows,
                        tenant=request.tenant)


@staff_required
@program_wide
@require_GET
def roi(request: HttpRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    summary = selectors.roi_summary(request.tenant, start=filters.get("start"), end=filters.get("end"))
    return render(request, "incentives/staff/roi.html", {"form": form, "summary": summary})


@staff_required
@require_GET
def partner_statement(request: HttpRequest, partner_id) -> HttpResponse:
    partner = get_object_or_404(partners_visible_to(request.viewer).select_related("tier", "partner_type"), pk=partner_id)
    can_claim, gate_reason = can_register_deals(partner, request.membership.role)
    return render(request, "incentives/statement.html", {
        "statement": selectors.partner_statement(request.tenant, partner), "partner": partner, "staff": True,
        "can_claim": can_claim, "gate_reason": gate_reason})
