"""Converting an accepted lead into a deal registration through the deals services: approved and
protected at once (the vendor sourced it), linked to the lead, attributed as a vendor-sourced lead.
The deals conflict check runs first; a conflicting conversion is refused and the conflict kept
on the exception for the page to show."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Lead
from leads.services._common import check_same_tenant, lock_lead, require_member
from prm.audit.services import audit_log
from prm.events.services import record_event

# Deterministic registration nonce per lead: deal_register itself then refuses a second deal.
NONCE_NAMESPACE = uuid.UUID("0b1f9a4c-7d4e-4c8e-9d61-5a1f3c2e7b10")
ATTRIBUTION = "vendor_sourced_lead"
CONVERTIBLE = (Lead.Status.ACCEPTED, Lead.Status.WORKING)


class ConversionConflict(ValidationError):
    """The customer already has an active registration or is a house account. `matches` holds the
    deals conflict evidence (deals.conflicts.Match): staff may see it all, partners only that it exists."""

    def __init__(self, message: str, matches: list):
        super().__init__(message, code="conflict")
        self.matches = matches


def conversion_conflicts(tenant, lead: Lead) -> list:
    """The deals conflict check for the lead's customer (active registrations, house accounts)."""
    from deals.conflicts import Probe, matches_for

    return matches_for(tenant, Probe.for_input(lead.pk, name=lead.company_name, website=lead.website,
                                               email=lead.contact_email))


def lead_convert(*, tenant, lead: Lead, partner, user, amount=None, expected_close_date=None, products=None,
                 stage: str | None = None, notes: str = "", request=None, now: datetime | None = None):
    """Turn the partner's accepted lead into one approved, protected deal registration (a referral
    for partners that do not transact). Returns the DealRegistration."""
    from deals.models import DealRegistration
    from deals.services import deal_approve, deal_register

    now = now or timezone.now()
    check_same_tenant(tenant, lead, partner)
    require_member(tenant, user, partner)
    with transaction.atomic():
        lead = lock_lead(lead)
        if lead.status == Lead.Status.CONVERTED:
            raise ValidationError(_("This lead was already converted to a deal registration."), code="converted")
        if lead.partner_id != partner.pk or lead.status not in CONVERTIBLE:
            raise ValidationError(_("Only a lead your organisation has accepted can be converted."))
        matches = conversion_conflicts(tenant, lead)
        if matches:
            raise ConversionConflict(
                _("%(company)s already has an active deal registration or is a house account, so this lead cannot "
                  "become a protected deal. Your channel manager can see the conflict and decide.") % {
                    "company": lead.company_name}, matches)
        kind = (DealRegistration.Kind.DEAL if partner.partner_type.transacts else DealRegistration.Kind.REFERRAL)
        data = {
            "customer_name": lead.company_name, "website": lead.website, "country": lead.country.code if lead.country else "",
            "contact_name": lead.contact_name, "contact_email": lead.contact_email, "contact_title": lead.contact_title,
            "products": list(products) if products is not None else ([lead.product] if lead.product_id else []),
            "amount": amount if amount not in (None, "") else lead.value_estimate, "currency": lead.currency,
            "expected_close_date": expected_close_date, "stage": stage, "notes": notes or lead.notes,
        }
        deal, created = deal_register(tenant=tenant, partner=partner, user=user, data=data, kind=kind,
                                      nonce=uuid.uuid5(NONCE_NAMESPACE, str(lead.pk)), request=request, now=now)
        if created:
            deal = deal_approve(tenant=tenant, deal=deal, actor=None, request=request, now=now,
                                reason=_("Vendor-sourced lead: approved and protected on conversion."))
            deal.origin = DealRegistration.Origin.VENDOR_LEAD
            deal.save(update_fields=["origin"])
        lead.status, lead.converted_at, lead.deal = Lead.Status.CONVERTED, now, deal
        lead.save(update_fields=["status", "converted_at", "deal", "updated_at"])
        audit_log(tenant=tenant, actor=user, action="lead.convert", obj=lead, request=request,
                  changes={"deal": str(deal.pk), "attribution": ATTRIBUTION})
        record_event(tenant=tenant, kind="lead_converted", partner=partner, user=user, obj=lead, data={
            "lead_id": str(lead.pk), "deal_id": str(deal.pk), "deal_kind": deal.kind, "attribution": ATTRIBUTION,
            "amount": str(deal.amount) if deal.amount is not None else None, "currency": deal.currency,
            "base_amount": str(deal.base_amount) if deal.base_amount is not None else None})
    return deal
