"""Next best actions: rules over one partner's features, stored as codes with parameters and turned
into sentences (in the reader's language) only when shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

NO_DEAL_DAYS = 60
REENGAGE_DAYS = 30
MDF_UNUSED_BELOW = 0.25
MAX_ACTIONS = 4
# Who sees which action: partners get the ones they can act on themselves.
PARTNER_CODES = {"finish_onboarding", "reach_tier", "take_course", "no_recent_deal", "mdf_unused"}


@dataclass(frozen=True)
class CourseOption:
    id: object
    title: str
    min_rank: int | None
    partner_type_ids: frozenset

    def open_to(self, tier_rank: int | None, partner_type_id) -> bool:
        if self.min_rank is not None and (tier_rank or 0) < self.min_rank:
            return False
        return not self.partner_type_ids or partner_type_id in self.partner_type_ids


def course_options(tenant, *, now) -> list[CourseOption]:
    """Published courses, most certified first (two queries): candidates for "take course X"."""
    from django.db.models import Count, Q

    from content.models import Course, CoursePartnerType

    courses = list(Course.objects.filter(tenant=tenant).published(now).select_related("min_tier")
                   .annotate(n=Count("certifications", filter=Q(certifications__status="active")))
                   .order_by("-n", "title"))
    types: dict = {}
    for course_id, type_id in CoursePartnerType.objects.filter(tenant=tenant).values_list("course_id", "partner_type_id"):
        types.setdefault(course_id, set()).add(type_id)
    return [CourseOption(c.pk, c.title, c.min_tier.rank if c.min_tier_id else None, frozenset(types.get(c.pk, ())))
            for c in courses]


def next_actions(f: Mapping, *, tier_rank: int | None, courses: list[CourseOption], certifications_target: int,
                 next_tier_name: str, next_missing: list) -> list[dict]:
    if f["status"] not in ("active", "onboarding"):
        return []  # prospects, suspended and churned partners get no suggestions
    actions: list[dict] = []
    completion = f.get("onboarding_completion")
    if completion is not None and completion < 1:
        actions.append({"code": "finish_onboarding", "percent": int(round(completion * 100))})
    if next_missing and next_tier_name:
        actions.append({"code": "reach_tier", "tier": next_tier_name,
                        "missing": [{"metric": m["metric"], "gap": requirement_gap(m)} for m in next_missing]})
    needs_certs = f["active_certifications"] < certifications_target or any(
        m["metric"] == "active_certifications" for m in next_missing)
    if needs_certs:
        held = f.get("courses_held") or set()
        course = next((c for c in courses if c.id not in held and c.open_to(tier_rank, f["partner_type_id"])), None)
        if course is not None:
            actions.append({"code": "take_course", "course_id": str(course.id), "title": course.title})
    if f.get("transacts", True) and f["status"] == "active" and (
            f["days_since_deal"] is None or f["days_since_deal"] > NO_DEAL_DAYS):
        actions.append({"code": "no_recent_deal", "days": f["days_since_deal"]})
    if f["mdf_allocated"] > 0 and (f["mdf_utilisation"] or 0) < MDF_UNUSED_BELOW:
        actions.append({"code": "mdf_unused", "available": str(f["mdf_allocated"] - f["mdf_used"])})
    if f["status"] in ("active", "onboarding") and (
            f["days_since_sign_in"] is None or f["days_since_sign_in"] >= REENGAGE_DAYS):
        actions.append({"code": "reengage", "days": f["days_since_sign_in"]})
    return actions[:MAX_ACTIONS + 1]


def requirement_gap(missing: Mapping):
    """How much of a requirement is still missing (required - actual), as a string; the required value if not numeric."""
    required, actual = missing.get("required"), missing.get("actual")
    try:
        return str(Decimal(str(required)) - Decimal(str(actual or 0)))
    except (ArithmeticError, ValueError):
        return required
