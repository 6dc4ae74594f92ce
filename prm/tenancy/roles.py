from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARTNER_USER = "partner_user", _("Partner user")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    EXECUTIVE = "executive", _("Executive")
    TENANT_ADMIN = "tenant_admin", _("Tenant admin")


PARTNER_ROLES = frozenset({Role.PARTNER_USER, Role.PARTNER_ADMIN})
STAFF_ROLES = frozenset({Role.CHANNEL_MANAGER, Role.EXECUTIVE, Role.TENANT_ADMIN})
# Staff who may change data (executives are read-only).
MANAGER_ROLES = frozenset({Role.CHANNEL_MANAGER, Role.TENANT_ADMIN})
ADMIN_ROLES = frozenset({Role.TENANT_ADMIN})
ALL_ROLES = PARTNER_ROLES | STAFF_ROLES
