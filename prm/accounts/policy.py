"""Who may give whom which role: the one rule behind the People page, the team page, invitations
and the back office.

- Nobody grants a role above their own: a tenant admin grants any role; a channel manager grants
  partner roles, executive and channel manager; a partner admin grants partner roles (inside their
  own organisation); executives and partner users grant nothing.
- Only a tenant admin changes a tenant admin's membership (role or active flag).
- A partner member never becomes staff by a role change, nor staff a partner member.
- The last active tenant admin cannot be demoted or deactivated.

`actor=None` is the system (demo seed, management commands): the role ceiling does not apply, the
structural rules (partner/staff, last admin) still do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from prm.tenancy.models import Membership
from prm.tenancy.roles import PARTNER_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_GRANTABLE: dict[str, frozenset[str]] = {
    Role.TENANT_ADMIN: frozenset(Role.values),
    Role.CHANNEL_MANAGER: frozenset({Role.PARTNER_USER, Role.PARTNER_ADMIN, Role.EXECUTIVE, Role.CHANNEL_MANAGER}),
    Role.PARTNER_ADMIN: frozenset({Role.PARTNER_USER, Role.PARTNER_ADMIN}),
}


class RoleChangeRefused(PermissionDenied):
    """A role grant or membership change the actor may not make; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def grantable_roles(actor: Membership | None) -> frozenset[str]:
    """The roles `actor` may give to someone (all of them for the system)."""
    if actor is None:
        return frozenset(Role.values)
    if not actor.is_active:
        return frozenset()
    return _GRANTABLE.get(actor.role, frozenset())


def role_choices(actor: Membership | None, *, partner_side: bool | None = None) -> list[tuple[str, StrOrPromise]]:
    """Form choices in the roles' own order; `partner_side` keeps one side (partner or staff)."""
    allowed = grantable_roles(actor)
    side = PARTNER_ROLES if partner_side else STAFF_ROLES if partner_side is False else frozenset(Role.values)
    return [(r.value, r.label) for r in Role if r in allowed and r in side]


def check_grant(actor: Membership | None, role: str, *, partner=None) -> None:
    """May `actor` invite someone with `role` (into `partner`'s organisation for partner roles)?"""
    if role not in grantable_roles(actor):
        raise RoleChangeRefused(_("You cannot give the role “%(role)s”: only a role up to your own.")
                                % {"role": Role(role).label if role in Role.values else role})
    if actor is not None and actor.is_partner and (partner is None or partner.pk != actor.partner_id):
        raise RoleChangeRefused(_("Partner admins invite colleagues into their own organisation only."))


def check_change(actor: Membership | None, target: Membership, *, role: str | None = None,
                 is_active: bool | None = None) -> None:
    """May `actor` set `target`'s role and/or active flag? Raises RoleChangeRefused with the reason.

    Call inside the transaction that writes the change: the last-admin check locks the tenant's
    active admin memberships, so two admins demoting each other at once cannot both succeed.
    """
    new_role = role if role is not None else target.role
    new_active = is_active if is_active is not None else target.is_active
    if new_role == target.role and new_active == target.is_active:
        return
    if new_role not in Role.values:
        raise RoleChangeRefused(_("Unknown role."))
    if actor is not None:
        if reason := _why_hands_off(actor, target):
            raise RoleChangeRefused(reason)
        if new_role != target.role and new_role not in grantable_roles(actor):
            raise RoleChangeRefused(_("You cannot give the role “%(role)s”: only a role up to your own.")
                                    % {"role": Role(new_role).label})
        if target.user_id == actor.user_id and not new_active:
            raise RoleChangeRefused(_("You cannot deactivate yourself."))
    if (new_role in PARTNER_ROLES) != (target.role in PARTNER_ROLES):
        raise RoleChangeRefused(_("A partner member cannot become staff, or the other way round. "
                                  "Deactivate this membership and invite the person again with the new role."))
    if target.is_tenant_admin and target.is_active and (new_role != Role.TENANT_ADMIN or not new_active):
        if not set(lock_tenant_admins(target.tenant_id)) - {target.pk}:
            raise RoleChangeRefused(_("%(user)s is the last active tenant admin. Make someone else tenant admin "
                                      "first.") % {"user": target.user})


def lock_tenant_admins(tenant) -> list:
    """Lock the tenant's active admin memberships (in primary-key order) and return their ids."""
    tenant_id = getattr(tenant, "pk", tenant)
    return list(Membership.objects.select_for_update()
                .filter(tenant_id=tenant_id, role=Role.TENANT_ADMIN, is_active=True)
                .order_by("pk").values_list("pk", flat=True))


def _why_hands_off(actor: Membership, target: Membership) -> str:
    """Why `actor` may change nothing of `target`'s membership ('' when they may look at changes)."""
    if not actor.is_active or actor.role not in _GRANTABLE:
        return _("Your role does not let you change other people's access.")
    if actor.is_partner and target.partner_id != actor.partner_id:
        return _("Partner admins manage their own organisation's colleagues only.")
    if target.is_tenant_admin and not actor.is_tenant_admin:
        return _("Only a tenant admin can change a tenant admin's access.")
    return ""


def may_change(actor: Membership | None, target: Membership) -> bool:
    """Whether the People/team page offers `actor` any change of `target` (no query)."""
    return actor is None or not _why_hands_off(actor, target)
