"""The demo's stack, end to end in a browser: a web server and a Celery worker as separate processes
(what `make run` starts: kombu's filesystem transport as broker, no eager tasks), a channel manager
uploads a partner CSV, starts the import, and watches its progress bar move from "waiting for a
worker" through intermediate counts to "Import finished".

PostgreSQL only: the two processes share the database with the test (the SQLite test database is
in memory), and Redis for the progress counter they both read and write."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django_scopes import scopes_disabled

from partners.services.imports import COLUMNS
from tests.browser.conftest import sign_in
from tests.factories import TEST_PASSWORD, PartnerTypeFactory, TierFactory

ROOT = Path(__file__).resolve().parents[2]
ROWS, BATCH = 3000, 50  # 60 progress steps: the import outlasts several of the bar's 1 s polls

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the web and worker processes need a shared database (the SQLite test database is in memory)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the web server exited:\n{process.communicate()[0]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("the web server did not start")


def _csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for n in range(rows):
        writer.writerow({"name": f"Progress Partner {n}", "website": f"https://progress-{n}.com", "country": "DE",
                         "partner_type": "reseller", "contact_email": f"owner@progress-{n}.com"})
    return buffer.getvalue().encode()


@pytest.fixture
def stack(tmp_path, tenant):
    """A gunicorn web server and a Celery worker on the test database, sharing files and Redis."""
    db = connection.settings_dict
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0] + "/11"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis, "CELERY_BROKER_URL": "filesystem://", "PRM_CELERY_FOLDER": str(tmp_path / "celery"),
        "DEBUG": "1", "PRM_SCHEME": "http", "DB_CONN_MAX_AGE": "0", "PRM_IMPORT_BATCH_SIZE": str(BATCH),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    common = {"cwd": ROOT, "env": env, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "prm.wsgi", "--bind", f"127.0.0.1:{port}",
                            "--workers", "1", "--threads", "4", "--log-level", "warning"], **common)
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "prm", "worker", "--pool", "solo",
                               "--loglevel", "WARNING", "--without-mingle", "--without-gossip",
                               "--without-heartbeat"], **common)
    try:
        _wait_for_port(port, web)
        yield port
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


class Stack:
    def __init__(self, port):
        self.port = port

    def url(self, tenant, path="/"):
        return f"http://{tenant.slug}.localhost:{self.port}{path}"


def test_an_import_progress_bar_moves_and_finishes_with_a_real_worker(page, stack, tenant, make_member, tmp_path):
    with scopes_disabled():
        TierFactory(tenant=tenant, rank=1, name="Registered")
        PartnerTypeFactory(tenant=tenant, code="reseller", name="Reseller")
    user = make_member(tenant, "channel_manager", email="max@acme.example")
    # The tests hash with MD5 for speed; the web server process only knows the production hashers.
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(TEST_PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    live = Stack(stack)
    sign_in(page, live, tenant, "max@acme.example", TEST_PASSWORD)
    page.goto(live.url(tenant, "/partners/staff/imports/"))
    upload = tmp_path / "partners.csv"
    upload.write_bytes(_csv(ROWS))
    page.set_input_files("input[type=file]", str(upload))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert f"{ROWS} rows: {ROWS} valid" in page.inner_text("#import-progress")

    page.click("#import-progress button[type=submit]")
    # Sample the bar as htmx re-renders it every second, until the import is finished.
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = page.inner_text("#import-progress")
        if "Import finished" in text:
            break
        bar = page.query_selector("#import-progress progress")
        if bar is not None:
            seen.append(int(bar.get_attribute("value") or 0))
        time.sleep(0.1)
    else:
        pytest.fail(f"the import did not finish within 120 s; the bar showed {sorted(set(seen))}")
    assert f"Import finished: {ROWS} created" in page.inner_text("#import-progress")
    moving = sorted({v for v in seen if 0 < v < ROWS})
    assert moving, f"the bar never showed an intermediate count: {sorted(set(seen))}"
    assert seen == sorted(seen), "the bar went backwards"
