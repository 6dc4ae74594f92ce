"""Bulk CSV imports of partners with their first contact."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy.models import TenantOwnedModel


def import_file_path(instance: PartnerImport, filename: str) -> str:
    return f"tenants/{instance.tenant_id}/partner-imports/{instance.pk}.csv"


class PartnerImport(TenantOwnedModel):
    class Status(models.TextChoices):
        VALIDATED = "validated", _("Ready to import")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed (nothing was imported)")

    file = models.FileField(upload_to=import_file_path)
    filename = models.CharField(_("file"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALIDATED)
    send_invitations = models.BooleanField(
        _("invite new contacts"), default=False,
        help_text=_("Send each new partner's contact an invitation as partner admin."),
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    # The first rows with their validation result, for the preview page.
    preview = models.JSONField(default=list, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_message = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner import")
        verbose_name_plural = _("partner imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class PartnerImportError(TenantOwnedModel):
    """One invalid row of an import (for the downloadable error report). Never addressed in URLs."""

    is_append_only_log = True
    id = models.BigAutoField(primary_key=True)
    partner_import = models.ForeignKey(PartnerImport, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField()
    messages = models.JSONField(default=list)
    values = models.JSONField(default=dict)

    class Meta:
        ordering = ["row_number"]
        constraints = [models.UniqueConstraint(fields=["tenant", "partner_import", "row_number"],
                                               name="importerror_unique_row")]
