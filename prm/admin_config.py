from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Makes `admin.site` the tenant-aware PortalAdminSite (prm.tenancy.admin)."""

    default_site = "prm.tenancy.admin_site.PortalAdminSite"
