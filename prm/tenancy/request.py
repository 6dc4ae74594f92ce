"""The request as the portal's middleware leaves it, for type annotations.

Views and helpers that read `request.tenant`, `request.membership` or `request.viewer` annotate
their parameter with `PortalRequest` (never instantiated: Django passes its own HttpRequest, and
the middleware sets these attributes on it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from prm.tenancy.models import Membership, Tenant
    from prm.tenancy.viewer import Viewer


class PortalRequest(HttpRequest):
    # TenantMiddleware: the host's tenant, None on the bare base domain.
    tenant: Tenant | None
    # MembershipMiddleware: the signed-in user's active membership in that tenant, and who is
    # looking (prm.tenancy.viewer); None for anyone else.
    membership: Membership | None
    viewer: Viewer | None
    # django_htmx.middleware.HtmxMiddleware.
    htmx: HtmxDetails


class MemberRequest(PortalRequest):
    """A request that a `prm.tenancy.access` decorator let through: a signed-in member of the host's
    tenant (for views decorated with `tenant_view` or one of its shortcuts)."""

    tenant: Tenant
    membership: Membership
    viewer: Viewer
