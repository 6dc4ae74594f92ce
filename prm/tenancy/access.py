"""Access helpers used by every portal view: one place decides who may see what.

Outsiders and other tenants' objects get 404 (existence never leaks); a signed-in user without
the right role in this tenant gets a branded 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Protocol, cast

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest

from prm.tenancy.request import PortalRequest
from prm.tenancy.roles import ADMIN_ROLES, ALL_ROLES, MANAGER_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from prm.tenancy.views import render_error


class RoleCheckedView(Protocol):
    """A view wrapped by `tenant_view`: `allowed_roles` names the roles it lets in."""

    allowed_roles: frozenset[str] | None

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any: ...


def tenant_view(roles: Iterable[str] = ALL_ROLES) -> Callable[[Callable], RoleCheckedView]:
    """Decorator: the view runs only on a tenant host, for a signed-in member with one of `roles`."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> RoleCheckedView:
        @functools.wraps(view)
        def wrapper(request: PortalRequest, *args, **kwargs):
            if request.tenant is None:
                raise Http404("No tenant on this host")
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership
            if membership is None:
                return render_error(request, 403, reason="no_membership")
            if membership.role not in allowed:
                return render_error(request, 403, reason="role")
            return view(request, *args, **kwargs)

        checked = cast(RoleCheckedView, wrapper)
        checked.allowed_roles = allowed
        return checked

    return decorator


partner_required = tenant_view(PARTNER_ROLES)
partner_admin_required = tenant_view({Role.PARTNER_ADMIN})
staff_required = tenant_view(STAFF_ROLES)
manager_required = tenant_view(MANAGER_ROLES)
tenant_admin_required = tenant_view(ADMIN_ROLES)
member_required = tenant_view(ALL_ROLES)


def program_wide(view: Callable) -> RoleCheckedView:
    """For pages about the whole program rather than partners one by one (the ledger, paying a
    payout batch): staff confined to a book of partners get a 403 that says why."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        viewer = getattr(request, "viewer", None)
        if viewer is not None and viewer.confined:
            from django.utils.translation import gettext as _

            return render_error(request, 403, reason="book", message=_(
                "You work with your own book of partners; this page covers the whole program. "
                "Ask a tenant admin."))
        return view(request, *args, **kwargs)

    checked = cast(RoleCheckedView, wrapper)
    checked.allowed_roles = getattr(view, "allowed_roles", None)
    return checked
