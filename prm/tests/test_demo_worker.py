"""The demo's background work really runs: a Celery worker with an embedded beat on kombu's
filesystem transport (what `make run` starts, no broker to install) picks up a periodic job on
its schedule and does its work, here the outbox sweep delivering a pending email."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from prm.notifications.models import EmailOutbox
from prm.tenancy.scoping import scopes_disabled

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the worker process needs a shared database (the SQLite test database is in memory)"),
]


@pytest.mark.django_db(transaction=True)
def test_the_demo_worker_and_beat_run_a_periodic_job_on_files(tenant, tmp_path):
    with scopes_disabled():
        row = EmailOutbox.objects.create(tenant=tenant, to="demo@example.com", subject="Swept by beat", body="hi")
    db = connection.settings_dict
    mail = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": "", "CELERY_BROKER_URL": "filesystem://", "PRM_CELERY_FOLDER": str(tmp_path / "celery"),
        "PRM_OUTBOX_SWEEP_SECONDS": "2", "DEBUG": "0", "PRM_SCHEME": "http", "DB_CONN_MAX_AGE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(mail),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "prm", "worker", "--beat", "--pool", "solo",
         "--schedule", str(tmp_path / "beat-schedule"), "--loglevel", "WARNING",
         "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            with scopes_disabled():
                status = EmailOutbox.objects.get(pk=row.pk).status
            if status == EmailOutbox.Status.SENT:
                break
            time.sleep(0.5)
        if status != EmailOutbox.Status.SENT:
            worker.terminate()
            pytest.fail(f"beat and the worker did not deliver within 60 s:\n{worker.communicate(timeout=20)[0]}")
        assert any("Swept by beat" in f.read_text() for f in mail.iterdir())
    finally:
        worker.terminate()
        worker.wait(timeout=20)
