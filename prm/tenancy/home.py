"""Core navigation entries; feature apps add theirs in their own AppConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from prm.tenancy.portal import NavItem, register_nav
from prm.tenancy.roles import ADMIN_ROLES, MANAGER_ROLES, PARTNER_ROLES, STAFF_ROLES

register_nav(NavItem(_("Home"), "portal_home", PARTNER_ROLES, order=0))
register_nav(NavItem(_("Dashboard"), "portal_home", STAFF_ROLES, order=0))
register_nav(NavItem(_("People"), "accounts:people", MANAGER_ROLES, order=70, active_prefixes=("/staff/people",)))
register_nav(NavItem(_("Audit log"), "audit:log", ADMIN_ROLES, order=80))
register_nav(NavItem(_("Settings"), "tenant_settings", ADMIN_ROLES, order=85))
register_nav(NavItem(_("Admin"), "admin:index", MANAGER_ROLES, order=90, active_prefixes=("/admin/",)))


# --- Core home widgets ---------------------------------------------------------------------

from django.db.models import Count, Q  # noqa: E402

from prm.tenancy.portal import HomeWidget, register_home_widget  # noqa: E402
from prm.tenancy.roles import ALL_ROLES  # noqa: E402


def _recent_notifications(request):
    from prm.notifications.models import Notification

    notes = list(Notification.objects.filter(user=request.user)[:5])
    unread = sum(1 for n in notes if n.read_at is None)
    return {"notifications": notes, "unread": unread}


def _people_summary(request):
    from prm.accounts.models import Invitation
    from prm.tenancy.models import Membership

    counts = Membership.objects.filter(is_active=True).aggregate(
        staff=Count("pk", filter=Q(partner__isnull=True)), partner_users=Count("pk", filter=Q(partner__isnull=False))
    )
    return {**counts, "pending_invitations": Invitation.objects.pending().count()}


register_home_widget(HomeWidget("portal/widgets/people.html", _people_summary, MANAGER_ROLES, order=90))
register_home_widget(HomeWidget("portal/widgets/notifications.html", _recent_notifications, ALL_ROLES, order=95))
