"""The one audience selector: what a member may see. Lists, search, counts, detail pages and
downloads all start from these querysets, so a rule can never be forgotten in one place.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from content.models import Asset, AssetPartnerType, Course, CoursePartnerType
from partners.models import Partner
from prm.tenancy.viewer import Viewer

# Organisations whose access to the program is suspended or ended see no content.
BLOCKED_PARTNER_STATUSES = frozenset({Partner.Status.SUSPENDED, Partner.Status.CHURNED})


def _audience_filter(qs: QuerySet, viewer: Viewer, through_model, fk: str) -> QuerySet:
    """Apply minimum tier (by rank), partner type and role rules for a partner member."""
    partner = viewer.partner
    if partner is None or partner.status in BLOCKED_PARTNER_STATUSES:
        return qs.none()
    tier_q = Q(min_tier__isnull=True)
    if partner.tier_id is not None:
        tier_q |= Q(min_tier__rank__lte=partner.tier.rank)
    role_q = Q(audience_role="") | Q(audience_role=viewer.role)
    limited = through_model.objects.filter(**{fk: OuterRef("pk")})
    type_q = ~Exists(limited) | Exists(limited.filter(partner_type_id=partner.partner_type_id))
    return qs.filter(tier_q, role_q, type_q)


def assets_visible_to(viewer: Viewer, *, now: datetime | None = None) -> QuerySet[Asset]:
    """Published, unexpired assets the member may open. Staff see every published asset (content
    belongs to the program, not to partners: a confined manager's book does not narrow it)."""
    qs = Asset.objects.published(now).filter(~Q(kind=Asset.Kind.FILE) | Q(current_version__isnull=False))
    if not viewer.is_partner:
        return qs
    return _audience_filter(qs, viewer, AssetPartnerType, "asset")


def asset_for(viewer: Viewer, asset_id) -> Asset:
    """The asset or 404. Staff may open drafts to preview them; partners only what rules allow."""
    base = Asset.objects.all() if not viewer.is_partner else assets_visible_to(viewer)
    return get_object_or_404(base.select_related("current_version", "category", "min_tier"), pk=asset_id)


def courses_visible_to(viewer: Viewer, *, now: datetime | None = None) -> QuerySet[Course]:
    qs = Course.objects.published(now)
    if not viewer.is_partner:
        return qs
    return _audience_filter(qs, viewer, CoursePartnerType, "course")


def course_for(viewer: Viewer, course_id) -> Course:
    base = Course.objects.all() if not viewer.is_partner else courses_visible_to(viewer)
    return get_object_or_404(base, pk=course_id)
