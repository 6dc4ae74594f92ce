"""The accept-window sweep (a beat job, every few minutes): reminders four hours before a
deadline, then offers past their deadline expire and their leads move to the next candidate.

Deadlines live in a column (`Lead.accept_by`) rather than in Celery ETA tasks, which Redis
redelivers after its visibility timeout; `select_for_update(skip_locked=True)` lets a sweep pass
over a lead whose accept is in flight (the accept then checks the deadline itself)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leads.models import Lead, LeadAssignment
from leads.services._common import lead_url, partner_members
from leads.services.routing import RoutingSession, lock_routing
from leads.windows import REMINDER_BEFORE
from prm.events.services import record_event
from prm.notifications.services import notify
from prm.nplusone import deliberate_repetition

BATCH = 200
MAX_BATCHES = 50  # 10,000 expiries per run at most; the next run continues


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def send_reminders(tenant, now: datetime) -> int:
    """One reminder per offer, four hours before its deadline (not for offers made within those four hours)."""
    with transaction.atomic():
        due = list(LeadAssignment.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            tenant=tenant, outcome=LeadAssignment.Outcome.PENDING, reminded_at__isnull=True,
            accept_by__gt=now, accept_by__lte=now + REMINDER_BEFORE,
            created_at__lt=F("accept_by") - REMINDER_BEFORE,
        ).select_related("lead").order_by("accept_by")[:1000])
        if not due:
            return 0
        LeadAssignment.objects.filter(pk__in=[a.pk for a in due]).update(reminded_at=now)
        by_partner: dict = defaultdict(list)
        for offer in due:
            by_partner[offer.partner_id].append(offer)
        members = partner_members(tenant, by_partner)
        for partner_id, offers in by_partner.items():
            users = members.get(partner_id)
            if not users:
                continue
            first = offers[0]
            title = (_("Lead expires soon: %(company)s") % {"company": first.lead.company_name} if len(offers) == 1
                     else ngettext("%(n)d lead expires soon", "%(n)d leads expire soon", len(offers)) % {"n": len(offers)})
            body = _("Accept or decline by %(deadline)s, or the lead goes to another partner.") % {
                "deadline": _when(first.accept_by)}
            notify(tenant=tenant, users=users, title=title, body=body,
                   url=lead_url(tenant, first.lead if len(offers) == 1 else None))
    return len(due)


def _expire_batch(tenant, now: datetime) -> tuple[int, int, int]:
    """Expire up to BATCH offers past their deadline and re-route their leads; (expired, reassigned, escalated)."""
    with transaction.atomic():
        lock_routing(tenant)
        leads = list(Lead.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            tenant=tenant, status=Lead.Status.ASSIGNED, accept_by__lt=now,
        ).select_related("partner").order_by("accept_by", "pk")[:BATCH])
        if not leads:
            return 0, 0, 0
        offers = {a.lead_id: a for a in LeadAssignment.objects.filter(
            tenant=tenant, lead__in=leads, outcome=LeadAssignment.Outcome.PENDING)}
        LeadAssignment.objects.filter(pk__in=[a.pk for a in offers.values()]).update(
            outcome=LeadAssignment.Outcome.EXPIRED, decided_at=now)
        previous = {lead.pk: lead.partner for lead in leads}
        for lead in leads:
            lead.status, lead.partner, lead.accept_by, lead.updated_at = Lead.Status.UNASSIGNED, None, None, now
        Lead.objects.bulk_update(leads, ["status", "partner", "accept_by", "updated_at"])
        # One event per expired offer: each is its own fact for the partner's health score.
        with deliberate_repetition():
            for lead in leads:
                offer = offers.get(lead.pk)
                record_event(tenant=tenant, kind="lead_expired", partner=previous[lead.pk], obj=lead, data={
                    "lead_id": str(lead.pk), "rule": offer.rule_name if offer else "",
                    "accept_by": offer.accept_by.isoformat() if offer and offer.accept_by else None})
        session = RoutingSession(tenant, now)
        decisions = session.route(leads)
        session.finish()
    reassigned = sum(1 for d in decisions if d.assigned)
    return len(leads), reassigned, len(leads) - reassigned


def lead_sweep(*, tenant, now: datetime | None = None) -> dict:
    """Remind, expire and re-route; idempotent (a second run at the same moment finds nothing)."""
    now = now or timezone.now()
    result = {"reminded": send_reminders(tenant, now), "expired": 0, "reassigned": 0, "escalated": 0}
    for _batch in range(MAX_BATCHES):
        expired, reassigned, escalated = _expire_batch(tenant, now)
        result["expired"] += expired
        result["reassigned"] += reassigned
        result["escalated"] += escalated
        if expired < BATCH:
            break
    return result
