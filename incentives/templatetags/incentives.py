"""Template helpers for money: `{{ amount|money:currency }}` → `1,234.50 EUR` in the active locale."""

from __future__ import annotations

from django import template

from incentives.money import convert, format_money, format_percent, minor_unit

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    if amount is None or amount == "":
        return "—"
    return format_money(amount, currency)


@register.filter
def fund_money(amount, allocation) -> str:
    """An allocation's amount the one way everyone sees it: in the fund's currency, and where the
    partner's allocation is in another currency, that amount in parentheses (at the allocation's
    fixed rate): `7,407.41 EUR (8,000.00 USD)`."""
    if amount is None or amount == "":
        return "—"
    fund_currency = allocation.fund.currency
    if allocation.currency == fund_currency:
        return format_money(amount, fund_currency)
    return f"{in_fund_currency(amount, allocation)} ({format_money(amount, allocation.currency)})"


@register.filter
def in_fund_currency(amount, allocation) -> str:
    """The fund-currency part of `fund_money` alone (for a headline figure; the partner's amount
    then goes on a line of its own)."""
    if amount is None or amount == "":
        return "—"
    if allocation.currency == allocation.fund.currency:
        return format_money(amount, allocation.currency)
    return format_money(convert(amount, allocation.rate, allocation.fund.currency), allocation.fund.currency)


@register.filter
def amount_input(amount, currency: str = "") -> str:
    """A value for an <input type=number>: plain digits with the currency's decimals, no grouping."""
    if amount is None:
        return ""
    places = minor_unit(currency)
    return f"{amount:.{places}f}"


@register.simple_tag
def step_for(currency: str) -> str:
    """The `step` of an amount input: 0.01 for cents, 1 for yen, 0.001 for dinars."""
    places = minor_unit(currency)
    return "1" if places == 0 else "0." + "0" * (places - 1) + "1"


STATUS_STYLES = {
    "accrued": "pill-warn", "approved": "pill-ok", "paid": "pill-ok", "reversed": "pill-bad", "rejected": "pill-bad",
    "capped": "", "submitted": "pill-warn", "cancelled": "", "claimed": "pill-warn", "closed": "pill-ok",
    "expired": "pill-bad", "reimbursed": "pill-ok",
}


@register.inclusion_tag("incentives/_status.html")
def status_pill(obj):
    return {"label": obj.get_status_display(), "style": STATUS_STYLES.get(obj.status, "")}



@register.filter
def pct(value) -> str:
    """A percentage without trailing zeros: 2.500 → 2.5, 10.000 → 10."""
    return format_percent(value)
