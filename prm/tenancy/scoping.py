"""Tenant scoping that fails closed.

Tenant-owned models use django-scopes' ScopedManager: without an active tenant scope every query
on them raises ScopeError instead of silently returning every tenant's rows. The request
middleware, Celery's TenantTask, management commands and tests activate the scope explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import models
from django_scopes import ScopedManager, ScopeError, get_scope, scope, scopes_disabled

if TYPE_CHECKING:
    from prm.tenancy.models import Tenant

__all__ = [
    "ScopeError",
    "current_tenant",
    "scoped_manager",
    "scopes_disabled",
    "tenant_scope",
]


def scoped_manager(queryset_class: type[models.QuerySet] | None = None) -> Any:
    """A default manager that requires an active tenant scope.

    Its class is made at run time (django-scopes), so the type checker cannot name it: a model
    declares what it is, e.g. `objects: ClassVar[models.Manager[Self]] = scoped_manager()`.
    """
    manager_class = models.Manager.from_queryset(queryset_class) if queryset_class else models.Manager
    return ScopedManager(_manager_class=manager_class, tenant="tenant")


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[Tenant]:
    """Activate the scope of exactly one tenant.

    django-scopes treats a scope value of None as "no filter"; refusing None here keeps a missing
    tenant from turning into an unfiltered query.
    """
    if tenant is None or getattr(tenant, "pk", None) is None:
        raise ScopeError(f"tenant_scope() needs a saved tenant, got {tenant!r}")
    with scope(tenant=tenant):
        yield tenant


def current_tenant() -> Tenant | None:
    """The tenant whose scope is active, or None."""
    state = get_scope()
    if not state.get("_enabled", True):
        return None
    return state.get("tenant")
