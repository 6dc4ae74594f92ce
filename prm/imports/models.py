"""Abstract bases of an app's import models: the uploaded file with its preview, counts and status,
and one invalid row of it (for the downloadable error report)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy.models import TenantOwnedModel


def import_file_path(instance: ImportBase, filename: str) -> str:
    """Where an uploaded file is kept (private storage): one file per import, named by its id."""
    return f"tenants/{instance.tenant_id}/{instance._meta.app_label}-imports/{instance.pk}.csv"


class ImportStatus(models.TextChoices):
    VALIDATED = "validated", _("Ready to import")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed (nothing was imported)")


class ImportBase(TenantOwnedModel):
    """One uploaded CSV file: validated (with a preview) → queued → running → done or failed.

    A concrete import adds its own options as fields (passed to `runner.import_create(**fields)`),
    and may override `file` to keep its own upload path."""

    Status: ClassVar[type[ImportStatus]] = ImportStatus

    file = models.FileField(upload_to=import_file_path)
    filename = models.CharField(_("file"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.VALIDATED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    # {"rows": the first rows with their validation result, "unknown_columns", "creates", "updates"}.
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
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        status = ImportStatus(self.status).label if self.status in ImportStatus.values else self.status
        return f"{self.filename} ({status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class ImportRowErrorBase(TenantOwnedModel):
    """One invalid row of an import. Never addressed in URLs.

    The concrete model adds the foreign key to its import model (any name) and a unique constraint
    `["tenant", "<that key>", "row_number"]`."""

    is_append_only_log = True
    id = models.BigAutoField(primary_key=True)  # type: ignore[assignment]  # narrower than the UUID key of the base
    row_number = models.PositiveIntegerField()
    messages = models.JSONField(default=list)
    values = models.JSONField(default=dict)

    class Meta:
        abstract = True
        ordering = ["row_number"]
