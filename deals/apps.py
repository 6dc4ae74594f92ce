from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deals")

    def ready(self) -> None:
        from deals import widgets
        from deals.forms import DealSettingsForm
        from deals.services import won_revenue
        from partners import metrics
        from prm.tenancy.app_settings import register_settings_section
        from prm.tenancy.portal import HomeWidget, NavItem, register_home_widget, register_nav
        from prm.tenancy.roles import MANAGER_ROLES, PARTNER_ROLES, STAFF_ROLES

        register_settings_section("deals", _("Deal registration"), DealSettingsForm, order=20)

        register_nav(NavItem(_("Deals"), "deals:list", PARTNER_ROLES, order=30, active_prefixes=("/deals/",)))
        register_nav(NavItem(_("Deals"), "deals:list", STAFF_ROLES, order=30, active_prefixes=("/deals/",)))
        register_nav(NavItem(_("Review queue"), "deals:queue", MANAGER_ROLES, order=31,
                             active_prefixes=("/deals/review",)))
        register_home_widget(HomeWidget("deals/widgets/partner.html", widgets.partner_home, PARTNER_ROLES, order=20))
        register_home_widget(HomeWidget("deals/widgets/staff.html", widgets.staff_home, STAFF_ROLES, order=20))
        metrics.register_metric_provider(metrics.WON_REVENUE_12M, won_revenue)

        from deals.tasks import protection_nightly_tenant, sla_sweep_tenant
        from prm.tenancy.jobs import Job, register_job

        register_job(Job("deals.sla", _("Review deadlines"), sla_sweep_tenant,
                         _("Escalates registrations past the review deadline to the tenant admins, and approves "
                           "unconflicted ones where the program says so."), _("every 15 minutes"), order=10))
        register_job(Job("deals.protection", _("Deal protection"), protection_nightly_tenant,
                         _("Ends protections that ran out and warns partners 14 days ahead."), _("nightly, 02:15"),
                         order=20))
