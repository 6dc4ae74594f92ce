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
        matches: list[tuple[int, dict]] = []  # (length of the matching prefix, entry): the longest wins
        for item in nav_for(viewer):
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            prefixes = item.active_prefixes or ((url,) if url != "/" else ())
            match = len(url) + 1 if path == url else max((len(p) for p in prefixes if path.startswith(p)), default=0)
            entry = {"label": item.label, "url": url, "active": False}
            matches.append((match, entry))
            nav.append(entry)
        length, current = max(matches, key=lambda m: m[0], default=(0, {}))
        if length:
            current["active"] = True
    return {"tenant": tenant, "membership": membership, "viewer": viewer, "portal_nav": nav, "base_domain": settings.PRM_BASE_DOMAIN}
