from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prm.audit.models import AuditEntry
from prm.tenancy.access import tenant_admin_required


@tenant_admin_required
@require_GET
def audit_log_view(request):
    """Tenant admins review what staff (and partners) changed."""
    qs = AuditEntry.objects.select_related("actor")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor__email__icontains=actor)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "action": action, "actor": actor}
    template = "audit/log.html#audit-table" if request.htmx else "audit/log.html"
    return render(request, template, context)
