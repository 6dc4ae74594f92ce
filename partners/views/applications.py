"""The channel managers' review queue for partner applications (htmx decisions)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partners.forms import ApproveForm, DeclineForm, InfoRequestForm
from partners.selectors import application_queue, applications_visible_to
from partners.services.recruitment import application_approve, application_decline, application_request_info
from prm.forms import add_service_errors
from prm.tenancy.access import manager_required, staff_required

STATUS_TABS = [("open", _("To review")), ("info_requested", _("Waiting for applicant")),
               ("approved", _("Approved")), ("declined", _("Declined")), ("", _("All"))]


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in {s for s, _label in STATUS_TABS}:
        status = "open"
    page = Paginator(application_queue(request.viewer, status=status), 50).get_page(request.GET.get("page"))
    counts = dict(applications_visible_to(request.viewer).order_by().values_list("status").annotate(n=Count("id")))
    context = {"page": page, "status": status, "tabs": STATUS_TABS, "counts": counts,
               "open_count": counts.get("new", 0) + counts.get("info_requested", 0),
               "querystring": f"status={status}"}
    template = "partners/staff/applications.html#application-table" if request.htmx else "partners/staff/applications.html"
    return render(request, template, context)


def _forms(request, application, data=None, action=None):
    tenant = request.tenant
    return {
        "approve_form": ApproveForm(data if action == "approve" else None, tenant=tenant,
                                    initial={"partner_type": application.partner_type_id}, prefix="approve"),
        "decline_form": DeclineForm(data if action == "decline" else None, prefix="decline"),
        "info_form": InfoRequestForm(data if action == "info" else None, prefix="info"),
    }


@staff_required
@require_GET
def detail(request: HttpRequest, application_id) -> HttpResponse:
    application = get_object_or_404(applications_visible_to(request.viewer).select_related(
        "partner_type", "reviewed_by", "partner"), pk=application_id)
    return render(request, "partners/staff/application_detail.html", {
        "application": application, "can_manage": request.membership.can_manage, **_forms(request, application),
    })


@manager_required
@require_POST
def decide(request: HttpRequest, application_id) -> HttpResponse:
    """Approve, decline or ask for information. With htmx only the decision panel is swapped."""
    application = get_object_or_404(applications_visible_to(request.viewer), pk=application_id)
    action = request.POST.get("action")
    forms = _forms(request, application, request.POST, action)
    form = {"approve": forms["approve_form"], "decline": forms["decline_form"], "info": forms["info_form"]}.get(action)
    status = 200
    if form is None:
        messages.error(request, _("Unknown action."))
        status = 400
    elif form.is_valid():
        try:
            if action == "approve":
                partner = application_approve(
                    tenant=request.tenant, application=application, actor=request.user,
                    partner_type=form.cleaned_data["partner_type"], tier=form.cleaned_data["tier"],
                    note=form.cleaned_data["note"], request=request)
                messages.success(request, _("%(company)s is now a partner in onboarding; %(email)s was invited as partner admin.") % {
                    "company": partner.name, "email": application.contact_email})
            elif action == "decline":
                application_decline(tenant=request.tenant, application=application, actor=request.user,
                                    reason=form.cleaned_data["reason"], request=request)
                messages.success(request, _("Application declined; the applicant was told why."))
            else:
                application_request_info(tenant=request.tenant, application=application, actor=request.user,
                                         question=form.cleaned_data["question"], request=request)
                messages.success(request, _("Your question was emailed to the applicant."))
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
            application.refresh_from_db()
            if not application.is_open:  # the forms are gone: say why in a message
                messages.error(request, " ".join(exc.messages))
        else:
            if not request.htmx:
                return redirect("partners:application_detail", application_id=application.pk)
            application.refresh_from_db()
            forms = _forms(request, application)
    else:
        status = 400
    context = {"application": application, "can_manage": True, **forms}
    if request.htmx:
        return render(request, "partners/staff/application_detail.html#decision-panel", context, status=status)
    return render(request, "partners/staff/application_detail.html", context, status=status)
