"""Navigation entries and home-page widgets the content app contributes to the portal shell."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from prm.tenancy.portal import HomeWidget, NavItem, register_home_widget, register_nav
from prm.tenancy.roles import PARTNER_ROLES, STAFF_ROLES

register_nav(NavItem(_("Content"), "content:library", PARTNER_ROLES, order=20, active_prefixes=("/content/a/",)))
register_nav(NavItem(_("Training"), "content:training", PARTNER_ROLES, order=25, active_prefixes=("/content/training",)))
register_nav(NavItem(_("Content"), "content:manage", STAFF_ROLES, order=30, active_prefixes=("/content/",)))


def partner_widget(request: HttpRequest) -> dict | None:
    from content.models import LibraryVisit
    from content.selectors import assets_visible_to, courses_visible_to
    from content.selectors.library import featured_assets, new_since
    from content.selectors.training import courses_with_progress

    visible = assets_visible_to(request.viewer)
    since = new_since(LibraryVisit.objects.filter(user=request.user).first(), for_home=True)
    # The widget lists titles only: no need to load (and build) whole assets and courses.
    new_qs = visible.filter(publish_at__gt=since).order_by("-publish_at").only("title", "publish_at")
    new = list(new_qs[:4])
    in_progress = [
        c for c in courses_with_progress(courses_visible_to(request.viewer).only("title"), request.user)
        .filter(done_count__gt=0) if not c.certified
    ][:3]
    featured = featured_assets(visible, limit=3, titles_only=True)
    if not (new or in_progress or featured):
        return None
    return {"featured": featured, "new": new, "new_count": new_qs.count() if len(new) == 4 else len(new),
            "in_progress": in_progress}


def staff_widget(request: HttpRequest) -> dict | None:
    from content.selectors.analytics import engagement_summary

    return engagement_summary(days=30)


register_home_widget(HomeWidget("content/widgets/partner_home.html", partner_widget, PARTNER_ROLES, order=20, wide=True))
register_home_widget(HomeWidget("content/widgets/staff_home.html", staff_widget, STAFF_ROLES, order=30))
