"""Small display helpers for the analytics templates."""

from __future__ import annotations

import json
from decimal import Decimal

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.formats import number_format

register = template.Library()


@register.filter
def width_class(value) -> str:
    """A 0–100 value as one of the w-0 … w-100 classes (bars without inline styles)."""
    try:
        tens = int(round(max(0.0, min(100.0, float(value or 0))) / 10.0)) * 10
    except (TypeError, ValueError):
        tens = 0
    return f"w-{tens}"


@register.filter
def money(value, decimals: int = 0) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return number_format(amount, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{number_format(value, decimal_pos=1 if float(value) % 1 else 0, use_l10n=True)} %"


@register.filter
def times100(value):
    return None if value is None else round(float(value) * 100)


@register.filter
def risk_class(value) -> str:
    if value is None:
        return ""
    return "risk-high" if value >= 0.6 else ("risk-mid" if value >= 0.35 else "")


@register.filter
def chart_json(value) -> str:
    """A chart (analytics.charts) as JSON for a data attribute; the template's autoescaping quotes it."""
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
