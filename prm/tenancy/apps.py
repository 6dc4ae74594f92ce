from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "prm.tenancy"
    label = "tenancy"
    verbose_name = _("Tenancy")

    def ready(self) -> None:
        from prm.tenancy import app_settings, home, sessions  # noqa: F401  (apps' settings rows; core navigation; session binding on sign-in)
