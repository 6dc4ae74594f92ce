"""The lead page, for partner users and staff (the actions' views re-render it with their bound forms)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from leads import selectors
from leads.forms.inbox import AssignForm, ConvertForm, DeclineForm, StatusForm
from leads.forms.staff import ReassignForm
from leads.models import Lead, LeadAssignment
from leads.services.convert import CONVERTIBLE
from prm.tenancy.access import member_required
from prm.tenancy.roles import Role


@dataclass
class HistoryEntry:
    """One offer of the lead as the page shows it: the routing decision explained in words, and
    for staff the candidates it weighed (a small table) and the raw decision behind a disclosure."""

    offer: LeadAssignment
    why: str = ""
    top: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    tried_rules: list = field(default_factory=list)
    raw: str = ""


def _percent(value) -> str:
    return f"{float(value or 0) * 100:.0f} %"


def _history(viewer, lead: Lead) -> list[HistoryEntry]:
    # A manager confined to a book gets the book's offers only (the selector) and none of the
    # candidates, counts or explanations that could name partners outside it.
    book = {str(pk) for pk in viewer.book.values_list("pk", flat=True)} if viewer.confined else None
    entries = []
    for offer in selectors.assignment_history(viewer, lead):
        entry = HistoryEntry(offer)
        if viewer.is_partner:
            entries.append(entry)
            continue
        candidates = offer.candidates or {}
        entry.top = [{**c, "weight_percent": _percent(c.get("weight"))} for c in candidates.get("top") or []
                     if book is None or c.get("partner_id") in book]
        entry.tried_rules = [t.get("rule", "") for t in candidates.get("tried") or [] if t.get("rule")]
        if book is None:
            entry.why = offer.why
            entry.counts = {k: candidates[k] for k in ("eligible", "available", "at_capacity", "excluded",
                                                         "below_floor") if k in candidates}
            entry.raw = json.dumps({"reason": offer.reason, "reason_data": offer.reason_data,
                                    "candidates": candidates}, indent=2, sort_keys=True, cls=DjangoJSONEncoder)
        elif offer.partner_id is not None:  # an offer to the book's partner: its explanation names only it
            entry.why = offer.why
        entries.append(entry)
    return entries


def lead_page(request: HttpRequest, lead: Lead, *, status: int = 200, conversion: dict | None = None,
              **forms) -> HttpResponse:
    """The lead page with its forms (bound ones passed in re-render with their errors)."""
    viewer, membership = request.viewer, request.membership
    partner_side = membership.is_partner
    is_partner_admin = membership.role == Role.PARTNER_ADMIN
    context = {
        "lead": lead, "staff": not partner_side, "contact": lead.contact_for(viewer),
        "shows_contact": lead.shows_contact_to(viewer), "history": _history(viewer, lead),
        "is_partner_admin": is_partner_admin, "can_manage": membership.can_manage,
        "convertible": lead.status in CONVERTIBLE, "conversion": conversion,
    }
    if partner_side:
        held = lead.status in Lead.HELD_STATUSES
        owned = lead.status in (Lead.Status.ACCEPTED, Lead.Status.WORKING)
        context.update({
            "decline_form": forms.get("decline_form") or (DeclineForm() if held else None),
            "status_form": forms.get("status_form") or (StatusForm(lead=lead) if owned else None),
            "assign_form": forms.get("assign_form") or (
                AssignForm(tenant=request.tenant, partner=membership.partner,
                           initial={"assignee": lead.partner_user_id}) if owned and is_partner_admin else None),
            "convert_form": forms.get("convert_form"),
        })
    elif membership.can_manage and lead.is_open:
        context["reassign_form"] = forms.get("reassign_form") or ReassignForm.for_lead(None, viewer=viewer, lead=lead)
    if context.get("convert_form") is None and conversion is not None:
        context["convert_form"] = ConvertForm(tenant=request.tenant, lead=lead)
    return render(request, "leads/detail.html", context, status=status)


@member_required
@require_GET
def lead_detail(request: HttpRequest, lead_id) -> HttpResponse:
    return lead_page(request, selectors.lead_for(request.viewer, lead_id))
