"""Home-page widget contexts (registered in DealsConfig.ready)."""

from __future__ import annotations

from deals import selectors
from deals.models import DealRegistration
from deals.services import registration_options


def partner_home(request) -> dict | None:
    membership = request.membership
    if membership is None or membership.partner_id is None:
        return None
    context = selectors.partner_widget(request.viewer)
    options = registration_options(membership.partner, membership.role)
    can_deal, can_refer = options[DealRegistration.Kind.DEAL][0], options[DealRegistration.Kind.REFERRAL][0]
    context["can_register"] = can_deal or can_refer
    context["register_url"] = "deals:register" if can_deal else "deals:refer"
    return context


def staff_home(request) -> dict | None:
    membership = request.membership
    if membership is None:
        return None
    return {**selectors.staff_widget(request.viewer), "can_manage": membership.can_manage}
