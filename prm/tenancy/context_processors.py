from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from prm.tenancy.portal import nav_for


def portal(request) -> dict:
    """Branding and role navigation for the base layout."""
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    viewer = getattr(request, "viewer", None)
    nav = []
    if tenant is not None and viewer is not None:
        path = request.path
        for item in nav_for(viewer):
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            prefixes = item.active_prefixes or ((url,) if url != "/" else ())
            active = path == url or any(path.startswith(p) for p in prefixes)
            nav.append({"label": item.label, "url": url, "active": active})
    return {"tenant": tenant, "membership": membership, "viewer": viewer, "portal_nav": nav, "base_domain": settings.PRM_BASE_DOMAIN}
