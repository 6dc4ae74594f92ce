"""The portal's front door: landing page on the base domain, role home on a tenant host."""

from __future__ import annotations

from django.shortcuts import render

from prm.accounts.selectors import portals_for_user
from prm.tenancy.portal import widgets_for
from prm.tenancy.views import render_error


def home(request):
    if request.tenant is None:
        if request.user.is_authenticated:
            return render(request, "portal/my_portals.html", {"portals": portals_for_user(request.user)})
        return render(request, "portal/landing.html")
    if not request.user.is_authenticated:
        return render(request, "portal/tenant_welcome.html")
    membership = request.membership
    if membership is None:
        return render_error(request, 403, reason="no_membership")
    widgets = []
    for widget in widgets_for(membership.role):
        context = widget.context(request)
        if context is not None:
            widgets.append({"template": widget.template, "context": context, "wide": widget.wide})
    template = "portal/partner_home.html" if membership.is_partner else "portal/staff_home.html"
    return render(request, template, {"widgets": widgets})
