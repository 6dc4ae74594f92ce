"""The lead list: one URL for everyone."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from leads.views import inbox, staff
from prm.tenancy.access import member_required


@member_required
def lead_list(request: HttpRequest) -> HttpResponse:
    """Partner users get their organisation's inbox, staff the tenant's lead list."""
    if request.membership.is_partner:
        return inbox.inbox_page(request)
    return staff.lead_list_page(request)
