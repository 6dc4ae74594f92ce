from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from incentives import widgets
        from incentives.services import handle_deal_event, handle_deal_registered
        from prm.events.services import subscribe
        from prm.tenancy.portal import HomeWidget, NavItem, register_home_widget, register_nav
        from prm.tenancy.roles import PARTNER_ROLES, STAFF_ROLES

        # SPIF accruals follow the deal's status. deals records deal_won and deal_lost; it has no
        # "reopened" kind today, so a won deal that changes status any other way is caught by the
        # nightly re-evaluation. "deal_reverted": a manager undid a win (deals.services.deal_revert_won).
        for kind in ("deal_won", "deal_lost", "deal_reverted"):
            subscribe(kind)(handle_deal_event)
        # A registration mentioning an MDF campaign code is attributed to that activity (ROI).
        subscribe("deal_registered")(handle_deal_registered)

        register_nav(NavItem(_("Incentives"), "incentives:home", PARTNER_ROLES, order=40,
                             active_prefixes=("/incentives/",)))
        register_nav(NavItem(_("Incentives"), "incentives:staff_home", STAFF_ROLES, order=40,
                             active_prefixes=("/incentives/",)))
        register_home_widget(HomeWidget("incentives/widgets/partner.html", widgets.partner_home, PARTNER_ROLES,
                                        order=25))
        register_home_widget(HomeWidget("incentives/widgets/staff.html", widgets.staff_home, STAFF_ROLES, order=25))

        from incentives.tasks import mdf_deadlines_tenant, spif_reevaluate_tenant
        from prm.tenancy.jobs import Job, register_job

        register_job(Job("incentives.spif", _("SPIF re-evaluation"), spif_reevaluate_tenant,
                         _("Accrues SPIF for won deals that have none yet and reverses accruals of deals no longer "
                           "won; a re-run changes nothing."), _("nightly, 03:10"), order=50))
        register_job(Job("incentives.mdf", _("MDF claim deadlines"), mdf_deadlines_tenant,
                         _("Reminds partners of claims due within a week and expires missed deadlines, releasing "
                           "the reserved funds."), _("daily, 07:00"), order=60))
