"""Bulk CSV imports of leads (the machinery is prm.imports; the importer is leads.imports)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.imports.models import ImportBase, ImportRowErrorBase


class LeadImport(ImportBase):
    """One uploaded file of leads, with the options chosen at upload and the routing outcome."""

    route_after_import = models.BooleanField(
        _("route after import"), default=True,
        help_text=_("Offer the new leads to partners by the routing rules as soon as they are imported."))
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("lead owner"),
        help_text=_("The channel manager who hears when nobody takes a lead. Empty: whoever uploads the file."))
    # What routing did with the new leads (counted by the import's batches).
    assigned_count = models.PositiveIntegerField(_("offered to partners"), default=0)
    unassigned_count = models.PositiveIntegerField(_("left unassigned"), default=0)

    class Meta(ImportBase.Meta):
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")


class LeadImportError(ImportRowErrorBase):
    """One invalid row of a lead import (for the downloadable error report). Never addressed in URLs."""

    lead_import = models.ForeignKey(LeadImport, on_delete=models.CASCADE, related_name="row_errors")

    class Meta(ImportRowErrorBase.Meta):
        constraints = [models.UniqueConstraint(fields=["tenant", "lead_import", "row_number"],
                                               name="leads_importerror_unique_row")]
