"""Exemptions from the test suite's N+1 guard (django-zeal) for deliberate repetition.

- `mail_delivery()`: one email per recipient is one outbox row delivered by its own task; in tests
  Celery runs eagerly, so those tasks run inside the request when it commits.
- `per_batch_queries()`: the import task queries once per batch of rows, by design.

django-zeal is a test-only dependency; without it these are no-ops (prm.nplusone).
"""

from __future__ import annotations

from prm.nplusone import deliberate_repetition

_MAIL = [{"model": "tenancy.Tenant", "field": "*"}, {"model": "notifications.EmailOutbox", "field": "*"}]


def mail_delivery():
    return deliberate_repetition(_MAIL)


def per_batch_queries():
    return deliberate_repetition()
