"""In-app notifications and the email outbox.

Emails are written to an outbox row in the same transaction as the change that causes them and
delivered by a task after commit; a periodic sweep retries what could not be sent (broker or
SMTP down), so a notification is never lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy.models import TenantOwnedModel
from prm.tenancy.scoping import scoped_manager


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


if TYPE_CHECKING:  # the manager scoped_manager() builds at run time, as the type checker sees it
    NotificationManager = models.Manager.from_queryset(NotificationQuerySet)


class Notification(TenantOwnedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[NotificationManager[Notification]] = scoped_manager(NotificationQuerySet)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["tenant", "user", "read_at", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title


class EmailOutbox(TenantOwnedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # An integer key in place of the abstract base's UUID: Django lets a model override a field of an
    # abstract base, mypy sees an incompatible override (django-stubs#433).
    id = models.BigAutoField(primary_key=True)  # type: ignore[assignment]
    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [models.Index(fields=["tenant", "status", "created_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
