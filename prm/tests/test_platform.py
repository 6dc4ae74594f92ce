"""Health check, deploy settings, docker-compose, outbox and events."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core import mail
from django.test import Client

from prm.events.models import EngagementEvent
from prm.events.services import record_event, subscribe
from prm.notifications.models import EmailOutbox
from prm.notifications.services import send_tenant_email
from prm.notifications.tasks import outbox_sweep
from prm.tenancy.scoping import tenant_scope

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_redis_as_json():
    response = Client(HTTP_HOST="localhost").get("/healthz")
    data = response.json()
    assert response.status_code == 200
    assert data["checks"]["database"] == "ok"
    assert data["checks"]["redis"] in ("ok", "not configured")


def test_check_deploy_is_clean_with_production_settings():
    # A production environment: not the test process's own (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which check --deploy rightly refuses).
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-123456",
           "PRM_BASE_DOMAIN": "partners.example.com", "DATABASE_URL": "sqlite:///tmp/deploy-check.sqlite3"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_docker_compose_services_name_real_modules_and_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    web = " ".join(services["web"]["command"]) if isinstance(services["web"]["command"], list) else services["web"]["command"]
    assert "migrate" in web and "gunicorn" in web and "prm.wsgi:application" in web
    assert "celery -A prm worker" in _cmd(services["worker"])
    assert "celery -A prm beat" in _cmd(services["beat"])
    import importlib

    assert importlib.import_module("prm.wsgi").application
    assert importlib.import_module("prm.celery").app.main == "prm"
    for name in ("web", "worker", "beat"):
        env = services[name].get("environment", {}) or {}
        env_file = services[name].get("env_file")
        assert env or env_file
    example = (ROOT / ".env.example").read_text()
    for key in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PRM_BASE_DOMAIN", "DEBUG"):
        assert f"{key}=" in example
    from django.conf import settings

    assert hasattr(settings, "CELERY_BEAT_SCHEDULE") and settings.CELERY_BEAT_SCHEDULE


def _cmd(service) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


@pytest.mark.django_db
def test_outbox_keeps_emails_until_they_are_delivered(tenant):
    with tenant_scope(tenant):
        row = send_tenant_email(tenant=tenant, to="a@example.com", subject="Hello", body="Body")
        # No commit happened (test transaction), so nothing was sent yet; the sweep sends it.
        assert EmailOutbox.objects.get(pk=row.pk).status == "pending"
    assert outbox_sweep() == 1
    assert [m.subject for m in mail.outbox] == ["Hello"]
    with tenant_scope(tenant):
        assert EmailOutbox.objects.get(pk=row.pk).status == "sent"
    assert outbox_sweep() == 0  # never twice


@pytest.mark.django_db
def test_events_are_append_only_and_reach_subscribers_after_commit(tenant, partner, django_capture_on_commit_callbacks):
    seen = []

    @subscribe("test_ping")
    def on_ping(event):
        seen.append(event.kind)

    with tenant_scope(tenant):
        with django_capture_on_commit_callbacks(execute=True):
            event = record_event(tenant=tenant, kind="test_ping", partner=partner)
            assert seen == []  # not before commit
        assert seen == ["test_ping"]
        with pytest.raises(ValueError):
            event.save()
        assert EngagementEvent.objects.filter(partner=partner).count() == 1


def _postgres_options(**env) -> str | None:
    """The connection options prm.settings gives a PostgreSQL DATABASE_URL (settings read afresh in a
    subprocess; nothing connects)."""
    import os
    import subprocess
    import sys

    environment = {k: v for k, v in os.environ.items() if k != "DB_PG_OPTIONS"}
    environment.update(DATABASE_URL="postgres://prm@db.example:5432/prm", **env)
    code = "from prm import settings; print(settings.DATABASES['default'].get('OPTIONS', {}).get('options'))"
    out = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.django_db
def test_postgres_connections_run_without_jit_compilation():
    """Page queries over large tenants pass JIT's cost threshold and spent 20-100 ms compiling to
    save a few: the app's connections turn it off (DB_PG_OPTIONS), unless an operator behind a
    pooler clears the option. On PostgreSQL the live connection is checked too."""
    from django.db import connection

    assert _postgres_options() == "-c jit=off"
    assert _postgres_options(DB_PG_OPTIONS="") == "None"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
