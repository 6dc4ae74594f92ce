"""The lead list (one URL for everyone) and the lead page."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from leads import selectors
from leads.forms.inbox import AssignForm, ConvertForm, DeclineForm, ReassignForm, StatusForm
from leads.models import Lead, LeadAssignment
from leads.services.convert import CONVERTIBLE
from leads.views import inbox, staff
from prm.tenancy.access import member_required
from prm.tenancy.roles import Role


@member_required
def lead_list(request: HttpRequest) -> HttpResponse:
    """Partner users get their organisation's inbox, staff the tenant's lead list."""
    if request.membership.is_partner:
        return inbox.inbox_page(request)
    return staff.lead_list_page(request)


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
    entries = []
    offers = selectors.assignment_history(viewer, lead)
    # A manager confined to a book sees the offers to the book's partners only, and no candidates
    # from outside it (the routing explanation would name them).
    book = set(viewer.book.values_list("pk", flat=True)) if viewer.confined else None
    for offer in offers:
        if book is not None and offer.partner_id is not None and offer.partner_id not in book:
            continue
        entry = HistoryEntry(offer)
        if not viewer.is_partner:
            candidates = offer.candidates or {}
            entry.why = offer.why
            entry.top = [{**c, "weight_percent": _percent(c.get("weight"))} for c in candidates.get("top") or []
                         if book is None or _in_book(c, book)]
            entry.counts = {k: candidates[k] for k in ("eligible", "available", "at_capacity", "excluded",
                                                         "below_floor") if k in candidates}
            entry.tried_rules = [t.get("rule", "") for t in candidates.get("tried") or [] if t.get("rule")]
            if book is not None:  # the raw decision and explanation may name partners outside the book
                entry.why, entry.raw = (offer.why if offer.partner_id in book else ""), ""
                entry.counts = {}
                entries.append(entry)
                continue
            entry.raw = json.dumps({"reason": offer.reason, "reason_data": offer.reason_data,
                                    "candidates": candidates}, indent=2, sort_keys=True, cls=DjangoJSONEncoder)
        entries.append(entry)
    return entries


def _in_book(candidate: dict, book: set) -> bool:
    try:
        return uuid.UUID(str(candidate.get("partner_id") or candidate.get("id"))) in book
    except ValueError:
        return False


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
        context["reassign_form"] = forms.get("reassign_form") or ReassignForm(viewer=viewer)
    if context.get("convert_form") is None and conversion is not None:
        context["convert_form"] = ConvertForm(tenant=request.tenant, lead=lead)
    return render(request, "leads/detail.html", context, status=status)


@member_required
@require_GET
def lead_detail(request: HttpRequest, lead_id) -> HttpResponse:
    return lead_page(request, selectors.lead_for(request.viewer, lead_id))
