from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from incentives.services import handle_deal_event, handle_deal_registered
        from prm.events.services import subscribe

        # SPIF accruals follow the deal's status. deals records deal_won and deal_lost; it has no
        # "reopened" kind today, so a won deal that changes status any other way is caught by the
        # nightly re-evaluation. "deal_reverted" is subscribed for when deals starts recording it.
        for kind in ("deal_won", "deal_lost", "deal_reverted"):
            subscribe(kind)(handle_deal_event)
        # A registration mentioning an MDF campaign code is attributed to that activity (ROI).
        subscribe("deal_registered")(handle_deal_registered)
