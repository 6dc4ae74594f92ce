"""Template helpers for deal pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

# status -> pill style (approved deals read "Protected": what the status means to a partner)
PILL_CLASSES = {"approved": "pill pill-ok", "won": "pill pill-ok", "rejected": "pill pill-bad", "lost": "pill pill-bad",
                "info_requested": "pill pill-warn", "expired": "pill"}


@register.simple_tag
def deal_status(deal) -> str:
    """The status pill of a deal (a tag rather than an include: lists show one per row)."""
    # Status(...).label rather than get_status_display(), which rebuilds a dict of every choice
    # (translating each label) on each call: measurable with one pill per row.
    label = _("Protected") if deal.status == "approved" else deal.Status(deal.status).label
    return format_html('<span class="{}">{}</span>', PILL_CLASSES.get(deal.status, "pill pill-warn"), label)
