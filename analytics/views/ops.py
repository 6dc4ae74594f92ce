"""Operations: the tenant's health runs, run now (with htmx progress), the settings, and a
platform-wide list of the last run per tenant for superusers on the base domain."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from analytics.forms import SettingsForm
from analytics.models import COMPONENTS, HealthRun, HealthRunChunk
from analytics.services.program import analytics_settings_update, health_run_request
from analytics.services.runs import last_runs
from analytics.services.settings import analytics_settings
from prm.tenancy.access import manager_required, staff_required, tenant_admin_required

RECENT_RUNS = 20


def _progress_context(request) -> dict:
    run = HealthRun.objects.filter(tenant=request.tenant).select_related("triggered_by").order_by("-started_at").first()
    return {"run": run, "can_run": request.membership.can_manage}


@staff_required
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    runs = list(HealthRun.objects.filter(tenant=request.tenant).select_related("triggered_by")
                .order_by("-started_at")[:RECENT_RUNS])
    context = {**_progress_context(request), "runs": runs, "model": runs[0].churn_model if runs else {}}
    return render(request, "analytics/operations.html", context)


@staff_required
@require_GET
def run_progress(request: HttpRequest) -> HttpResponse:
    """The latest run's status (htmx polls it every two seconds while a run is in progress)."""
    return render(request, "analytics/operations.html#run-status", _progress_context(request))


@manager_required
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    active = health_run_request(tenant=request.tenant, actor=request.user)
    if active is not None:
        notice = _("A run is already in progress (started %(when)s).") % {"when": active.started_at.strftime("%H:%M")}
    else:
        notice = _("The health run was started.")
    if request.htmx:
        return render(request, "analytics/operations.html#run-status", {**_progress_context(request), "notice": notice},
                      )
    (messages.warning if active is not None else messages.success)(request, notice)
    return redirect("analytics:operations")


@staff_required
@require_GET
def run_detail(request: HttpRequest, health_run_id) -> HttpResponse:
    run = get_object_or_404(HealthRun.objects.select_related("triggered_by"), tenant=request.tenant, pk=health_run_id)
    chunks = list(HealthRunChunk.objects.filter(run=run).order_by("seq"))
    return render(request, "analytics/run_detail.html", {"run": run, "chunks": chunks})


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    current = analytics_settings(request.tenant)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            analytics_settings_update(tenant=request.tenant, data=form.cleaned_data, actor=request.user,
                                      request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Scoring settings saved. They apply from the next run."))
            return redirect("analytics:settings")
    defaults = [(key, weight) for key, weight in COMPONENTS]
    return render(request, "analytics/settings.html", {"form": form, "defaults": defaults},
                  status=400 if form.errors else 200)


@require_GET
def platform_runs(request: HttpRequest) -> HttpResponse:
    """Base domain, superusers only: the last run of every tenant (one query for the runs)."""
    if request.tenant is not None or not (request.user.is_authenticated and request.user.is_superuser):
        raise Http404
    from prm.tenancy.models import Tenant

    tenants = list(Tenant.objects.order_by("name"))
    runs = last_runs(tenants)
    return render(request, "analytics/platform_runs.html",
                  {"rows": [(t, runs.get(t.pk)) for t in tenants]})
