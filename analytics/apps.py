from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from analytics import widgets
        from analytics.services.tier_eval import health_score_provider
        from partners import metrics
        from prm.tenancy.portal import HomeWidget, NavItem, register_home_widget, register_nav
        from prm.tenancy.roles import PARTNER_ROLES, STAFF_ROLES

        # Tier requirements may include a minimum health score: we are its provider.
        metrics.register_metric_provider(metrics.HEALTH_SCORE, health_score_provider)

        register_nav(NavItem(_("Analytics"), "analytics:dashboard", STAFF_ROLES, order=5,
                             active_prefixes=("/analytics/dashboard", "/analytics/tiers", "/analytics/operations",
                                              "/analytics/settings"), program_wide=True))
        register_nav(NavItem(_("My partners"), "analytics:my_partners", STAFF_ROLES, order=8,
                             active_prefixes=("/analytics/partners",)))
        register_nav(NavItem(_("Scorecard"), "analytics:scorecard", PARTNER_ROLES, order=55,
                             active_prefixes=("/analytics/scorecard",)))
        register_home_widget(HomeWidget("analytics/widgets/headline.html", widgets.staff_headline, STAFF_ROLES,
                                        order=1, wide=True))
        register_home_widget(HomeWidget("analytics/widgets/scorecard.html", widgets.partner_scorecard, PARTNER_ROLES,
                                        order=15))

        from django.utils import timezone

        from analytics.tasks import health_tenant_task
        from prm.tenancy.jobs import Job, register_job

        register_job(Job("analytics.health", _("Partner health scores"), health_tenant_task,
                         _("Scores every partner, estimates churn risk, evaluates tiers and suggests next steps; "
                           "run now, it covers today so far."), _("nightly, 01:30"), order=5,
                         args=lambda: (timezone.localdate().isoformat(), "manual")))
