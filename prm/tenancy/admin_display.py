"""Columns for the back office's change lists, the same in every app.

    list_display = ["customer_name", money_column(DealRegistration, "amount"), date_column(Deal, "submitted_at")]

- `money_column`: `12,500.00 USD` (amount and currency in one column, grouped, in the viewer's
  locale), right-aligned by static/css/admin.css, sortable by the amount. An app with its own money
  rules passes its formatter (incentives: `incentives.money.format_money`, the currency's minor unit).
- `date_column`: the local day of a date-time in the locale's short format, as the portal's tables
  show dates (`12/05/2026`, `05.12.2026`; the full moment in a tooltip): a change list needs the day,
  and "5. Dezember 2026, 12:43" takes a column's width twice over.

The cells carry the class `field-money_<name>` / `field-date_<name>` (Django names cells after the
column's function), which admin.css aligns and keeps on one line.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.contrib import admin
from django.db.models import Field, Model
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

MoneyFormatter = Callable[[Decimal, str], str]
# What list_display takes (django-stubs' type; a column may also return None, shown as the empty value).
Column = Callable[[Any], str | bool]

TWO_PLACES = Decimal("0.01")


def format_amount(amount: Decimal | int | float | str, currency: str) -> str:
    """`12,500.00 USD`: two decimals and grouping in the active locale (`12.500,00 USD` in German), as
    the portal's deal pages show an amount."""
    value = Decimal(str(amount)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    number = formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number} {currency}" if currency else number


def _follow(obj: Any, path: str) -> Any:
    """`obj.a.b` for the path "a__b" (None as soon as a step is None)."""
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _verbose_name(model: type[Model], name: str) -> Any:
    field = model._meta.get_field(name)
    return field.verbose_name if isinstance(field, Field) else name


def _column_name(prefix: str, name: str) -> str:
    return f"{prefix}_{name.replace('__', '_')}"


def money_column(model: type[Model], amount: str, currency: str = "currency", *, description: Any = None,
                 ordering: str | None = None, formatter: MoneyFormatter | None = None) -> Column:
    """A change-list column showing `amount` with its currency (`currency`: a field, or a path such as
    "fund__currency" through foreign keys the change list selects with the rows). Empty amounts show
    the admin's empty value. `description` defaults to the amount field's verbose name; a computed
    amount (an annotation) passes it, and `ordering` when it is not a field of the model."""
    fmt = formatter or format_amount

    def column(obj: Any) -> SafeString | None:
        value = _follow(obj, amount)
        if value is None or value == "":
            return None
        return format_html('<span class="money">{}</span>', fmt(value, _follow(obj, currency) or ""))

    column.__name__ = column.__qualname__ = _column_name("money", amount)
    return cast(Column, admin.display(description=description if description is not None
                                      else _verbose_name(model, amount), ordering=ordering or amount)(column))


def date_column(model: type[Model], field: str, *, description: Any = None) -> Column:
    """A change-list column showing the local day of a date-time (or a date) field, short."""

    def column(obj: Any) -> SafeString | None:
        value = getattr(obj, field)
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return format_html('<time datetime="{}" title="{}">{}</time>', local.isoformat(),
                               formats.localize(local), formats.date_format(local.date(), "SHORT_DATE_FORMAT"))
        return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), formats.date_format(value),
                           formats.date_format(value, "SHORT_DATE_FORMAT"))

    column.__name__ = column.__qualname__ = _column_name("date", field)
    return cast(Column, admin.display(description=description if description is not None
                                      else _verbose_name(model, field), ordering=field)(column))
