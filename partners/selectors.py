"""Reads about partners that other apps rely on."""

from __future__ import annotations

from django.utils.translation import gettext as _

from partners.models import Partner


def can_register_deals(partner: Partner) -> tuple[bool, str]:
    """Whether the organisation may register deals and claim incentives now, and why not.

    Gate used by deals and incentives: the partner must be active (agreement acceptance is
    added to this check by the partners app's agreement feature).
    """
    if partner.status != Partner.Status.ACTIVE:
        return False, _("Your organisation is not active in the program yet.")
    return True, ""
