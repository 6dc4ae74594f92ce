from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        from content import home  # noqa: F401  (navigation and home widgets)
        from content.metrics import active_certifications
        from content.models import Asset, Course
        from content.selectors.training import partner_certifications
        from partners import metrics
        from partners.models import OnboardingStep
        from partners.step_targets import register_step_target

        metrics.register_metric_provider(metrics.ACTIVE_CERTIFICATIONS, active_certifications)
        metrics.register_certification_list(partner_certifications)

        from content.tasks import certifications_process
        from prm.tenancy.jobs import Job, register_job

        register_job(Job("content.certifications", _("Certification expiry"), certifications_process,
                         _("Marks expired certifications and reminds holders 30 days ahead."), _("daily, 06:30"),
                         order=40))
        # Onboarding steps may name one course or asset (offered and checked in the back office).
        register_step_target(OnboardingStep.Kind.COMPLETE_COURSE, Course)
        register_step_target(OnboardingStep.Kind.DOWNLOAD_ASSET, Asset)
