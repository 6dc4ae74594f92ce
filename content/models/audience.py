"""Audience rules shared by assets and courses: who in the partner program may see an item."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.tenancy.roles import Role


class PartnerRole(models.TextChoices):
    ALL = "", _("Everyone in the partner organisation")
    ADMINS = Role.PARTNER_ADMIN.value, _("Partner admins only")
    USERS = Role.PARTNER_USER.value, _("Partner users only")


class PublishedQuerySet(models.QuerySet):
    def published(self, now=None):
        """Items whose publication date has passed and that have not expired."""
        now = now or timezone.now()
        return self.filter(publish_at__isnull=False, publish_at__lte=now).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class AudienceRules(models.Model):
    """Minimum tier (by rank), partner types (through a tenant-owned model), partner role, and dates.

    An empty rule means "no restriction". The single place that turns these fields into a
    queryset filter is `content.selectors.audience.audience_filter`.
    """

    min_tier = models.ForeignKey(
        "partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("minimum tier"),
        help_text=_("Partners of this tier or a higher one (by rank). Empty: every tier."),
    )
    audience_role = models.CharField(
        _("who in the organisation"), max_length=20, choices=PartnerRole.choices, default=PartnerRole.ALL,
        blank=True,
    )
    publish_at = models.DateTimeField(
        _("publish at"), null=True, blank=True,
        help_text=_("Empty: draft, not visible to partners. A future date schedules publication."),
    )
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Hidden from partners from this moment on."),
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        now = timezone.now()
        return (
            self.publish_at is not None and self.publish_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def publication_state(self) -> str:
        """'draft', 'scheduled', 'published' or 'expired' (for staff lists)."""
        now = timezone.now()
        if self.publish_at is None:
            return "draft"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        if self.publish_at > now:
            return "scheduled"
        return "published"
