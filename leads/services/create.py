"""Creating leads: one validation used by the portal form, the CSV import and the API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from deals.models import Product
from deals.normalise import customer_domain, normalise_company_name
from leads.choices import INDUSTRY_CODES, SIZE_CODES
from leads.dedupe import OpenLeads
from leads.models import Lead
from leads.models.lead import MAX_VALUE
from partners.choices import REGION_CODES
from prm.audit.services import audit_log
from prm.domains import is_free_mail, registrable_domain

TEXT_LIMITS = {"contact_name": 120, "contact_phone": 40, "contact_title": 120, "source_ref": 100}


def _text(data: dict, key: str) -> str:
    return str(data.get(key) or "").strip()


def _product(tenant, value, errors: dict):
    """A Product of the tenant's catalogue, given as the object, its code or its id."""
    if value in (None, ""):
        return None
    if isinstance(value, Product):
        product = value if value.tenant_id == tenant.pk else None
    else:
        product = Product.objects.filter(tenant=tenant, code=str(value).strip()).first()
    if product is None or not product.is_active:
        errors["product"] = _("Choose a product from the catalogue.")
    return product


def _value(value, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors["value_estimate"] = _("Enter the estimated value as a number, e.g. 25000.")
        return None
    if not amount.is_finite() or amount < 0:
        errors["value_estimate"] = _("The estimated value cannot be negative.")
    elif amount > MAX_VALUE:
        errors["value_estimate"] = _("That value (over 1,000,000,000) looks like a typo.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors["value_estimate"] = _("Use at most two decimal places.")
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def validate_lead(*, tenant, data: dict) -> dict:
    """The cleaned values of a lead, or ValidationError({field: message}) naming every problem."""
    errors: dict[str, str] = {}
    name = _text(data, "company_name")
    if not name:
        errors["company_name"] = _("Enter the prospect's company name.")
    elif not normalise_company_name(name):
        errors["company_name"] = _("Enter the company's name, not only punctuation.")
    elif len(name) > 200:
        errors["company_name"] = _("Keep the company name under 200 characters.")
    website = _text(data, "website")
    if website:
        site = registrable_domain(website)
        if not site:
            errors["website"] = _("Enter the company's website, e.g. acme.com.")
        elif is_free_mail(site):
            errors["website"] = _("%(domain)s is an email provider, not the company's website.") % {"domain": site}
    email = _text(data, "contact_email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = _("Enter a valid email address for the contact.")
    country = _text(data, "country").upper()
    if country and country not in countries:
        errors["country"] = _("“%(code)s” is not a country code (use ISO codes such as DE or US).") % {"code": country}
    region = _text(data, "region").upper()
    if region and region not in REGION_CODES:
        errors["region"] = _("Choose a region: %(codes)s.") % {"codes": ", ".join(sorted(REGION_CODES))}
    industry = _text(data, "industry").lower()
    if industry and industry not in INDUSTRY_CODES:
        errors["industry"] = _("Choose an industry from the list.")
    size = _text(data, "company_size")
    if size and size not in SIZE_CODES:
        errors["company_size"] = _("Choose a company size from the list.")
    source = _text(data, "source") or Lead.Source.OTHER
    if source not in Lead.Source.values:
        errors["source"] = _("Choose where the lead came from.")
    currency = (_text(data, "currency") or tenant.base_currency).upper()
    if currency not in tenant.currencies:
        errors["currency"] = _("%(code)s is not a currency of this program. Choose one of %(codes)s.") % {
            "code": currency, "codes": ", ".join(tenant.currencies)}
    for key, limit in TEXT_LIMITS.items():
        if len(_text(data, key)) > limit:
            errors[key] = _("Keep this under %(n)d characters.") % {"n": limit}
    value = _value(data.get("value_estimate"), errors)
    product = _product(tenant, data.get("product"), errors)
    if errors:
        raise ValidationError(errors)
    return {
        "company_name": name, "website": website, "domain": customer_domain(website=website, email=email),
        "company_name_normalised": normalise_company_name(name), "country": country, "region": region,
        "industry": industry, "company_size": size, "product": product, "contact_name": _text(data, "contact_name"),
        "contact_email": email, "contact_phone": _text(data, "contact_phone"),
        "contact_title": _text(data, "contact_title"), "source": source, "source_ref": _text(data, "source_ref"),
        "notes": _text(data, "notes"), "value_estimate": value, "currency": currency,
    }


def duplicate_message(matches: list[dict]) -> str:
    first = matches[0]
    return _("An open lead for this company already exists: %(company)s (%(status)s).") % {
        "company": first["company"], "status": Lead.Status(first["status"]).label}


def lead_create(*, tenant, data: dict, user=None, owner=None, route: bool = True, allow_duplicate: bool = False,
                open_leads: OpenLeads | None = None, request=None, now: datetime | None = None) -> tuple[Lead, bool]:
    """Create a lead (and route it unless `route=False`). Returns (lead, created).

    A repeated `source_ref` returns the lead made the first time (the API's idempotency key, an
    import row re-sent). An open lead for the same company is refused unless `allow_duplicate`.
    An import passes one `open_leads` index for all its rows (no query per row for the dedupe)
    and routes the batch afterwards with `leads_route`."""
    now = now or timezone.now()
    ref = _text(data, "source_ref")
    if ref and (existing := Lead.objects.filter(tenant=tenant, source_ref=ref).first()) is not None:
        return existing, False
    cleaned = validate_lead(tenant=tenant, data=data)
    index = open_leads if open_leads is not None else OpenLeads(tenant)
    duplicates = index.matches(cleaned["company_name_normalised"], cleaned["domain"])
    if duplicates and not allow_duplicate:
        raise ValidationError({"company_name": duplicate_message(duplicates)}, code="duplicate")
    creator = user if getattr(user, "is_authenticated", False) else None
    lead = Lead(tenant=tenant, created_by=creator, owner=owner if owner is not None else creator, created_at=now,
                **cleaned)
    lead.full_clean(exclude=["tenant", "product", "owner", "created_by", "partner", "partner_user", "deal"],
                    validate_constraints=False)
    try:
        with transaction.atomic():
            lead.save(force_insert=True)
            audit_log(tenant=tenant, actor=creator, action="lead.create", obj=lead, request=request,
                      changes={"source": lead.source, "duplicates": [str(d["id"]) for d in duplicates]})
            if route:
                from leads.services.routing import leads_route

                leads_route(tenant=tenant, leads=[lead], actor=creator, now=now, request=request)
    except IntegrityError:
        # The same source reference was saved by a simultaneous call: answer with that lead.
        if ref and (existing := Lead.objects.filter(tenant=tenant, source_ref=ref).first()) is not None:
            return existing, False
        raise
    index.add(lead.pk, lead.company_name, lead.company_name_normalised, lead.domain, lead.status)
    if route:
        lead.refresh_from_db()
    return lead, True
