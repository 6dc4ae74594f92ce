from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from leads import metrics as lead_metrics
        from leads.forms import LeadSettingsForm
        from leads.services import outcomes
        from leads.tasks import sweep_tenant
        from partners import metrics
        from prm.events.services import subscribe
        from prm.tenancy.app_settings import register_settings_section
        from prm.tenancy.jobs import Job, register_job

        register_settings_section("leads", _("Leads"), LeadSettingsForm, order=25)

        from leads import widgets
        from prm.tenancy.portal import HomeWidget, NavItem, register_home_widget, register_nav
        from prm.tenancy.roles import PARTNER_ROLES, STAFF_ROLES

        register_nav(NavItem(_("Leads"), "leads:list", PARTNER_ROLES, order=32, active_prefixes=("/leads/",)))
        register_nav(NavItem(_("Leads"), "leads:list", STAFF_ROLES, order=32, active_prefixes=("/leads/",)))
        register_home_widget(HomeWidget("leads/widgets/partner.html", widgets.partner_home, PARTNER_ROLES, order=22))
        register_home_widget(HomeWidget("leads/widgets/staff.html", widgets.staff_home, STAFF_ROLES, order=22))
        metrics.register_metric_provider(lead_metrics.LEAD_ACCEPT_RATE_90D, lead_metrics.accept_rate)
        metrics.register_metric_provider(lead_metrics.LEADS_WON_12M, lead_metrics.leads_won)
        subscribe("deal_won")(outcomes.on_deal_won)
        subscribe("deal_lost")(outcomes.on_deal_lost)
        subscribe("deal_reverted")(outcomes.on_deal_reverted)
        register_job(Job("leads.sweep", _("Lead accept windows"), sweep_tenant,
                         _("Reminds partners four hours before a lead's accept deadline, and moves leads whose "
                           "deadline passed to the next partner (or back to their owner)."), _("every 5 minutes"),
                         order=15))
