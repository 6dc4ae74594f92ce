from __future__ import annotations

from django.http import HttpRequest

from prm.audit.models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address (the proxy's X-Forwarded-For is trusted only behind our own proxy)."""
    if request is None:
        return None
    from django.conf import settings

    if settings.PRM_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def audit_log(*, tenant, actor, action: str, obj=None, changes: dict | None = None,
              request: HttpRequest | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        tenant=tenant,
        actor=actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes,
        ip_address=client_ip(request),
    )
