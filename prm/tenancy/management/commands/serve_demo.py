"""`make run`: the demo as production runs it, on one machine without services.

Starts a Celery worker with an embedded beat (the periodic jobs: SLA sweep, nightly scores, expiry
warnings…) on the broker the settings name (the demo: files under var/celery) and gunicorn behind
whitenoise, and stops both together (Ctrl-C, or either one ending).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the demo portal: gunicorn, a Celery worker and beat."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, port: int, workers: int, **options):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError("Tasks run eagerly here: set CELERY_BROKER_URL (the demo uses filesystem://).")
        var = Path(settings.BASE_DIR) / "var"
        var.mkdir(exist_ok=True)
        processes = {
            "worker": subprocess.Popen([
                sys.executable, "-m", "celery", "-A", "prm", "worker", "--beat", "--pool", "solo",
                "--schedule", str(var / "celerybeat-schedule"), "--loglevel", "WARNING",
                "--without-mingle", "--without-gossip", "--without-heartbeat",
            ]),
            "web": subprocess.Popen([
                sys.executable, "-m", "gunicorn", "prm.wsgi", "--bind", f"0.0.0.0:{port}",
                "--workers", str(workers), "--threads", "4", "--access-logfile", "-",
            ]),
        }
        self.stdout.write(f"Portal on http://acme.localhost:{port}/ (worker and beat running). Ctrl-C stops all.")
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        ended = [name for name, p in processes.items() if p.returncode not in (0, None, -15)]
        if ended and not stopping:
            raise CommandError(f"{', '.join(ended)} stopped; see the output above.")
