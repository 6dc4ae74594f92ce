"""Registering deals and referrals, and the partner's own updates before a decision."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deals import history
from deals.conflicts import Probe, matches_for
from deals.models import DealPartner, DealProduct, DealRegistration, DealSettings, Product
from deals.normalise import customer_key, normalise_company_name
from deals.services._common import (
    check_same_tenant,
    clean_amount,
    lock_deal,
    notify_managers,
    require_status,
    to_base,
)
from deals.sla import add_business_days
from partners.selectors import can_register_deals
from prm.audit.services import audit_log
from prm.domains import is_free_mail, registrable_domain
from prm.events.services import record_event

MAX_CLOSE_YEARS = 3


def may_register(partner, kind: str) -> tuple[bool, str]:
    """Whether `partner` may submit a registration of `kind` now, and why not."""
    return registration_options(partner)[kind]


def registration_options(partner, role: str | None = None) -> dict[str, tuple[bool, str]]:
    """{kind: (allowed, why not)} for deals and referrals, with one organisation check for both
    (pages that offer both buttons ask once)."""
    ok, reason = can_register_deals(partner, role)
    options = {DealRegistration.Kind.DEAL: (ok, reason), DealRegistration.Kind.REFERRAL: (ok, reason)}
    if ok and not partner.partner_type.transacts:
        options[DealRegistration.Kind.DEAL] = (
            False, _("Your partner type submits referrals rather than deal registrations."))
    return options


def validate_registration(*, tenant, data: dict, kind: str, today: date | None = None) -> dict:
    """Check a registration's input; returns the cleaned values or raises ValidationError({field: msg}).

    Used by the form for inline validation and again by `deal_register`, so the rules live in one place.
    """
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    is_deal = kind == DealRegistration.Kind.DEAL
    name = (data.get("customer_name") or "").strip()
    if not name:
        errors["customer_name"] = _("Enter the customer's company name.")
    elif not normalise_company_name(name):
        errors["customer_name"] = _("Enter the company's name, not only punctuation.")
    website = (data.get("website") or "").strip()
    if website:
        site_domain = registrable_domain(website)
        if not site_domain:
            errors["website"] = _("Enter the customer's website, e.g. acme.com.")
        elif is_free_mail(site_domain):
            errors["website"] = _("%(domain)s is an email provider, not the customer's website.") % {"domain": site_domain}
    email = (data.get("contact_email") or "").strip().lower()
    contact_name = (data.get("contact_name") or "").strip()
    if DealSettings.for_tenant(tenant).deal_contact_required:
        if not contact_name:
            errors["contact_name"] = _("Enter the name of your contact at the customer.")
        if not email:
            errors["contact_email"] = _("Enter your contact's email address.")
    from deals.normalise import customer_domain

    domain = customer_domain(website=website, email=email)
    if not domain and "website" not in errors:
        if email and is_free_mail(registrable_domain(email)):
            errors["website"] = _("A %(domain)s address does not identify the company. Enter the customer's website.") % {
                "domain": registrable_domain(email)}
        else:
            errors["website"] = _("Enter the customer's website or a contact email at the customer's own domain, so the customer can be identified.")
    products = list(data.get("products") or [])
    for product in products:
        if product.tenant_id != tenant.pk or not product.is_active:
            errors["products"] = _("Choose products from the catalogue.")
    if is_deal and not products:
        errors["products"] = _("Choose at least one product.")
    amount = clean_amount(data.get("amount"), required=is_deal, errors=errors)
    currency = (data.get("currency") or tenant.base_currency).strip().upper()
    if currency not in tenant.currencies:
        errors["currency"] = _("%(code)s is not a currency of this program. Choose one of %(codes)s.") % {
            "code": currency or "—", "codes": ", ".join(tenant.currencies)}
    close = data.get("expected_close_date")
    if isinstance(close, datetime):
        close = close.date()
    if close is None:
        if is_deal:
            errors["expected_close_date"] = _("Enter the expected close date.")
    elif close < today:
        errors["expected_close_date"] = _("The expected close date cannot be in the past.")
    elif close > today + timedelta(days=365 * MAX_CLOSE_YEARS):
        errors["expected_close_date"] = _("Enter a close date within the next %(n)d years.") % {"n": MAX_CLOSE_YEARS}
    stage = data.get("stage") or DealRegistration.Stage.QUALIFIED
    if stage not in DealRegistration.Stage.values:
        errors["stage"] = _("Choose a sales stage.")
    if errors:
        raise ValidationError(errors)
    return {
        "customer_name": name, "website": website, "customer_domain": domain,
        "country": data.get("country") or "", "contact_name": contact_name, "contact_email": email,
        "contact_title": (data.get("contact_title") or "").strip(), "products": products, "amount": amount,
        "currency": currency, "expected_close_date": close, "stage": stage, "notes": (data.get("notes") or "").strip(),
    }


def possible_conflict(*, tenant, name: str, website: str = "", email: str = "", exclude_id=None) -> bool:
    """The neutral hint for partners: is anything active (or a house account) like this customer?"""
    probe = Probe.for_input("x", name=name, website=website, email=email, exclude_id=exclude_id)
    return bool(matches_for(tenant, probe))


def deal_register(
    *, tenant, partner, user, data: dict, kind: str = DealRegistration.Kind.DEAL, nonce: uuid.UUID,
    request=None, now: datetime | None = None, enforce_gate: bool = True,
) -> tuple[DealRegistration, bool]:
    """Submit a registration. Returns (deal, created); a repeated nonce returns the first deal.

    Nothing is saved unless everything is valid; the nonce's unique constraint makes a
    double-click (even two simultaneous requests) produce one registration. `now` and
    `enforce_gate=False` exist for imports and demo data (registrations recorded after the fact).
    """
    now = now or timezone.now()
    check_same_tenant(tenant, partner)
    existing = DealRegistration.objects.filter(tenant=tenant, submission_nonce=nonce).first()
    if existing is not None:
        return _same_submitter(existing, partner), False
    ok, reason = may_register(partner, kind)
    if enforce_gate and not ok:
        raise ValidationError(reason)
    cleaned = validate_registration(tenant=tenant, data=data, kind=kind, today=timezone.localdate(now))
    products = cleaned.pop("products")
    normalised = normalise_company_name(cleaned["customer_name"])
    deal = DealRegistration(
        tenant=tenant, partner=partner, submitted_by=user if getattr(user, "is_authenticated", False) else None,
        kind=kind, customer_name_normalised=normalised,
        customer_key=customer_key(name_normalised=normalised, domain=cleaned["customer_domain"]),
        base_amount=to_base(tenant, cleaned["amount"], cleaned["currency"], timezone.localdate(now)),
        submitted_at=now, sla_due_at=add_business_days(now, DealSettings.for_tenant(tenant).deal_approval_sla_days),
        submission_nonce=nonce, **cleaned,
    )
    deal.full_clean(exclude=["tenant", "partner", "submitted_by", "products"], validate_constraints=False)
    try:
        with transaction.atomic():
            deal.save(force_insert=True)
            DealProduct.objects.bulk_create([DealProduct(tenant=tenant, deal=deal, product=p) for p in products])
            DealPartner.objects.create(tenant=tenant, deal=deal, partner=partner, role=DealPartner.Role.SOURCED,
                                       added_by=deal.submitted_by)
            matches = matches_for(tenant, Probe.for_deal(deal), today=timezone.localdate(now))
            history.record(deal, action="registered", actor=user, to_status=deal.status, at=now, changes={
                "kind": kind, "customer": deal.customer_name, "domain": deal.customer_domain,
                "amount": str(deal.amount) if deal.amount is not None else None, "currency": deal.currency,
                "products": sorted(p.code for p in products),
            })
            if matches:
                history.record(deal, action="conflicts_detected", actor=None, internal=True, at=now, changes={
                    "candidates": [{"source": m.source, "id": str(m.id), "score": m.score, "reasons": m.reasons}
                                   for m in matches],
                })
            audit_log(tenant=tenant, actor=user, action=f"deal.register.{kind}", obj=deal, request=request)
            record_event(tenant=tenant, kind="deal_registered", partner=partner, user=user, obj=deal,
                         data={"kind": kind, "possible_conflict": bool(matches)})
            title = (_("New referral from %(partner)s: %(customer)s") if kind == DealRegistration.Kind.REFERRAL
                     else _("New deal registration from %(partner)s: %(customer)s")) % {
                "partner": partner.name, "customer": deal.customer_name}
            body = _("Possible conflict with %(n)d other record(s); see the evidence before deciding.") % {
                "n": len(matches)} if matches else ""
            notify_managers(tenant, deal, title, body, request)
    except IntegrityError:
        # The same nonce was saved by a simultaneous request: answer with that registration.
        existing = DealRegistration.objects.filter(tenant=tenant, submission_nonce=nonce).first()
        if existing is None:
            raise
        return _same_submitter(existing, partner), False
    return deal, True


def _same_submitter(deal: DealRegistration, partner) -> DealRegistration:
    if deal.partner_id != partner.pk:
        # A nonce is only ever reused by the form that issued it; anything else is tampering.
        raise ValidationError(_("This form was already used. Reload the page and try again."))
    return deal


UPDATABLE_STATUSES = ("submitted", "info_requested", "approved")


def deal_update(*, tenant, deal: DealRegistration, user, stage: str | None = None,
                expected_close_date: date | None = None, amount=None, notes: str | None = None,
                request=None) -> DealRegistration:
    """The partner keeps its registration current (stage, close date, amount, notes)."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if stage is not None and stage not in DealRegistration.Stage.values:
        errors["stage"] = _("Choose a sales stage.")
    if expected_close_date is not None and expected_close_date < today:
        errors["expected_close_date"] = _("The expected close date cannot be in the past.")
    new_amount = clean_amount(amount, required=False, errors=errors) if amount not in (None, "") else None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        deal = lock_deal(deal)
        require_status(deal, UPDATABLE_STATUSES)
        changes = {}
        for field, value in (("stage", stage), ("expected_close_date", expected_close_date),
                             ("amount", new_amount), ("notes", notes)):
            if value is not None and value != getattr(deal, field):
                changes[field] = {"from": str(getattr(deal, field) or ""), "to": str(value)}
                setattr(deal, field, value)
        if not changes:
            return deal
        if "amount" in changes:
            deal.base_amount = to_base(tenant, deal.amount, deal.currency)
        deal.save(update_fields=["stage", "expected_close_date", "amount", "base_amount", "notes", "updated_at"])
        action = "stage_changed" if set(changes) == {"stage"} else "updated"
        history.record(deal, action=action, actor=user, changes=changes)
        audit_log(tenant=tenant, actor=user, action="deal.update", obj=deal, changes=changes, request=request)
    return deal


def deal_respond(*, tenant, deal: DealRegistration, user, response: str, request=None) -> DealRegistration:
    """The partner answers a request for more information; the deal returns to the queue."""
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Write the information your channel manager asked for.")})
    now = timezone.now()
    with transaction.atomic():
        deal = lock_deal(deal)
        require_status(deal, [DealRegistration.Status.INFO_REQUESTED])
        deal.status = DealRegistration.Status.SUBMITTED
        # The vendor's clock restarts: it was waiting for the partner.
        deal.sla_due_at = add_business_days(now, DealSettings.for_tenant(tenant).deal_approval_sla_days)
        deal.sla_escalated_at = None
        deal.save(update_fields=["status", "sla_due_at", "sla_escalated_at", "updated_at"])
        history.record(deal, action="info_provided", actor=user, from_status="info_requested",
                       to_status=deal.status, reason=response, at=now)
        audit_log(tenant=tenant, actor=user, action="deal.respond", obj=deal, request=request)
        notify_managers(tenant, deal, _("%(customer)s: information provided") % {"customer": deal.customer_name},
                        response, request)
    return deal


def product_choices(tenant):
    return Product.objects.filter(tenant=tenant, is_active=True).order_by("name")
