"""Real parallel transactions for the PostgreSQL concurrency tests: each call runs in its own
thread, so on its own database connection (closed when the thread is done)."""

from __future__ import annotations

import threading

from django.db import connection


def in_thread(fn):
    """Start fn in a thread; returns (thread, holder) where holder gets "value" or "error"."""
    holder: dict = {}

    def target():
        try:
            holder["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            holder["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, holder
