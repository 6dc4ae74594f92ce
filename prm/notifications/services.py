from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from prm.notifications.models import EmailOutbox, Notification
from prm.tenancy.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def send_tenant_email(*, tenant, to: str, subject: str, template: str | None = None, context: dict | None = None,
                      body: str | None = None) -> EmailOutbox:
    """Queue an email in the outbox; it is delivered after the transaction commits."""
    if body is None:
        if template is None:
            raise TypeError("send_tenant_email() needs a template or a body")
        body = render_to_string(template, {"tenant": tenant, **(context or {})})
    row = EmailOutbox.objects.create(tenant=tenant, to=to, subject=subject[:250], body=body)
    from prm.notifications.tasks import outbox_deliver

    enqueue_on_commit(outbox_deliver, row.pk, tenant_id=tenant.pk)
    return row


def notify(*, tenant, users: Iterable, title: str, body: str = "", url: str = "", email: bool = True) -> list[Notification]:
    """An in-app notification for each user, and (by default) an email through the outbox."""
    users = [u for u in users if u is not None]
    with transaction.atomic():
        notes = Notification.objects.bulk_create(
            [Notification(tenant=tenant, user=u, title=title[:200], body=body, url=url) for u in users]
        )
        if email:
            for user in users:
                send_tenant_email(
                    tenant=tenant, to=user.email, subject=title,
                    template="notifications/email/notification.txt",
                    context={"title": title, "body": body, "url": url, "user": user},
                )
    return notes


def outbox_deliver_row(row: EmailOutbox) -> bool:
    """Send one outbox row; claim it with a row lock so two workers never send it twice."""
    with transaction.atomic():
        locked = EmailOutbox.objects.select_for_update(skip_locked=True).filter(
            pk=row.pk, status=EmailOutbox.Status.PENDING
        ).first()
        if locked is None:
            return False
        try:
            EmailMessage(subject=locked.subject, body=locked.body, to=[locked.to]).send()
        except Exception as exc:
            locked.attempts += 1
            locked.last_error = str(exc)[:2000]
            if locked.attempts >= MAX_ATTEMPTS:
                locked.status = EmailOutbox.Status.FAILED
            locked.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("email to %s failed (attempt %s): %s", locked.to, locked.attempts, exc)
            return False
        locked.status = EmailOutbox.Status.SENT
        locked.sent_at = timezone.now()
        locked.attempts += 1
        locked.save(update_fields=["status", "sent_at", "attempts"])
        return True


def notification_mark_read(*, user, notification: Notification | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    return qs.update(read_at=timezone.now())
