from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prm.tenancy.models import Tenant


class TenantSettingsForm(forms.ModelForm):
    """What a tenant admin may change about their own program (the slug and status are platform-managed)."""

    class Meta:
        model = Tenant
        fields = [
            "name", "logo", "primary_colour", "default_language", "support_email", "base_currency",
            "allowed_currencies", "require_mfa_for_staff", "deal_protection_days", "deal_approval_sla_days",
            "auto_approve_on_sla_breach", "deal_contact_required", "tier_downgrade_grace_days",
            "agreement_grace_days", "tier_evaluation", "restrict_managers_to_book",
        ]
        widgets = {"primary_colour": forms.TextInput(attrs={"type": "color"})}
        help_texts = {"logo": _("PNG, JPEG, GIF or WebP, at most 2 MB.")}
