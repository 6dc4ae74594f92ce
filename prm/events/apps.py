from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "prm.events"
    label = "events"
    verbose_name = _("Engagement events")

    def ready(self) -> None:
        from prm.events import signals  # noqa: F401
