"""MDF background work: claim-deadline reminders and expiry, and attributing deals to activities."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.models import DealRegistration
from incentives.models import Account, JournalEntry, MdfAllocation, MdfRequest, MdfRequestDeal
from incentives.money import ZERO, format_money
from incentives.services import ledger
from incentives.services._common import check_same_tenant, notify_partner, short_date, url_builder
from prm.audit.services import audit_log

R = MdfRequest.Status
REMIND_DAYS = 7
CAMPAIGN_CODE_RE = re.compile(r"\bMDF-[A-Z0-9]{6}\b", re.I)



def mdf_deadlines(*, tenant, today: date | None = None) -> dict:
    """Remind partners REMIND_DAYS before a claim is due (once); expire missed deadlines, releasing
    their reservations in one journal entry."""
    today = today or timezone.localdate()
    now = timezone.now()
    link = url_builder(tenant)
    with transaction.atomic():
        due_soon = list(MdfRequest.objects.select_for_update(of=("self",)).filter(
            tenant=tenant, status=R.APPROVED, reminder_sent_at__isnull=True, claim_due__gte=today,
            claim_due__lte=today + timedelta(days=REMIND_DAYS)).select_related("partner").order_by("claim_due"))
        MdfRequest.objects.filter(pk__in=[r.pk for r in due_soon]).update(reminder_sent_at=now)
        for r in due_soon:
            notify_partner(tenant, r.partner, _("Claim your MDF by %(due)s: %(title)s") % {
                "due": short_date(r.claim_due), "title": r.title},
                _("Submit the actual cost, results and proof of performance, or the %(amount)s reserved for you is "
                  "released.") % {"amount": format_money(r.approved_amount, r.currency)},
                link("incentives:mdf_request", r.pk), also=r.submitted_by)
    with transaction.atomic():
        overdue_ids = list(MdfRequest.objects.filter(tenant=tenant, status=R.APPROVED, claim_due__lt=today)
                           .values_list("allocation_id", flat=True).distinct())
        # Lock order as everywhere: allocations first, then requests.
        list(MdfAllocation.objects.select_for_update().filter(pk__in=overdue_ids).order_by("pk").values_list("pk"))
        expired = list(MdfRequest.objects.select_for_update(of=("self",)).filter(
            tenant=tenant, status=R.APPROVED, claim_due__lt=today).select_related("partner").order_by("pk"))
        reserved = {key[0]: accounts[Account.MDF_RESERVED] for key, accounts in ledger.grouped_balances(
            ("mdf_request_id",), tenant=tenant, mdf_request__in=[r.pk for r in expired]).items()}
        legs = []
        for r in expired:
            amount = reserved.get(r.pk, ZERO)
            if amount > 0:
                legs += ledger.move(amount, r.currency, debit=Account.MDF_AVAILABLE, credit=Account.MDF_RESERVED,
                                    fund=r.fund_id, allocation=r.allocation_id, mdf_request=r.pk, partner=r.partner_id)
        if legs:
            ledger.post(tenant=tenant, kind=JournalEntry.Kind.RELEASE, legs=legs,
                        memo=_("Claim deadlines missed: %(n)d reservation(s) released") % {"n": len(expired)})
        MdfRequest.objects.filter(pk__in=[r.pk for r in expired]).update(status=R.EXPIRED)
        for r in expired:
            audit_log(tenant=tenant, actor=None, action="mdf.request_expire", obj=r,
                      changes={"released": str(reserved.get(r.pk, ZERO)), "claim_due": r.claim_due.isoformat()})
            notify_partner(tenant, r.partner, _("MDF claim deadline missed: %(title)s") % {"title": r.title},
                           _("The reserved %(amount)s was released.") % {
                               "amount": format_money(reserved.get(r.pk, ZERO), r.currency)},
                           link("incentives:mdf_request", r.pk), also=r.submitted_by)
    return {"reminded": len(due_soon), "expired": len(expired)}


# --- Attribution: deals linked to an activity ------------------------------------------------------


def mdf_request_link_deal(*, tenant, mdf_request: MdfRequest, deal: DealRegistration, actor,
                          source: str = MdfRequestDeal.Source.EXPLICIT, request=None) -> MdfRequestDeal:
    check_same_tenant(tenant, mdf_request, deal)
    if deal.partner_id != mdf_request.partner_id:
        raise ValidationError({"deal": _("Only deals registered by %(partner)s can be attributed to its activity.")
                               % {"partner": mdf_request.partner.name}})
    link, created = MdfRequestDeal.objects.get_or_create(
        tenant=tenant, mdf_request=mdf_request, deal=deal, defaults={"source": source, "added_by": actor})
    if created:
        audit_log(tenant=tenant, actor=actor, action="mdf.deal_link", obj=mdf_request, request=request,
                  changes={"deal": str(deal.pk), "customer": deal.customer_name, "source": source})
    return link


def mdf_request_unlink_deal(*, tenant, link: MdfRequestDeal, actor, request=None) -> None:
    check_same_tenant(tenant, link)
    audit_log(tenant=tenant, actor=actor, action="mdf.deal_unlink", obj=link.mdf_request, request=request,
              changes={"deal": str(link.deal_id)})
    link.delete()


def handle_deal_registered(event) -> None:
    """A registration that mentions an activity's campaign code (e.g. in its notes) is attributed to it."""
    if event.object_type != DealRegistration._meta.label_lower or not event.object_id:
        return
    deal = DealRegistration.objects.filter(tenant_id=event.tenant_id, pk=event.object_id).first()
    if deal is None:
        return
    codes = {c.upper() for c in CAMPAIGN_CODE_RE.findall(f"{deal.notes} {deal.customer_name}")}
    if not codes:
        return
    for mdf_request in MdfRequest.objects.filter(tenant_id=deal.tenant_id, partner_id=deal.partner_id,
                                                 campaign_code__in=codes):
        mdf_request_link_deal(tenant=deal.tenant, mdf_request=mdf_request, deal=deal, actor=None,
                              source=MdfRequestDeal.Source.CAMPAIGN_CODE)

