"""Per-item work that is deliberate (one transaction and row lock per selected deal) is exempt
from the test suite's N+1 guard; django-zeal is a test-only dependency, so fall back to a no-op."""

try:
    from zeal import zeal_ignore as per_item_queries  # noqa: F401
except ImportError:  # pragma: no cover - production installs without the test extras
    from contextlib import nullcontext as per_item_queries  # noqa: F401
