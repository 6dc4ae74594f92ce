"""The Jobs page: a tenant admin runs the program's background jobs now, one or all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prm.tenancy.jobs import jobs
from prm.tenancy.scoping import tenant_scope

pytestmark = pytest.mark.django_db


def test_every_periodic_job_of_the_apps_is_listed(tenant, members, client_for):
    keys = {j.key for j in jobs()}
    assert {"deals.sla", "deals.protection", "partners.downgrades", "content.certifications", "incentives.spif",
            "incentives.mdf", "analytics.health"} <= keys
    body = client_for(tenant, members["tenant_admin"]).get("/staff/jobs/").content.decode()
    assert "Review deadlines" in body and "Run all now" in body and "nightly, 01:30" in body


@pytest.mark.parametrize("role", ["channel_manager", "executive", "partner_admin"])
def test_only_tenant_admins_run_jobs(role, tenant, members, client_for):
    client = client_for(tenant, members[role])
    assert client.get("/staff/jobs/").status_code == 403
    assert client.post("/staff/jobs/deals.sla/run").status_code == 403


def test_running_a_job_does_its_work_for_this_tenant_and_is_audited(tenant, partner, members, client_for,
                                                                    django_capture_on_commit_callbacks):
    from deals.models import DealRegistration
    from prm.audit.models import AuditEntry
    from tests.factories import DealFactory

    overdue = DealFactory(tenant=tenant, partner=partner, submitted_at=timezone.now() - timedelta(days=10),
                          sla_due_at=timezone.now() - timedelta(days=5))
    client = client_for(tenant, members["tenant_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/jobs/deals.sla/run")
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert DealRegistration.objects.get(pk=overdue.pk).sla_escalated_at is not None
        assert AuditEntry.objects.filter(action="jobs.run", changes__jobs=["deals.sla"]).exists()
    assert client.post("/staff/jobs/no-such-job/run").status_code == 404


def test_run_all_starts_every_job(tenant, members, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(tenant, members["tenant_admin"]).post("/staff/jobs/all/run", follow=True)
    assert len(callbacks) == len(jobs())
    assert "Started all" in response.content.decode()
