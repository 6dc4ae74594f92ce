"""Lead models (split by concern; import them from `leads.models`)."""

from leads.models.imports import LeadImport, LeadImportError
from leads.models.lead import Lead, LeadAssignment, LeadQuerySet
from leads.models.routing import LeadRule, LeadShare, PartnerLeadProfile
from leads.models.settings import LeadSettings

__all__ = ["Lead", "LeadAssignment", "LeadImport", "LeadImportError", "LeadQuerySet", "LeadRule", "LeadSettings",
           "LeadShare", "PartnerLeadProfile"]
