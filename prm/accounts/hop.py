"""Move a signed-in user to another of their portals without a second login.

Each portal host keeps its own session cookie (custom domains cannot share one), so the hosts
hand a sign-in over in three signed steps, each valid for 60 seconds:

1. the origin host (where the user clicked "Open") issues a *token* naming the user, the target
   tenant, a one-time nonce and a digest of the origin session's key;
2. the target host remembers a fresh *browser nonce* in its own (anonymous) session and sends the
   browser back to the origin to confirm;
3. the origin checks that the same signed-in session asks (the digest), and answers with a *grant*
   naming the browser nonce; the target signs in only if its session holds that nonce, and only once.

So a hop URL that a third party makes a browser load never signs that browser in: the browser
holds neither the origin session the token was made for nor the target session the grant names.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing
from django.core.cache import cache

TOKEN_SALT = "prm.accounts.hop"
GRANT_SALT = "prm.accounts.hop.grant"
MAX_AGE = 60
SESSION_KEY = "prm_hop"


def session_digest(session) -> str:
    if session.session_key is None:
        session.save()
    return hashlib.sha256(f"hop:{session.session_key}".encode()).hexdigest()[:32]


def make_token(*, user, tenant, session, confirm_url: str) -> str:
    return signing.dumps({"u": user.pk, "t": tenant.pk, "n": secrets.token_urlsafe(16),
                          "s": session_digest(session), "o": confirm_url}, salt=TOKEN_SALT)


def read_token(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=TOKEN_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None


def make_grant(data: dict, browser_nonce: str) -> str:
    return signing.dumps({"u": data["u"], "t": data["t"], "n": data["n"], "b": browser_nonce}, salt=GRANT_SALT)


def read_grant(grant: str, *, tenant, session) -> int | None:
    """The user id to sign in on `tenant`, or None: bad or old grant, another browser, or used."""
    try:
        data = signing.loads(grant, salt=GRANT_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    expected = session.pop(SESSION_KEY, None)
    if data.get("t") != tenant.pk or not expected or not secrets.compare_digest(str(expected), str(data.get("b"))):
        return None
    # cache.add is atomic: only the first use of a token's nonce succeeds.
    if not cache.add(f"hop-nonce:{data.get('n')}", 1, timeout=MAX_AGE * 2):
        return None
    return data.get("u")
