"""The upload form of the leads' CSV import."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from prm.tenancy.roles import MANAGER_ROLES


class LeadImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 CSV with a header row; at most 20 MB."))
    route_after_import = forms.BooleanField(
        label=_("Route the new leads to partners by the rules"), required=False, initial=True,
        help_text=_("Off: the leads stay unassigned until you route them."))
    default_owner = forms.ModelChoiceField(
        label=_("Lead owner"), required=False, queryset=None, empty_label=_("Me"),
        help_text=_("The channel manager who hears when nobody takes a lead."))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        # The tenant's active channel managers and tenant admins (a user of another portal is no choice).
        self.fields["default_owner"].queryset = (
            get_user_model().objects.filter(memberships__tenant=tenant, memberships__role__in=sorted(MANAGER_ROLES),
                                            memberships__is_active=True, is_active=True)
            .order_by("full_name", "email").distinct())
