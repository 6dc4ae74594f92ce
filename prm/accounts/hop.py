"""Move a signed-in user to another of their portals without a second login.

Each portal host keeps its own session cookie (custom domains cannot share one), so the current
host hands over a signed, 60-second, single-use token that the target host exchanges for a
session.
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.core.cache import cache

SALT = "prm.accounts.hop"
MAX_AGE = 60


def make_token(*, user, tenant) -> str:
    return signing.dumps({"u": user.pk, "t": tenant.pk, "n": secrets.token_urlsafe(16)}, salt=SALT)


def read_token(token: str, *, tenant) -> int | None:
    """The user id the token stands for on `tenant`, or None if invalid, expired or used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("t") != tenant.pk:
        return None
    # cache.add is atomic: only the first use of a nonce succeeds.
    if not cache.add(f"hop-nonce:{data.get('n')}", 1, timeout=MAX_AGE * 2):
        return None
    return data.get("u")
