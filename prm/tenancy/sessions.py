"""Each session belongs to the host that signed it in.

A session cookie stolen from one portal is worth nothing on another: the session remembers the
tenant it was signed in on (0 for the platform's base domain) and SessionHostMiddleware treats it
as signed out anywhere else. Moving between one's portals goes through the "My portals" hop,
which signs in afresh on the target host.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SESSION_TENANT_KEY = "prm_tenant"


def host_key(tenant) -> int:
    return tenant.pk if tenant is not None else 0


def bind_session(session, tenant) -> None:
    """Bind `session` to `tenant` (None: the base domain). Sign-ins do it; tests and tools that
    build a session without a request (the test client's force_login) call it themselves."""
    session[SESSION_TENANT_KEY] = host_key(tenant)
    if session.session_key is not None:
        session.save()


def is_bound_to(session, tenant) -> bool:
    return session.get(SESSION_TENANT_KEY) == host_key(tenant)


@receiver(user_logged_in)
def _bind_on_sign_in(sender, request, user, **kwargs) -> None:
    # A request that passed TenantMiddleware knows its tenant (None on the base domain); the test
    # client's force_login builds a bare request without one, and binds afterwards (bind_session).
    if hasattr(request, "tenant"):
        request.session[SESSION_TENANT_KEY] = host_key(request.tenant)
