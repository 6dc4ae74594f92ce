from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from partners import widgets
        from partners.forms import PartnerSettingsForm
        from partners.models import OnboardingStep
        from partners.selectors import book_of
        from partners.services.onboarding import onboarding_handle_event
        from prm.events.services import subscribe
        from prm.tenancy.app_settings import register_settings_section
        from prm.tenancy.portal import HomeWidget, NavItem, register_home_widget, register_nav
        from prm.tenancy.roles import PARTNER_ROLES, STAFF_ROLES
        from prm.tenancy.viewer import register_book

        register_settings_section("partners", _("Partner program"), PartnerSettingsForm, order=30)

        # Channel managers confined to their book see only its partners, in every app.
        register_book(book_of)

        from partners.tasks import tier_apply_due_task
        from prm.tenancy.jobs import Job, register_job

        register_job(Job("partners.downgrades", _("Tier downgrades"), tier_apply_due_task,
                         _("Applies the tier downgrades whose grace period has ended."), _("hourly"), order=30))

        # Onboarding steps complete themselves from the events other apps record.
        for kind in sorted(set(OnboardingStep.EVENT_KINDS.values())):
            subscribe(kind)(onboarding_handle_event)

        register_nav(NavItem(_("Profile"), "partners:profile", PARTNER_ROLES, order=60,
                             active_prefixes=("/partners/profile", "/partners/agreement", "/partners/tier",
                                              "/partners/onboarding")))
        register_nav(NavItem(_("Partners"), "partners:staff_list", STAFF_ROLES, order=10,
                             active_prefixes=("/partners/staff/partners", "/partners/staff/onboarding",
                                              "/partners/staff/imports")))
        register_nav(NavItem(_("Applications"), "partners:application_queue", STAFF_ROLES, order=15,
                             active_prefixes=("/partners/staff/applications",)))

        register_home_widget(HomeWidget("partners/widgets/onboarding.html", widgets.partner_onboarding,
                                        PARTNER_ROLES, order=5, wide=True))
        register_home_widget(HomeWidget("partners/widgets/program.html", widgets.partner_program,
                                        PARTNER_ROLES, order=10))
        register_home_widget(HomeWidget("partners/widgets/applications.html", widgets.staff_applications,
                                        STAFF_ROLES, order=10))
        register_home_widget(HomeWidget("partners/widgets/funnel.html", widgets.staff_onboarding,
                                        STAFF_ROLES, order=12))
        register_home_widget(HomeWidget("partners/widgets/stuck.html", widgets.staff_stuck,
                                        STAFF_ROLES, order=14))
