"""Fit score of an applicant against the tenant's ideal partner profile.

The score starts at the profile's base score; every criterion adds its points when the applicant
matches and subtracts its penalty when not. The result is clamped to 0–100 and the reasons are
kept with their points, so a channel manager sees exactly why ("Serves EMEA +20", "No security
specialty −10").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from partners.choices import region_label, revenue_band_label
from partners.models import IdealPartnerProfile, IdealProfileCriterion

DEFAULT_BASE_SCORE = 50


@dataclass(frozen=True)
class Applicant:
    regions: list[str]
    specialties: list[str]
    employees: int | None
    partner_type_id: object | None
    revenue_band: str


def _matches(criterion: IdealProfileCriterion, applicant: Applicant) -> bool:
    kind = IdealProfileCriterion.Kind
    if criterion.kind == kind.REGION:
        return criterion.region in applicant.regions
    if criterion.kind == kind.SPECIALTY:
        return criterion.specialty.lower() in {s.lower() for s in applicant.specialties}
    if criterion.kind == kind.PARTNER_TYPE:
        return applicant.partner_type_id is not None and applicant.partner_type_id == criterion.partner_type_id
    if criterion.kind == kind.REVENUE_BAND:
        return applicant.revenue_band == criterion.revenue_band
    if criterion.kind == kind.COMPANY_SIZE:
        if applicant.employees is None:
            return False
        low = criterion.min_employees if criterion.min_employees is not None else 0
        high = criterion.max_employees
        return applicant.employees >= low and (high is None or applicant.employees <= high)
    return False


def _value(criterion: IdealProfileCriterion) -> str:
    kind = IdealProfileCriterion.Kind
    if criterion.kind == kind.REGION:
        return criterion.region
    if criterion.kind == kind.SPECIALTY:
        return criterion.specialty
    if criterion.kind == kind.PARTNER_TYPE:
        return str(criterion.partner_type) if criterion.partner_type_id else ""
    if criterion.kind == kind.REVENUE_BAND:
        return criterion.revenue_band
    return criterion.value_label()


def fit_score(
    applicant: Applicant, *, profile: IdealPartnerProfile | None, criteria: Iterable[IdealProfileCriterion]
) -> tuple[int, list[dict]]:
    """(score 0–100, reasons). Reasons are plain data (rendered and translated at display time)."""
    base = profile.base_score if profile is not None else DEFAULT_BASE_SCORE
    total = base
    reasons: list[dict] = []
    for criterion in criteria:
        matched = _matches(criterion, applicant)
        points = criterion.points_match if matched else -criterion.points_miss
        if points == 0:
            continue  # a criterion that does not move the score is not a reason
        total += points
        reasons.append({"kind": criterion.kind, "value": _value(criterion), "matched": matched, "points": points})
    # Biggest effects first, so the queue shows what mattered most.
    reasons.sort(key=lambda r: -abs(r["points"]))
    return max(0, min(100, total)), reasons


def tenant_profile(tenant) -> tuple[IdealPartnerProfile | None, list[IdealProfileCriterion]]:
    profile = IdealPartnerProfile.objects.filter(tenant=tenant).first()
    if profile is None:
        return None, []
    return profile, list(profile.criteria.select_related("partner_type").order_by("order", "kind"))


def reason_text(reason: dict) -> str:
    """'Serves EMEA', 'No security specialty', … (the points are shown next to it)."""
    kind, value, matched = reason.get("kind"), reason.get("value", ""), reason.get("matched")
    k = IdealProfileCriterion.Kind
    if kind == k.REGION:
        label = region_label(value)
        return _("Serves %(region)s") % {"region": label} if matched else _("Does not serve %(region)s") % {"region": label}
    if kind == k.SPECIALTY:
        return _("%(specialty)s specialty") % {"specialty": value.capitalize()} if matched else _("No %(specialty)s specialty") % {"specialty": value}
    if kind == k.PARTNER_TYPE:
        return _("Wants to be a %(type)s") % {"type": value} if matched else _("Not applying as %(type)s") % {"type": value}
    if kind == k.REVENUE_BAND:
        label = revenue_band_label(value)
        return _("Revenue %(band)s") % {"band": label} if matched else _("Revenue is not %(band)s") % {"band": label}
    if kind == k.COMPANY_SIZE:
        return _("%(size)s employees") % {"size": value} if matched else _("Company size outside %(size)s employees") % {"size": value}
    return str(value)


def format_points(points: int) -> str:
    return f"+{points}" if points > 0 else f"−{abs(points)}"
