"""The engagement event stream: one append-only table every app writes through record_event()."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy.models import TenantOwnedModel


class EngagementEvent(TenantOwnedModel):
    # High volume and never addressed in URLs: a compact sequential key.
    # An integer key in place of the abstract base's UUID: Django lets a model override a field of an
    # abstract base, mypy sees an incompatible override (django-stubs#433).
    id = models.BigAutoField(primary_key=True)  # type: ignore[assignment]
    partner = models.ForeignKey(
        settings.PRM_PARTNER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=40)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("engagement event")
        verbose_name_plural = _("engagement events")
        indexes = [
            # Per-tenant, per-partner time-range scans (nightly features, partner timeline).
            models.Index(fields=["tenant", "partner", "occurred_at"], name="event_tenant_partner_time"),
            # Per-tenant scans by kind (dashboards, backfills).
            models.Index(fields=["tenant", "kind", "occurred_at"], name="event_tenant_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Engagement events are append-only")
        super().save(*args, **kwargs)
