"""Onboarding: start a partner on its path, complete steps from engagement events, finish → active.

Steps complete themselves: PartnersConfig.ready() subscribes `onboarding_handle_event` to the
event kinds steps listen for. The apps that record those events (content, deals, accounts) never
import partners' onboarding; a step that points at a course or asset stores the object's type label
and id as text and is matched against the event's object_type/object_id.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import OnboardingPath, OnboardingStep, Partner, PartnerOnboarding, StepCompletion
from prm.audit.services import audit_log
from prm.events.models import EngagementEvent
from prm.events.services import record_event
from prm.notifications.services import notify
from prm.tenancy.models import Membership
from prm.tenancy.roles import PARTNER_ROLES, Role


def path_for(partner: Partner) -> OnboardingPath | None:
    """The partner type's own path, else the tenant's default path."""
    paths = list(
        OnboardingPath.objects.filter(tenant_id=partner.tenant_id)
        .filter(Q(partner_type_id=partner.partner_type_id) | Q(partner_type__isnull=True))
    )
    paths.sort(key=lambda p: p.partner_type_id is None)
    return paths[0] if paths else None


def _event_satisfies(step: OnboardingStep, *, kind: str, object_type: str, object_id: str, user_id,
                     partner: Partner) -> bool:
    if step.event_kind != kind:
        return False
    if step.target_id:
        if object_id != step.target_id:
            return False
        if step.target_type and object_type != step.target_type:
            return False
    if step.kind == OnboardingStep.Kind.INVITE_COLLEAGUE:
        # The contact's own invitation is sent by staff at approval; only a partner member inviting counts.
        return user_id is not None and Membership.objects.filter(
            partner=partner, user_id=user_id, role__in=list(PARTNER_ROLES)
        ).exists()
    if step.kind == OnboardingStep.Kind.COMPLETE_PROFILE:
        return not partner.profile_missing()
    return True


def _complete(onboarding: PartnerOnboarding, step: OnboardingStep, *, at=None, by=None, event_id=None) -> bool:
    now = timezone.now()
    _completion, created = StepCompletion.objects.get_or_create(
        tenant_id=onboarding.tenant_id, onboarding=onboarding, step=step,
        defaults={"completed_at": at or now, "completed_by": by, "event_id": event_id},
    )
    if created:
        onboarding.last_progress_at = now
        onboarding.save(update_fields=["last_progress_at"])
    return created


def _maybe_finish(onboarding: PartnerOnboarding, *, actor=None) -> bool:
    """All steps done → the onboarding is complete and an onboarding partner becomes active."""
    if onboarding.completed_at is not None:
        return False
    step_ids = set(onboarding.path.steps.values_list("pk", flat=True))
    done = set(onboarding.completions.values_list("step_id", flat=True))
    if not step_ids <= done:
        return False
    now = timezone.now()
    onboarding.completed_at = now
    onboarding.save(update_fields=["completed_at"])
    partner = Partner.objects.select_for_update().get(pk=onboarding.partner_id)
    if partner.status == Partner.Status.ONBOARDING:
        partner.status = Partner.Status.ACTIVE
        partner.activated_at = now
        partner.save(update_fields=["status", "activated_at"])
        audit_log(tenant=partner.tenant, actor=actor, action="partner.activate", obj=partner,
                  changes={"reason": "onboarding completed"})
    record_event(tenant=partner.tenant, kind="onboarding_completed", partner=partner, user=actor, obj=onboarding)
    admins = Membership.objects.filter(partner=partner, role=Role.PARTNER_ADMIN, is_active=True).select_related("user")
    users = [m.user for m in admins]
    if partner.owner_id:
        users.append(partner.owner)
    notify(tenant=partner.tenant, users=users, email=False,
           title=_("%(partner)s completed onboarding and is now an active partner") % {"partner": partner.name})
    return True


def onboarding_start(*, tenant, partner: Partner, path: OnboardingPath | None = None) -> PartnerOnboarding | None:
    """Put the partner on its path (idempotent) and credit what it has already done."""
    path = path or path_for(partner)
    if path is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        onboarding, created = PartnerOnboarding.objects.get_or_create(
            tenant=tenant, partner=partner, defaults={"path": path, "started_at": now, "last_progress_at": now},
        )
        if created:
            onboarding_sync(onboarding=onboarding)
    return onboarding


def onboarding_sync(*, onboarding: PartnerOnboarding) -> int:
    """Complete every open step already satisfied by recorded events (a few queries per path)."""
    partner = onboarding.partner
    done = set(onboarding.completions.values_list("step_id", flat=True))
    completed = 0
    for step in onboarding.path.steps.exclude(pk__in=done).order_by("order"):
        if step.event_kind is None:
            continue
        events = EngagementEvent.objects.filter(partner=partner, kind=step.event_kind)
        if step.target_id:
            events = events.filter(object_id=step.target_id)
            if step.target_type:
                events = events.filter(object_type=step.target_type)
        for event in events.order_by("occurred_at")[:20]:
            if _event_satisfies(step, kind=event.kind, object_type=event.object_type, object_id=event.object_id,
                                user_id=event.user_id, partner=partner):
                completed += _complete(onboarding, step, at=event.occurred_at, event_id=event.pk)
                break
    _maybe_finish(onboarding)
    return completed


def onboarding_handle_event(event: EngagementEvent) -> None:
    """Event subscriber: complete the matching open steps of the event's partner."""
    if event.partner_id is None:
        return
    with transaction.atomic():
        onboarding = (
            PartnerOnboarding.objects.select_related("partner", "path")
            .select_for_update(of=("self",))
            .filter(partner_id=event.partner_id, completed_at__isnull=True).first()
        )
        if onboarding is None:
            return
        kinds = [k for k, ev in OnboardingStep.EVENT_KINDS.items() if ev == event.kind]
        steps = onboarding.path.steps.filter(kind__in=kinds).exclude(completions__onboarding=onboarding)
        progressed = False
        for step in steps:
            if _event_satisfies(step, kind=event.kind, object_type=event.object_type, object_id=event.object_id,
                                user_id=event.user_id, partner=onboarding.partner):
                progressed |= _complete(onboarding, step, at=event.occurred_at, event_id=event.pk)
        if progressed:
            _maybe_finish(onboarding)


def onboarding_step_tick(*, tenant, partner: Partner, step: OnboardingStep, actor, request=None) -> bool:
    """A channel manager ticks a step (manual steps, or to unblock one the system cannot observe)."""
    from django.core.exceptions import ValidationError

    with transaction.atomic():
        onboarding = (PartnerOnboarding.objects.select_for_update().select_related("path", "partner")
                      .filter(tenant=tenant, partner=partner).first())
        if onboarding is None or step.path_id != onboarding.path_id:
            raise ValidationError(_("This step is not part of the partner's onboarding."))
        created = _complete(onboarding, step, by=actor)
        if created:
            audit_log(tenant=tenant, actor=actor, action="onboarding.tick", obj=partner,
                      changes={"step": step.title}, request=request)
            _maybe_finish(onboarding, actor=actor)
    return created


def onboarding_checklist(partner: Partner) -> dict | None:
    """The partner's checklist: steps in order with done flags, progress and next step (3 queries)."""
    onboarding = (PartnerOnboarding.objects.select_related("path").filter(partner=partner).first())
    if onboarding is None:
        return None
    steps = list(onboarding.path.steps.order_by("order"))
    done = dict(onboarding.completions.values_list("step_id", "completed_at"))
    items = [{"step": s, "done": s.pk in done, "completed_at": done.get(s.pk)} for s in steps]
    total = len(items)
    count = sum(1 for i in items if i["done"])
    return {
        "onboarding": onboarding, "items": items, "done": count, "total": total,
        "percent": round(100 * count / total) if total else 100,
        "next": next((i for i in items if not i["done"]), None),
    }
