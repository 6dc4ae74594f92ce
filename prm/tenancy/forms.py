from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prm.tenancy.models import Tenant


class TenantSettingsForm(forms.ModelForm):
    """What a tenant admin may change about their own portal (the slug and status are platform-managed).

    The Settings page shows it first; each app's settings follow in their own sections
    (prm.tenancy.app_settings.register_settings_section)."""

    class Meta:
        model = Tenant
        fields = [
            "name", "logo", "primary_colour", "default_language", "support_email", "base_currency",
            "allowed_currencies", "require_mfa_for_staff",
        ]
        widgets = {"primary_colour": forms.TextInput(attrs={"type": "color"})}
        help_texts = {"logo": _("PNG, JPEG, GIF or WebP, at most 2 MB.")}
