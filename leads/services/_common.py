"""Helpers shared by the lead services: locks, recipients, links, tenant checks."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from leads.models import Lead, LeadAssignment
from prm.tenancy.models import Membership
from prm.tenancy.resolution import tenant_url
from prm.tenancy.roles import Role


def check_same_tenant(tenant, *objects) -> None:
    for obj in objects:
        if obj is not None and obj.tenant_id != tenant.pk:
            raise ValidationError(_("Unknown object."))


def lock_lead(lead: Lead) -> Lead:
    """Re-read the lead under a row lock (the caller is inside transaction.atomic): accept,
    decline, reassignment and the sweep all take this lock first, so they serialise per lead."""
    return Lead.objects.select_for_update(of=("self",)).select_related("partner").get(pk=lead.pk)


def live_assignment(lead: Lead) -> LeadAssignment | None:
    return (LeadAssignment.objects.filter(tenant_id=lead.tenant_id, lead=lead,
                                          outcome__in=LeadAssignment.LIVE_OUTCOMES)
            .select_related("partner").first())


def current_offer(lead: Lead) -> LeadAssignment:
    """The live offer of a lead that is offered or held (its row lock is held by the caller)."""
    offer = live_assignment(lead)
    if offer is None:  # only data edited around the services gets here
        raise ValidationError(_("This lead has no open offer; reload the page."))
    return offer


def lead_url(tenant, lead: Lead | None = None, request=None) -> str:
    """The lead's page, else the lead list, else the portal's home (the pages come separately)."""
    names = [("leads:detail", [lead.pk])] if lead is not None else []
    for name, args in [*names, ("leads:list", None)]:
        try:
            return tenant_url(tenant, reverse(name, args=args), request)
        except NoReverseMatch:
            continue
    return tenant_url(tenant, "/", request)


def partner_members(tenant, partner_ids) -> dict:
    """{partner_id: [active users of that organisation]} in one query."""
    members: dict = defaultdict(list)
    ids = list({p for p in partner_ids if p is not None})
    if ids:
        for m in (Membership.objects.filter(tenant=tenant, partner_id__in=ids, is_active=True, user__is_active=True)
                  .select_related("user").order_by("created_at")):
            members[m.partner_id].append(m.user)
    return members


def is_partner_admin(tenant, user, partner) -> bool:
    return Membership.objects.filter(tenant=tenant, user=user, partner=partner, role=Role.PARTNER_ADMIN,
                                     is_active=True).exists()


def require_member(tenant, user, partner) -> None:
    """The acting user belongs to the partner organisation (services are called with both)."""
    if user is None or not Membership.objects.filter(tenant=tenant, user=user, partner=partner,
                                                     is_active=True).exists():
        raise ValidationError(_("Only members of the partner organisation can do this."))
