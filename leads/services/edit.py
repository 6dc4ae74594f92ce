"""Staff changes to leads: editing an open lead, the duplicate check the forms show before saving,
and the lead list's bulk actions (route, assign to a partner, reassign to the next candidate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from deals.normalise import customer_domain, normalise_company_name
from leads.dedupe import OpenLeads
from leads.models import Lead, LeadAssignment
from leads.services._common import check_same_tenant, lock_lead
from leads.services.create import duplicate_message, validate_lead
from prm.audit.services import audit_log
from prm.nplusone import deliberate_repetition
from prm.tenancy.models import Membership
from prm.tenancy.roles import MANAGER_ROLES

# What a manager may change on an open lead (routing state, contact privacy and conversion are
# the workflow services' business).
EDITABLE_FIELDS = ("company_name", "website", "country", "region", "industry", "company_size", "product",
                   "contact_name", "contact_email", "contact_phone", "contact_title", "source", "notes",
                   "value_estimate", "currency")
DERIVED_FIELDS = ("company_name_normalised", "domain")

BULK_ROUTE, BULK_ASSIGN, BULK_REASSIGN = "route", "assign", "reassign"
BULK_ACTIONS = (BULK_ROUTE, BULK_ASSIGN, BULK_REASSIGN)


def lead_duplicates(*, tenant, data: dict, exclude=()) -> list[dict]:
    """[{id, company, status, why}] of the open leads that look like the company in `data` (the
    check lead_create refuses on). Only the company, website and contact email count, so the form
    can warn while other fields are still wrong."""
    norm = normalise_company_name(str(data.get("company_name") or "").strip())
    if not norm:
        return []
    domain = customer_domain(website=str(data.get("website") or "").strip(),
                             email=str(data.get("contact_email") or "").strip().lower())
    return OpenLeads(tenant, exclude_ids=exclude).matches(norm, domain)


def lead_owner_check(tenant, owner) -> None:
    """A lead's owner is a channel manager or tenant admin of the tenant (or nobody)."""
    if owner is None:
        return
    if not Membership.objects.filter(tenant=tenant, user=owner, role__in=list(MANAGER_ROLES), is_active=True).exists():
        raise ValidationError({"owner": _("Choose a channel manager or tenant admin of this program.")})


def _shown(value) -> str:
    if value is None:
        return ""
    return str(getattr(value, "code", value) if not hasattr(value, "pk") else value.pk)


def lead_update(*, tenant, lead: Lead, actor, data: dict, owner: Any = None, allow_duplicate: bool = False,
                request=None) -> Lead:
    """Staff correct an open lead's prospect, contact and commercial fields (and its owner).

    Validated like a new lead (validate_lead); renaming it into another open lead's company is
    refused unless `allow_duplicate`. Every changed field is audited with its old and new value."""
    check_same_tenant(tenant, lead)
    cleaned = validate_lead(tenant=tenant, data=data)
    lead_owner_check(tenant, owner)
    with transaction.atomic():
        lead = lock_lead(lead)
        if not lead.is_open:
            raise ValidationError(_("This lead is %(status)s; it can no longer be edited.") % {
                "status": lead.get_status_display().lower()})
        changes: dict[str, dict[str, str]] = {}
        for name in (*EDITABLE_FIELDS, *DERIVED_FIELDS):
            new = cleaned[name]
            old = lead.product if name == "product" else getattr(lead, name)
            old_key = _shown(old)
            if old_key != _shown(new):
                changes[name] = {"from": old_key, "to": _shown(new)}
                setattr(lead, name, new)
        if lead.owner_id != getattr(owner, "pk", None):
            changes["owner"] = {"from": str(lead.owner_id or ""), "to": str(getattr(owner, "pk", "") or "")}
            lead.owner = owner
        if not changes:
            return lead
        if not allow_duplicate and set(changes) & set(DERIVED_FIELDS):
            matches = OpenLeads(tenant, exclude_ids=[lead.pk]).matches(lead.company_name_normalised, lead.domain)
            if matches:
                raise ValidationError({"company_name": duplicate_message(matches)}, code="duplicate")
        lead.full_clean(exclude=["tenant", "product", "owner", "created_by", "partner", "partner_user", "deal"],
                        validate_constraints=False)
        lead.save(update_fields=[*EDITABLE_FIELDS, *DERIVED_FIELDS, "owner", "updated_at"])
        audit_log(tenant=tenant, actor=actor, action="lead.update", obj=lead, changes=changes, request=request)
    return lead


# --- Bulk actions of the staff lead list --------------------------------------------------------


@dataclass
class BulkResult:
    """What a bulk action did, lead by lead: moved to a partner, left with nobody (and why), or
    refused (nothing changed, and why). Every selected lead is in exactly one list."""

    action: str
    moved: list[tuple[Lead, str]] = field(default_factory=list)
    unassigned: list[tuple[Lead, str]] = field(default_factory=list)
    refused: list[tuple[Lead, str]] = field(default_factory=list)


def _why_unassigned(lead: Lead) -> str:
    last = LeadAssignment.objects.filter(tenant_id=lead.tenant_id, lead=lead).order_by("-seq").first()
    return last.why if last is not None else _("No partner could take it.")


def leads_bulk_action(*, tenant, leads: list[Lead], actor, action: str, partner=None, reason: str = "",
                      take_back: bool = False, request=None) -> BulkResult:
    """Apply one staff action to the selected leads and report on each.

    "route": the unassigned leads go through the rules in one routing (leads_route); "assign":
    each lead is offered to `partner`; "reassign": each goes to the next candidate of the rules.
    Assign and reassign move one lead per transaction (lead_reassign takes the routing and row
    locks), so a refusal of one lead never undoes or blocks the others."""
    from leads.services.routing import leads_route
    from leads.services.workflow import lead_reassign

    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose what to do with the selected leads.")})
    if action == BULK_ASSIGN and partner is None:
        raise ValidationError({"partner": _("Choose the partner to offer the leads to.")})
    check_same_tenant(tenant, partner, *leads)
    result = BulkResult(action)
    if action == BULK_ROUTE:
        routable = []
        for lead in leads:
            if lead.status == Lead.Status.UNASSIGNED:
                routable.append(lead)
            else:
                result.refused.append((lead, _("It is %(status)s; only unassigned leads are routed. Use "
                                               "“reassign” to move it.") % {"status": lead.get_status_display().lower()}))
        if routable:
            routed = leads_route(tenant=tenant, leads=routable, actor=actor, request=request)
            decided = {d.lead.pk: d for d in routed.decisions}
            for lead in routable:
                decision = decided.get(lead.pk)
                if decision is None:  # taken or routed by someone else since the page was drawn
                    result.refused.append((lead, _("It changed meanwhile; reload the list.")))
                elif decision.assigned:
                    result.moved.append((decision.lead, decision.partner_name))
                else:
                    result.unassigned.append((decision.lead, decision.why))
        return result
    # One locked transaction per lead by design: the row lock and the routing lock are the
    # serialisation point against partners accepting at the same moment.
    with deliberate_repetition():
        for lead in leads:
            if action == BULK_ASSIGN and lead.partner_id == partner.pk and lead.is_open:
                result.refused.append((lead, _("It is already with %(partner)s.") % {"partner": partner.name}))
                continue
            try:
                moved = lead_reassign(tenant=tenant, lead=lead, actor=actor, partner=partner, reason=reason,
                                      take_back=take_back, request=request)
            except ValidationError as exc:
                result.refused.append((lead, " ".join(exc.messages)))
            except IntegrityError:
                result.refused.append((lead, _("It changed meanwhile; reload the list.")))
            else:
                if moved.partner_id is not None:
                    result.moved.append((moved, moved.partner.name))
                else:
                    result.unassigned.append((moved, _why_unassigned(moved)))
    return result
