"""The leads section of the Settings page."""

from __future__ import annotations

from django import forms

from leads.models import LeadSettings


class LeadSettingsForm(forms.ModelForm):
    """The leads section of the Settings page (registered in LeadsConfig.ready())."""

    class Meta:
        model = LeadSettings
        fields = ["lead_accept_hours", "lead_business_hours", "lead_fairness_floor", "lead_window_days",
                  "lead_prior_strength", "lead_default_capacity"]
