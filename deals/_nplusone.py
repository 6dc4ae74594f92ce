"""Per-item work that is deliberate (one transaction and row lock per selected deal) is exempt
from the test suite's N+1 guard (a no-op without django-zeal, see prm.nplusone)."""

from prm.nplusone import deliberate_repetition as per_item_queries  # noqa: F401
