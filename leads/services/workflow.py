"""What partners and staff do with a lead: accept, decline (or hand back), assign within the
organisation, status updates, staff reassignment, and the partner's declared capacity."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from leads.models import Lead, LeadAssignment, PartnerLeadProfile
from leads.routing.pool import RoutingConfig
from leads.services._common import (
    check_same_tenant,
    current_offer,
    is_partner_admin,
    lead_url,
    live_assignment,
    lock_lead,
    require_member,
)
from leads.services.routing import RoutingSession, lock_routing, upsert_shares
from leads.windows import accept_deadline
from partners.models import Partner
from prm.audit.services import audit_log
from prm.events.services import record_event
from prm.notifications.services import notify
from prm.tenancy.models import Membership

MAX_CAPACITY = 10000


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _event_data(lead: Lead, offer: LeadAssignment | None, **extra) -> dict:
    return {"lead_id": str(lead.pk), "rule": offer.rule_name if offer else "", "strategy": offer.strategy if offer else "",
            "source": lead.source, "value_estimate": str(lead.value_estimate) if lead.value_estimate is not None else None,
            "currency": lead.currency, **extra}


def _require_offered(lead: Lead, partner) -> None:
    if lead.partner_id == partner.pk and lead.status in Lead.OWNED_STATUSES:
        raise ValidationError(_("Your organisation already accepted this lead."))
    if lead.partner_id != partner.pk or lead.status != Lead.Status.ASSIGNED:
        raise ValidationError(_("This lead is no longer offered to your organisation."))


def lead_accept(*, tenant, lead: Lead, partner, user, request=None, now: datetime | None = None) -> Lead:
    """The offered partner takes the lead: it becomes theirs and its contact is revealed.

    Only the partner holding the live offer can accept, under the lead's row lock, so two partners
    never both accept; an accept after the deadline is refused even if the sweep has not run yet."""
    now = now or timezone.now()
    check_same_tenant(tenant, lead, partner)
    require_member(tenant, user, partner)
    with transaction.atomic():
        lead = lock_lead(lead)
        _require_offered(lead, partner)
        deadline = lead.accept_by or now
        if now > deadline:
            raise ValidationError(_("The time to accept this lead ended at %(deadline)s; it is being offered to "
                                    "another partner.") % {"deadline": _when(deadline)}, code="expired")
        offer = current_offer(lead)
        offer.outcome, offer.decided_at, offer.decided_by = LeadAssignment.Outcome.ACCEPTED, now, user
        offer.save(update_fields=["outcome", "decided_at", "decided_by"])
        lead.status, lead.accepted_at, lead.partner_user = Lead.Status.ACCEPTED, now, user
        lead.save(update_fields=["status", "accepted_at", "partner_user", "updated_at"])
        audit_log(tenant=tenant, actor=user, action="lead.accept", obj=lead, request=request)
        record_event(tenant=tenant, kind="lead_accepted", partner=partner, user=user, obj=lead, data=_event_data(
            lead, offer, seconds_to_accept=int((now - offer.created_at).total_seconds()), within_window=True))
    return lead


def lead_decline(*, tenant, lead: Lead, partner, user, reason: str, request=None,
                 now: datetime | None = None) -> Lead:
    """The partner declines an offer, or hands back a lead it accepted; it goes to the next
    candidate at once (never back to this partner), or to the owner when none is left."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you decline the lead; it helps route the next ones better.")})
    check_same_tenant(tenant, lead, partner)
    require_member(tenant, user, partner)
    with transaction.atomic():
        lock_routing(tenant)
        lead = lock_lead(lead)
        if lead.partner_id != partner.pk or lead.status not in Lead.HELD_STATUSES:
            raise ValidationError(_("This lead is no longer offered to your organisation."))
        offer = current_offer(lead)
        offer.outcome, offer.decided_at, offer.decided_by = LeadAssignment.Outcome.DECLINED, now, user
        offer.decline_reason = reason
        offer.save(update_fields=["outcome", "decided_at", "decided_by", "decline_reason"])
        was = lead.status
        lead.status, lead.partner, lead.accept_by = Lead.Status.UNASSIGNED, None, None
        lead.save(update_fields=["status", "partner", "accept_by", "updated_at"])
        audit_log(tenant=tenant, actor=user, action="lead.decline", obj=lead, request=request,
                  changes={"reason": reason, "was": was})
        record_event(tenant=tenant, kind="lead_declined", partner=partner, user=user, obj=lead,
                     data=_event_data(lead, offer, reason=reason, after_accepting=was != Lead.Status.ASSIGNED))
        session = RoutingSession(tenant, now, user)
        session.route([lead])
        session.finish(request=request)
    return lead


def lead_assign(*, tenant, lead: Lead, partner, user, assignee, request=None) -> Lead:
    """A partner admin gives the organisation's lead to one of its people."""
    check_same_tenant(tenant, lead, partner)
    if not is_partner_admin(tenant, user, partner):
        raise ValidationError(_("Only your organisation's partner admins assign leads."))
    if assignee is None or not Membership.objects.filter(tenant=tenant, user=assignee, partner=partner,
                                                         is_active=True).exists():
        raise ValidationError({"assignee": _("Choose a colleague from your organisation.")})
    with transaction.atomic():
        lead = lock_lead(lead)
        if lead.partner_id != partner.pk or lead.status not in Lead.HELD_STATUSES:
            raise ValidationError(_("This lead is no longer your organisation's."))
        if lead.partner_user_id == assignee.pk:
            return lead
        previous = lead.partner_user_id
        lead.partner_user = assignee
        lead.save(update_fields=["partner_user", "updated_at"])
        audit_log(tenant=tenant, actor=user, action="lead.assign", obj=lead, request=request,
                  changes={"from": str(previous or ""), "to": str(assignee.pk)})
        if assignee.pk != getattr(user, "pk", None):
            notify(tenant=tenant, users=[assignee], title=_("Lead assigned to you: %(company)s") % {
                "company": lead.company_name}, url=lead_url(tenant, lead, request))
    return lead


def lead_status_update(*, tenant, lead: Lead, partner, user, status: str, reason: str = "", request=None) -> Lead:
    """The owning partner moves its lead on: accepted → working, or to lost (with a reason)."""
    check_same_tenant(tenant, lead, partner)
    require_member(tenant, user, partner)
    reason = (reason or "").strip()
    allowed: dict[str, tuple[str, ...]] = {Lead.Status.WORKING: (Lead.Status.ACCEPTED,),
                                           Lead.Status.LOST: (Lead.Status.ACCEPTED, Lead.Status.WORKING)}
    if status == Lead.Status.CONVERTED:
        raise ValidationError(_("Convert the lead to a deal registration to mark it converted."))
    if status not in allowed:
        raise ValidationError({"status": _("Choose working or lost.")})
    if status == Lead.Status.LOST and not reason:
        raise ValidationError({"reason": _("Say why the lead was lost; it helps the whole program.")})
    with transaction.atomic():
        lead = lock_lead(lead)
        if lead.partner_id != partner.pk or lead.status not in Lead.OWNED_STATUSES:
            raise ValidationError(_("This lead is no longer your organisation's."))
        if lead.status not in allowed[status]:
            raise ValidationError(_("A lead that is %(status)s cannot be marked %(new)s.") % {
                "status": lead.get_status_display().lower(), "new": Lead.Status(status).label.lower()})
        was = lead.status
        lead.status = status
        fields = ["status", "updated_at"]
        if status == Lead.Status.LOST:
            lead.lost_reason = reason
            fields.append("lost_reason")
        lead.save(update_fields=fields)
        audit_log(tenant=tenant, actor=user, action=f"lead.{status}", obj=lead, request=request,
                  changes={"from": was, "reason": reason})
        if status == Lead.Status.LOST:
            record_event(tenant=tenant, kind="lead_lost", partner=partner, user=user, obj=lead,
                         data=_event_data(lead, None, reason=reason))
    return lead


def lead_reassign(*, tenant, lead: Lead, actor, partner: Partner | None = None, reason: str = "",
                  take_back: bool = False, request=None, now: datetime | None = None) -> Lead:
    """Staff move a lead (with its history) to `partner`, or to the next candidate of the rules.

    A lead a partner has accepted is only taken back with `take_back=True`, so a reassignment that
    races with the partner's accept never silently takes it away."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    check_same_tenant(tenant, lead, partner)
    with transaction.atomic():
        lock_routing(tenant)
        lead = lock_lead(lead)
        if not lead.is_open:
            raise ValidationError(_("This lead is %(status)s; it can no longer be reassigned.") % {
                "status": lead.get_status_display().lower()})
        if lead.status in (Lead.Status.ACCEPTED, Lead.Status.WORKING) and not take_back:
            raise ValidationError(_("%(partner)s accepted this lead at %(when)s. Confirm that you take it back from "
                                    "them to reassign it.") % {"partner": lead.partner.name,
                                                               "when": _when(lead.accepted_at)}, code="accepted")
        if partner is not None:
            _check_target(tenant, lead, partner)
        offer = live_assignment(lead)
        previous = lead.partner
        if offer is not None:
            offer.outcome, offer.decided_at, offer.decided_by = LeadAssignment.Outcome.REASSIGNED, now, actor
            offer.decline_reason = reason
            offer.save(update_fields=["outcome", "decided_at", "decided_by", "decline_reason"])
        lead.status, lead.partner, lead.accept_by, lead.accepted_at = Lead.Status.UNASSIGNED, None, None, None
        lead.partner_user = None
        lead.save(update_fields=["status", "partner", "accept_by", "accepted_at", "partner_user", "updated_at"])
        if partner is None:
            session = RoutingSession(tenant, now, actor)
            session.route([lead])
            session.finish(request=request)
        else:
            _assign_manually(tenant, lead, partner, actor, reason, now, request)
        lead.refresh_from_db()
        audit_log(tenant=tenant, actor=actor, action="lead.reassign", obj=lead, request=request, changes={
            "from": str(previous.pk) if previous else "", "to": str(lead.partner_id or ""), "reason": reason})
        if previous is not None:
            record_event(tenant=tenant, kind="lead_reassigned", partner=previous, user=actor, obj=lead,
                         data=_event_data(lead, offer, to_partner=str(lead.partner_id or ""), reason=reason))
    return lead


def _check_target(tenant, lead: Lead, partner: Partner) -> None:
    if partner.status != Partner.Status.ACTIVE:
        raise ValidationError({"partner": _("%(partner)s is not active in the program.") % {"partner": partner.name}})
    declined = (LeadAssignment.objects.filter(tenant=tenant, lead=lead, partner=partner,
                                              outcome=LeadAssignment.Outcome.DECLINED).order_by("-decided_at").first())
    if declined is not None:
        raise ValidationError({"partner": _("%(partner)s declined this lead on %(when)s (“%(reason)s”); it is not "
                                            "offered to them again.") % {
            "partner": partner.name, "when": _when(declined.decided_at), "reason": declined.decline_reason}})


def _assign_manually(tenant, lead: Lead, partner: Partner, actor, reason: str, now: datetime, request) -> None:
    config = RoutingConfig.for_tenant(tenant)
    deadline = accept_deadline(now, config.accept_hours, business_hours=config.business_hours)
    seq = (LeadAssignment.objects.filter(tenant=tenant, lead=lead).order_by("-seq").values_list("seq", flat=True)
           .first() or 0) + 1
    by = (actor.get_full_name() or actor.email) if getattr(actor, "is_authenticated", False) else ""
    LeadAssignment.objects.create(
        tenant=tenant, lead=lead, seq=seq, partner=partner, strategy=LeadAssignment.Strategy.MANUAL, reason="manual",
        reason_data={"by": by, "reason": reason, "partner": partner.name}, created_at=now, accept_by=deadline,
        assigned_by=actor if by else None)
    lead.status, lead.partner, lead.offered_at, lead.accept_by, lead.escalated_at = (
        Lead.Status.ASSIGNED, partner, now, deadline, None)
    lead.save(update_fields=["status", "partner", "offered_at", "accept_by", "escalated_at", "updated_at"])
    # A manual choice counts in the fairness ledger like a named rule: received and due one lead.
    upsert_shares(tenant, timezone.localdate(now), [(partner.pk, 1, 1.0)])
    from leads.services._common import partner_members

    users = partner_members(tenant, [partner.pk]).get(partner.pk, [])
    if users:
        notify(tenant=tenant, users=users, title=_("New lead to accept: %(company)s") % {"company": lead.company_name},
               body=_("Accept or decline by %(deadline)s, or the lead goes to another partner.") % {
                   "deadline": _when(deadline)}, url=lead_url(tenant, lead, request))


def lead_capacity_set(*, tenant, partner: Partner, user, max_open_leads, request=None) -> PartnerLeadProfile:
    """The partner declares how many open leads it takes at once (0 pauses new leads)."""
    check_same_tenant(tenant, partner)
    try:
        value = int(max_open_leads)
    except (TypeError, ValueError):
        raise ValidationError({"max_open_leads": _("Enter a whole number of leads.")}) from None
    if not 0 <= value <= MAX_CAPACITY:
        raise ValidationError({"max_open_leads": _("Enter between 0 and %(n)d leads.") % {"n": MAX_CAPACITY}})
    with transaction.atomic():
        profile, created = PartnerLeadProfile.objects.select_for_update().get_or_create(
            tenant=tenant, partner=partner, defaults={"max_open_leads": value, "updated_by": user})
        before = None if created else profile.max_open_leads
        if not created:
            profile.max_open_leads, profile.updated_by = value, user
            profile.save(update_fields=["max_open_leads", "updated_by", "updated_at"])
        audit_log(tenant=tenant, actor=user, action="lead.capacity", obj=partner, request=request,
                  changes={"from": before, "to": value})
    return profile
