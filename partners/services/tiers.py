"""Tier requirements, manual tier changes with effective-dated history, and delayed downgrades.

`tier_requirements_check` is the service analytics calls for automatic evaluation: it reads
the metrics other apps register in `partners.metrics` (won revenue, certifications, health score)
for many partners at once and says, per tier, which requirements each partner meets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partners import metrics
from partners.models import Partner, PartnerSettings, Tier, TierChange
from prm.audit.services import audit_log
from prm.notifications.services import notify
from prm.tenancy.models import Membership
from prm.tenancy.roles import Role


@dataclass(frozen=True)
class RequirementResult:
    metric: str
    label: str
    required: object
    actual: object          # None when no app provides the metric (counts as not met)
    met: bool

    def as_dict(self) -> dict:
        return {"metric": self.metric, "label": self.label, "required": _plain(self.required),
                "actual": _plain(self.actual), "met": self.met}


@dataclass(frozen=True)
class TierCheck:
    tier: Tier
    results: list[RequirementResult] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(r.met for r in self.results)

    @property
    def missing(self) -> list[RequirementResult]:
        return [r for r in self.results if not r.met]


def _plain(value):
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value


def tier_requirements(tier: Tier) -> list[tuple[str, str, object]]:
    """(metric, label, required) for the requirements this tier actually sets."""
    reqs = []
    if tier.min_won_revenue_12m and tier.min_won_revenue_12m > 0:
        reqs.append((metrics.WON_REVENUE_12M, _("Won revenue, trailing 12 months"), tier.min_won_revenue_12m))
    if tier.min_active_certifications:
        reqs.append((metrics.ACTIVE_CERTIFICATIONS, _("Active certifications"), tier.min_active_certifications))
    if tier.min_health_score is not None and tier.min_health_score > 0:
        reqs.append((metrics.HEALTH_SCORE, _("Health score"), tier.min_health_score))
    return reqs


def tier_requirements_check(
    *, tenant, partner_ids: Iterable, as_of: date | None = None, tiers: Iterable[Tier] | None = None,
) -> dict:
    """{partner_id: [TierCheck per tier, lowest rank first]} — one provider call per metric in all."""
    ids = list(partner_ids)
    as_of = as_of or timezone.localdate()
    tiers = list(tiers) if tiers is not None else list(Tier.objects.filter(tenant=tenant).order_by("rank"))
    values = metrics.partner_metrics(tenant, ids, as_of) if ids else {}
    result: dict = {}
    for pid in ids:
        checks = []
        for tier in tiers:
            results = []
            for metric, label, required in tier_requirements(tier):
                provided = values.get(metric)
                actual = provided.get(pid, 0 if metric != metrics.HEALTH_SCORE else None) if provided is not None else None
                met = actual is not None and actual >= required
                results.append(RequirementResult(metric, label, required, actual, met))
            checks.append(TierCheck(tier, results))
        result[pid] = checks
    return result


def tier_recommendation(*, tenant, partner_ids: Iterable, as_of: date | None = None) -> dict:
    """{partner_id: the tier the partner qualifies for}: climbing the ladder from the entry tier,
    the last tier before the first one whose requirements are not met (the entry tier at least)."""
    recommendation = {}
    for pid, checks in tier_requirements_check(tenant=tenant, partner_ids=partner_ids, as_of=as_of).items():
        reached = checks[0].tier if checks else None
        for check in checks:
            if not check.met:
                break
            reached = check.tier
        recommendation[pid] = reached
    return recommendation


def _partner_admins(partner: Partner) -> list:
    return [m.user for m in Membership.objects.filter(partner=partner, role=Role.PARTNER_ADMIN, is_active=True)
            .select_related("user")]


def tier_change(
    *, tenant, partner: Partner, to_tier: Tier, reason: str, actor=None,
    source: str = TierChange.Source.MANUAL, request=None, now: datetime | None = None,
) -> TierChange:
    """Move a partner to another tier: upgrades at once, downgrades after the tenant's grace period."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the tier change.")})
    if to_tier.tenant_id != tenant.pk or partner.tenant_id != tenant.pk:
        raise ValidationError({"to_tier": _("Unknown tier.")})
    now = now or timezone.now()
    with transaction.atomic():
        partner = Partner.objects.select_for_update(of=("self",)).select_related("tier").get(pk=partner.pk)
        current = partner.tier
        pending = TierChange.objects.filter(partner=partner, status=TierChange.Status.SCHEDULED)
        if current is not None and current.pk == to_tier.pk:
            if not pending.exists():
                raise ValidationError({"to_tier": _("The partner is already in this tier.")})
            # Confirming the current tier withdraws a pending downgrade.
            _cancel_pending(tenant, partner, actor, reason, request)
            return TierChange.objects.filter(partner=partner).order_by("-created_at").first()
        _cancel_pending(tenant, partner, actor, _("Replaced by a newer tier decision."), request)
        downgrade = current is not None and to_tier.rank < current.rank
        grace_days = PartnerSettings.for_tenant(tenant).tier_downgrade_grace_days
        change = TierChange(
            tenant=tenant, partner=partner, from_tier=current, to_tier=to_tier, reason=reason, source=source,
            changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if downgrade:
            change.status = TierChange.Status.SCHEDULED
            change.effective_from = now + timedelta(days=grace_days)
            check = tier_requirements_check(tenant=tenant, partner_ids=[partner.pk], tiers=[current])[partner.pk][0]
            change.missing = [r.as_dict() for r in check.missing]
        else:
            change.status = TierChange.Status.APPLIED
            change.effective_from = now
            change.applied_at = now
        change.save(force_insert=True)
        if downgrade and grace_days == 0:
            _apply(change, now=now)
        elif not downgrade:
            partner.tier = to_tier
            partner.save(update_fields=["tier"])
        audit_log(tenant=tenant, actor=actor, action="partner.tier_change", obj=partner, request=request, changes={
            "from": current.name if current else None, "to": to_tier.name, "reason": reason,
            "effective_from": change.effective_from.isoformat(), "status": change.status,
        })
        _tell_partner(change)
    return change


def _cancel_pending(tenant, partner, actor, why: str, request=None) -> int:
    now = timezone.now()
    count = 0
    for pending in TierChange.objects.filter(partner=partner, status=TierChange.Status.SCHEDULED):
        pending.status = TierChange.Status.CANCELLED
        pending.cancelled_at = now
        pending.cancel_reason = why[:300]
        pending.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        audit_log(tenant=tenant, actor=actor, action="partner.tier_change_cancel", obj=partner,
                  changes={"to": pending.to_tier.name, "why": why}, request=request)
        count += 1
    return count


def tier_change_cancel(*, tenant, partner: Partner, actor, reason: str = "", request=None) -> int:
    """Withdraw a scheduled downgrade."""
    with transaction.atomic():
        count = _cancel_pending(tenant, partner, actor, reason or _("Withdrawn by a channel manager."), request)
        if not count:
            raise ValidationError(_("There is no scheduled tier change to withdraw."))
        notify(tenant=tenant, users=_partner_admins(partner), email=True,
               title=_("Your tier stays %(tier)s") % {"tier": partner.tier},
               url=reverse("partners:tier"))
    return count


def _apply(change: TierChange, *, now: datetime) -> None:
    partner = change.partner
    partner.tier = change.to_tier
    partner.save(update_fields=["tier"])
    change.status = TierChange.Status.APPLIED
    change.applied_at = now
    change.save(update_fields=["status", "applied_at"])


def _tell_partner(change: TierChange) -> None:
    partner = change.partner
    if change.status == TierChange.Status.SCHEDULED:
        missing = "\n".join(
            f"- {m['label']}: {m['actual'] if m['actual'] is not None else _('no data')} / {m['required']}"
            for m in change.missing
        )
        title = _("Your tier will change from %(from)s to %(to)s on %(date)s") % {
            "from": change.from_tier, "to": change.to_tier,
            "date": formats.date_format(change.effective_from, "DATE_FORMAT")}
        body = _("Reason: %(reason)s") % {"reason": change.reason}
        if missing:
            body += "\n\n" + _("To keep %(tier)s you are missing:") % {"tier": change.from_tier} + "\n" + missing
    else:
        title = _("Your organisation is now %(tier)s") % {"tier": change.to_tier}
        body = change.reason
    notify(tenant=partner.tenant, users=_partner_admins(partner), title=title, body=body, url=reverse("partners:tier"))


def tier_apply_due(*, tenant, now: datetime | None = None) -> int:
    """Apply scheduled downgrades whose grace period is over (periodic task; idempotent)."""
    now = now or timezone.now()
    applied = 0
    due = list(TierChange.objects.filter(tenant=tenant, status=TierChange.Status.SCHEDULED, effective_from__lte=now)
               .values_list("pk", flat=True))
    for pk in due:
        with transaction.atomic():
            change = (TierChange.objects.select_for_update(of=("self",))
                      .select_related("partner", "from_tier", "to_tier")
                      .filter(pk=pk, status=TierChange.Status.SCHEDULED).first())
            if change is None:
                continue
            partner = change.partner
            why = ""
            if partner.tier_id != change.from_tier_id:
                why = _("The partner's tier changed in the meantime.")
            elif change.source == TierChange.Source.AUTOMATIC and change.from_tier is not None:
                check = tier_requirements_check(tenant=tenant, partner_ids=[partner.pk], tiers=[change.from_tier])
                if check[partner.pk][0].met:
                    why = _("The partner meets the requirements of its tier again.")
            if why:
                _cancel_pending(tenant, partner, None, why)
                continue
            _apply(change, now=now)
            audit_log(tenant=tenant, actor=None, action="partner.tier_downgrade_applied", obj=partner,
                      changes={"from": change.from_tier.name, "to": change.to_tier.name})
            _tell_partner(change)
            applied += 1
    return applied
