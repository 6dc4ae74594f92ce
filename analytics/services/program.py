"""Writes staff make from the analytics pages: scoring settings, applying a tier proposal, run now."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from analytics.models import AnalyticsSettings, HealthRun, PartnerHealthSnapshot
from prm.audit.services import audit_log

SETTINGS_FIELDS = [
    "weight_activity", "weight_recency", "weight_trend", "weight_deals", "weight_wins", "weight_onboarding",
    "weight_certifications", "weight_mdf", "activity_target", "deals_target", "certifications_target",
    "recency_full_days", "recency_zero_days", "churn_horizon_days", "at_risk_percent",
]


def analytics_settings_update(*, tenant, data: dict, actor, request=None) -> AnalyticsSettings:
    """Validate and save the tenant's scoring settings (takes effect with the next run)."""
    with transaction.atomic():
        settings = AnalyticsSettings.objects.select_for_update().filter(tenant=tenant).first()
        if settings is None:
            settings = AnalyticsSettings(tenant=tenant)
        before = {f: getattr(settings, f) for f in SETTINGS_FIELDS}
        for name in SETTINGS_FIELDS:
            if name in data:
                setattr(settings, name, data[name])
        settings.full_clean(exclude=["tenant"])
        settings.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        settings.save()
        changes = {f: {"from": before[f], "to": getattr(settings, f)} for f in SETTINGS_FIELDS
                   if before[f] != getattr(settings, f)}
        if changes:
            audit_log(tenant=tenant, actor=actor, action="analytics.settings", obj=settings, changes=changes,
                      request=request)
    return settings


def proposal_apply(*, tenant, partner, actor, request=None) -> PartnerHealthSnapshot:
    """A channel manager accepts the nightly evaluation's tier proposal for one partner (through the
    partners app's tier change service: an upgrade now, a downgrade after the grace period)."""
    from partners.models import TierChange
    from partners.services.tiers import tier_change

    with transaction.atomic():
        snapshot = (PartnerHealthSnapshot.objects.select_for_update(of=("self",))
                    .select_related("recommended_tier").filter(
                        tenant=tenant, partner=partner, tier_action=PartnerHealthSnapshot.TierAction.PROPOSED)
                    .order_by("-date").first())
        if snapshot is None or snapshot.recommended_tier is None:
            raise ValidationError(_("There is no open tier proposal for this partner."))
        latest = (PartnerHealthSnapshot.objects.filter(tenant=tenant, partner=partner).order_by("-date")
                  .values_list("date", flat=True).first())
        if latest != snapshot.date:
            raise ValidationError(_("This proposal was superseded by a newer evaluation."))
        up = snapshot.recommendation == PartnerHealthSnapshot.Recommendation.PROMOTE
        reason = (_("The tier evaluation of %(date)s found the requirements of %(tier)s met.") if up else
                  _("The tier evaluation of %(date)s found the requirements of the current tier no longer met; "
                    "%(tier)s fits the results.")) % {
            "date": formats.date_format(snapshot.date, "DATE_FORMAT"), "tier": snapshot.recommended_tier.name}
        change = tier_change(tenant=tenant, partner=partner, to_tier=snapshot.recommended_tier, reason=reason,
                             actor=actor, source=TierChange.Source.MANUAL, request=request)
        snapshot.tier_action = (PartnerHealthSnapshot.TierAction.SCHEDULED
                                if change.status == TierChange.Status.SCHEDULED
                                else PartnerHealthSnapshot.TierAction.APPLIED)
        snapshot.save(update_fields=["tier_action"])
        audit_log(tenant=tenant, actor=actor, action="analytics.tier_proposal_apply", obj=partner, request=request,
                  changes={"to": snapshot.recommended_tier.name, "status": change.status})
    return snapshot


def health_run_request(*, tenant, actor, day=None) -> HealthRun | None:
    """"Run now": refuse while a run is in progress, else enqueue the tenant's run for today.

    Returns the run in progress (nothing enqueued) or None (enqueued; it starts after commit).
    """
    from analytics.services.settings import STALE_AFTER
    from analytics.tasks import health_tenant_task
    from prm.tenancy.tasks import enqueue_on_commit

    active = HealthRun.objects.filter(tenant=tenant, status=HealthRun.Status.RUNNING).first()
    if active is not None and timezone.now() - active.heartbeat_at < STALE_AFTER:
        return active
    day = day or timezone.localdate()
    audit_log(tenant=tenant, actor=actor, action="analytics.run_now", changes={"date": day.isoformat()})
    enqueue_on_commit(health_tenant_task, day.isoformat(), HealthRun.Trigger.MANUAL, getattr(actor, "pk", None),
                      tenant_id=tenant.pk)
    return None
