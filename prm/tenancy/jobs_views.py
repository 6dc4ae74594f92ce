"""The Jobs page: tenant admins run the program's background jobs now (see prm.tenancy.jobs)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prm.audit.services import audit_log
from prm.tenancy.access import tenant_admin_required
from prm.tenancy.jobs import job as find_job
from prm.tenancy.jobs import jobs, run_job
from prm.tenancy.request import MemberRequest


@tenant_admin_required
@require_GET
def job_list(request: MemberRequest) -> HttpResponse:
    return render(request, "portal/jobs.html", {"jobs": jobs()})


@tenant_admin_required
@require_POST
def job_run(request: MemberRequest, job: str) -> HttpResponse:
    selected = jobs() if job == "all" else [j for j in [find_job(job)] if j is not None]
    if not selected:
        raise Http404
    for item in selected:
        run_job(request.tenant, item)
    audit_log(tenant=request.tenant, actor=request.user, action="jobs.run",
              changes={"jobs": [j.key for j in selected]}, request=request)
    if len(selected) == 1:
        messages.success(request, _("Started: %(job)s. Its results appear within a minute.") % {"job": selected[0].label})
    else:
        messages.success(request, _("Started all %(n)d jobs. Their results appear within a minute.") % {"n": len(selected)})
    return redirect("job_list")
