"""Core navigation entries; feature apps add theirs in their own AppConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from prm.tenancy.portal import NavItem, register_nav
from prm.tenancy.roles import ADMIN_ROLES, MANAGER_ROLES, PARTNER_ROLES, STAFF_ROLES

register_nav(NavItem(_("Home"), "portal_home", PARTNER_ROLES, order=0))
register_nav(NavItem(_("Dashboard"), "portal_home", STAFF_ROLES, order=0))
register_nav(NavItem(_("People"), "accounts:people", MANAGER_ROLES, order=70, active_prefixes=("/staff/people",)))
register_nav(NavItem(_("Audit log"), "audit:log", ADMIN_ROLES, order=80))
register_nav(NavItem(_("Admin"), "admin:index", MANAGER_ROLES, order=90, active_prefixes=("/admin/",)))
