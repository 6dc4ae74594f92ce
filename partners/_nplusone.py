"""Exemptions from the test suite's N+1 guard (django-zeal) for deliberate repetition.

- `mail_delivery()`: one email per recipient is one outbox row delivered by its own task; in tests
  Celery runs eagerly, so those tasks run inside the request when it commits.
- `per_batch_queries()`: the import task queries once per batch of rows, by design.

django-zeal is a test-only dependency; without it these are no-ops.
"""

from __future__ import annotations

from contextlib import nullcontext

try:
    from zeal import zeal_ignore
except ImportError:  # pragma: no cover - production installs without the test extras
    zeal_ignore = None

_MAIL = [{"model": "tenancy.Tenant", "field": "*"}, {"model": "notifications.EmailOutbox", "field": "*"}]


def mail_delivery():
    return zeal_ignore(_MAIL) if zeal_ignore is not None else nullcontext()


def per_batch_queries():
    return zeal_ignore() if zeal_ignore is not None else nullcontext()
