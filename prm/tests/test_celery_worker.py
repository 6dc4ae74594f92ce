"""A real Celery worker against real Redis runs a tenant-scoped task (CI sets REDIS_URL)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from prm.notifications.models import EmailOutbox
from prm.notifications.tasks import outbox_deliver
from prm.tenancy.scoping import scopes_disabled

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (set by .ci/run)"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs a shared PostgreSQL test database"),
]


@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_tenant_scoped_task(tenant, tmp_path):
    from prm.celery import app

    with scopes_disabled():
        row = EmailOutbox.objects.create(tenant=tenant, to="worker@example.com", subject="From a worker", body="hi")
    queue = f"prm-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": os.environ["REDIS_URL"],
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
        "DB_CONN_MAX_AGE": "0",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "prm", "worker", "--pool", "solo", "-Q", queue, "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    always_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    try:
        outbox_deliver.apply_async(args=[row.pk], kwargs={"tenant_id": str(tenant.pk)}, queue=queue)
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            with scopes_disabled():
                status = EmailOutbox.objects.get(pk=row.pk).status
            if status == "sent":
                break
            time.sleep(0.5)
        if status != "sent":
            worker.terminate()
            output = worker.communicate(timeout=20)[0]
            pytest.fail(f"the worker did not deliver within 60 s; its output:\n{output}")
        sent = list(tmp_path.iterdir())
        assert len(sent) == 1 and "From a worker" in sent[0].read_text()
    finally:
        app.conf.task_always_eager = always_eager
        worker.terminate()
        worker.wait(timeout=20)
