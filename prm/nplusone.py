"""Telling the test suite's N+1 guard (django-zeal) that a repetition is deliberate.

django-zeal is a test-only dependency; without it `deliberate_repetition()` does nothing."""

from __future__ import annotations

from contextlib import nullcontext

try:
    from zeal import zeal_ignore
except ImportError:  # pragma: no cover - production installs without the test extras
    zeal_ignore = None


def deliberate_repetition(allowlist: list[dict] | None = None):
    """A context manager: queries repeated inside it are not N+1 errors (all of them, or only
    those of `allowlist`, zeal's [{"model": …, "field": …}] entries)."""
    if zeal_ignore is None:
        return nullcontext()
    return zeal_ignore(allowlist) if allowlist is not None else zeal_ignore()
