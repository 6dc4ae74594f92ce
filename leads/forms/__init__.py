"""Forms of the leads app, one module per page family (settings, inbox, staff, rules, imports)."""

from leads.forms.settings import LeadSettingsForm

__all__ = ["LeadSettingsForm"]
