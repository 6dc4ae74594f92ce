"""Bulk CSV imports of partners with their first contact (the machinery is prm.imports)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.imports.models import ImportBase, ImportRowErrorBase


def import_file_path(instance: PartnerImport, filename: str) -> str:
    return f"tenants/{instance.tenant_id}/partner-imports/{instance.pk}.csv"


class PartnerImport(ImportBase):
    file = models.FileField(upload_to=import_file_path)
    send_invitations = models.BooleanField(
        _("invite new contacts"), default=False,
        help_text=_("Send each new partner's contact an invitation as partner admin."),
    )

    class Meta(ImportBase.Meta):
        verbose_name = _("partner import")
        verbose_name_plural = _("partner imports")


class PartnerImportError(ImportRowErrorBase):
    """One invalid row of an import (for the downloadable error report). Never addressed in URLs."""

    partner_import = models.ForeignKey(PartnerImport, on_delete=models.CASCADE, related_name="row_errors")

    class Meta(ImportRowErrorBase.Meta):
        constraints = [models.UniqueConstraint(fields=["tenant", "partner_import", "row_number"],
                                               name="importerror_unique_row")]
