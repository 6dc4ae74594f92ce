"""The routing rule editor: the ordered list, the rule form, reordering, deleting, and the dry run
("who would get these leads under these rules?") for saved and unsaved rules.

Rules are program configuration: staff read them, channel managers and tenant admins change them
(executives read-only), and a manager confined to a book of partners is refused (the rules and the
dry run cover every partner of the program)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leads.forms.rules import DryRunForm, RuleForm
from leads.models import LeadRule
from leads.services import rules as services
from prm.forms import INVALID_FORM_STATUS, add_service_errors
from prm.tenancy.access import manager_required, program_wide, staff_required
from prm.tenancy.views import render_error

RULE_FORM_ID = "rule-form"  # the rule form's id in leads/rule_form.html


def _list_context(request: HttpRequest, **extra) -> dict:
    rules = services.rule_list(request.viewer)
    for rule in rules:
        rule.conditions = services.rule_conditions(rule)
    return {"rules": rules, "can_manage": request.membership.can_manage, "routed_days": services.ROUTED_DAYS,
            "dry_form": DryRunForm(request.GET or None), **extra}


@staff_required
@program_wide
@require_http_methods(["GET"])
def rule_list(request: HttpRequest) -> HttpResponse:
    template = "leads/rules.html#rule-table" if request.htmx and not request.htmx.boosted else "leads/rules.html"
    return render(request, template, _list_context(request))


def _rule_page(request: HttpRequest, rule: LeadRule, form: RuleForm, *, status: int = 200, report=None,
               dry_form: DryRunForm | None = None, saved_name: str = "") -> HttpResponse:
    editing = not rule._state.adding
    dry_run_url = reverse("leads:rule_dry_run") + (f"?{urlencode({'rule': rule.pk})}" if editing else "")
    return render(request, "leads/rule_form.html", {
        "form": form, "rule": rule if editing else None, "saved_name": saved_name or rule.name,
        "dry_run_url": dry_run_url,
        "dry_form": dry_form or DryRunForm(form_id=RULE_FORM_ID), "report": report, "sample_size": services.SAMPLE_SIZE,
    }, status=status)


def _rule_form(request: HttpRequest, rule: LeadRule) -> HttpResponse:
    saved_name = rule.name
    form = RuleForm(request.POST or None, instance=rule, viewer=request.viewer)
    if request.method == "POST" and form.is_valid():
        creating = rule._state.adding
        try:
            rule = services.rule_save(tenant=request.tenant, rule=form.instance, actor=request.user, request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if creating:
                messages.success(request, _("Rule “%(name)s” created. New leads are routed by it from now on.")
                                 % {"name": rule.name})
            else:
                messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
            return redirect("leads:rules")
    return _rule_page(request, rule, form, saved_name=saved_name,
                      status=INVALID_FORM_STATUS if request.method == "POST" else 200)


@manager_required
@program_wide
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    rule = LeadRule(tenant=request.tenant, position=services.next_position(request.tenant))
    return _rule_form(request, rule)


@manager_required
@program_wide
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, lead_rule_id) -> HttpResponse:
    return _rule_form(request, services.rule_for(request.viewer, lead_rule_id))


@manager_required
@program_wide
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, lead_rule_id) -> HttpResponse:
    """GET: a confirmation page (the list's button asks in place with a script); POST: delete."""
    rule = services.rule_for(request.viewer, lead_rule_id)
    if request.method == "POST":
        try:
            services.rule_delete(tenant=request.tenant, rule=rule, actor=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Rule “%(name)s” deleted. Offers it made keep its name in their history.")
                             % {"name": rule.name})
        return redirect("leads:rules")
    rule.conditions = services.rule_conditions(rule)
    return render(request, "leads/_rule_delete.html", {"rule": rule})


@manager_required
@program_wide
@require_POST
def rule_move(request: HttpRequest, lead_rule_id) -> HttpResponse:
    rule = services.rule_for(request.viewer, lead_rule_id)
    direction = request.POST.get("direction", "")
    try:
        moved = services.rule_move(tenant=request.tenant, rule=rule, direction=direction, actor=request.user,
                                   request=request)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    if moved:
        text = _("Rule “%(name)s” moved up.") if direction == "up" else _("Rule “%(name)s” moved down.")
        messages.success(request, text % {"name": rule.name})
    if request.htmx:
        return render(request, "leads/rules.html#rule-table", _list_context(request, moved_id=rule.pk))
    return redirect("leads:rules")


def _edited_rule(request: HttpRequest) -> LeadRule:
    """The rule the form edits (`?rule=<id>`), or a new one."""
    raw = request.GET.get("rule", "")
    if not raw:
        return LeadRule(tenant=request.tenant, position=services.next_position(request.tenant))
    try:
        rule_id = uuid.UUID(raw)
    except ValueError:
        raise Http404 from None
    return services.rule_for(request.viewer, rule_id)


@staff_required
@program_wide
@require_http_methods(["GET", "POST"])
def rule_dry_run(request: HttpRequest) -> HttpResponse:
    """GET: the saved rules tried on recent leads (from the list page). POST (managers): the rule
    form's current data tried in place of the saved rule, compared with the saved rules. Nothing is
    written either way."""
    if request.method == "GET":
        dry_form = DryRunForm(request.GET or None)
        report = services.dry_run_report(request.viewer, sample=dry_form.sample_value())
        if request.htmx:
            return render(request, "leads/_rule_dry_run.html", {"report": report})
        return render(request, "leads/rules.html", _list_context(request, report=report))
    if not request.membership.can_manage:
        return render_error(request, 403, reason="role")
    rule = _edited_rule(request)
    saved_name = rule.name
    form = RuleForm(request.POST, instance=rule, viewer=request.viewer)
    dry_form = DryRunForm(request.POST, form_id=RULE_FORM_ID)
    report = None
    if form.is_valid():
        try:
            services.rule_validate(tenant=request.tenant, rule=form.instance)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            report = services.dry_run_report(request.viewer, sample=dry_form.sample_value(), candidate=form.instance)
    status = 200 if report is not None else INVALID_FORM_STATUS
    if request.htmx:
        return render(request, "leads/_rule_dry_run.html", {"report": report, "form": form}, status=status)
    return _rule_page(request, rule, form, status=status, report=report, dry_form=dry_form, saved_name=saved_name)
