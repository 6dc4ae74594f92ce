"""The background jobs a tenant admin may start by hand ("run now"), registered by the apps.

Beat runs them on their schedule (settings.CELERY_BEAT_SCHEDULE); the Jobs page (/staff/jobs/)
lists each with what it does and runs one, or all, for this tenant at once: useful after changing
a rule, and in the demo to see a night's work without waiting for the night. Each job is a
TenantTask; an app registers it from its AppConfig.ready()::

    register_job(Job("deals.sla", _("Review deadlines"), sla_sweep_tenant,
                     _("Escalates registrations past the review deadline ..."), _("every 10 minutes")))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Job:
    key: str
    label: str | Promise
    task: Any  # a Celery task built on prm.tenancy.tasks.TenantTask
    description: str | Promise = ""
    schedule: str | Promise = ""
    order: int = 50
    # Positional arguments computed when the job is started (e.g. the day a nightly job covers).
    args: Callable[[], tuple] = field(default=lambda: ())


_jobs: dict[str, Job] = {}


def register_job(job: Job) -> None:
    _jobs[job.key] = job


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: (j.order, j.key))


def job(key: str) -> Job | None:
    return _jobs.get(key)


def run_job(tenant, job: Job) -> None:
    """Send the job for `tenant` once the current transaction commits."""
    from prm.tenancy.tasks import enqueue_on_commit

    enqueue_on_commit(job.task, *job.args(), tenant_id=tenant.pk)
