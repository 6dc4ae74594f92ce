from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self) -> None:
        from content import home  # noqa: F401  (navigation and home widgets)
        from content.metrics import active_certifications
        from partners import metrics

        metrics.register_metric_provider(metrics.ACTIVE_CERTIFICATIONS, active_certifications)
