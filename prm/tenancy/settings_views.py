"""The Settings page: the tenant's own settings and every app's section, on one page with one Save.

Its own module (not prm/tenancy/views.py), because the access decorators import views.py for
`render_error`: this one imports them at the top, with no import circle.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from prm.audit.services import audit_log
from prm.tenancy.access import tenant_admin_required
from prm.tenancy.app_settings import bind_sections
from prm.tenancy.forms import TenantSettingsForm
from prm.tenancy.request import MemberRequest

NOT_AUDITED = frozenset({"logo"})  # a file: "changed" says enough


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def tenant_settings(request: MemberRequest) -> HttpResponse:
    """Tenant admins edit their program's branding and rules.

    The tenant's form and every registered section (prm.tenancy.app_settings) are validated
    together: if any is invalid the page answers 400 with the errors inline and nothing is saved;
    otherwise all are saved in one transaction, with one audit entry naming what changed.
    """
    tenant = request.tenant
    posted = request.method == "POST"
    data, files = (request.POST, request.FILES) if posted else (None, None)
    form = TenantSettingsForm(data, files, instance=tenant)
    sections = bind_sections(tenant, data, files)
    forms = [form, *(s.form for s in sections)]
    if posted and all([f.is_valid() for f in forms]):  # a list: every form validates, so every error shows
        changed = [name for f in forms for name in f.changed_data]
        before = {name: str(f.initial.get(name)) for f in forms for name in f.changed_data if name not in NOT_AUDITED}
        after = {name: str(f.cleaned_data.get(name)) for f in forms for name in f.changed_data
                 if name not in NOT_AUDITED}
        with transaction.atomic():
            form.save()
            for section in sections:
                if section.form.has_changed():
                    section.form.save()
            audit_log(tenant=tenant, actor=request.user, action="tenant.settings", obj=tenant,
                      changes={"changed": changed, "before": before, "after": after}, request=request)
        for section in sections:  # this request (and the tenant object) now reads what was saved
            section.section.model.remember(tenant, section.form.instance)
        messages.success(request, _("Program settings saved."))
        return redirect("tenant_settings")
    return render(request, "portal/tenant_settings.html", {"form": form, "sections": sections},
                  status=400 if posted else 200)
