"""Money: exact Decimals quantised to each currency's minor unit, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ZERO = Decimal("0")
# ISO 4217 currencies whose minor unit is not the cent (everything else has two decimals).
MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
    "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}
# Database columns keep three decimals so every currency above fits exactly.
MAX_DIGITS = 18
DECIMAL_PLACES = 3
RATE_PLACES = 8
MAX_AMOUNT = Decimal("1000000000")


def minor_unit(currency: str) -> int:
    return MINOR_UNITS.get((currency or "").upper(), 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit (the one rounding rule used everywhere)."""
    return Decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    return quantize(Decimal(amount) * Decimal(percent) / Decimal(100), currency)


def convert(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """`amount` times `rate`, quantised to the target currency."""
    return quantize(Decimal(amount) * Decimal(rate), currency)


def clean_amount(value, currency: str, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive amount with no more decimals than the currency has; ValidationError otherwise.

    Refuses rather than rounds: a partner who types 10.005 EUR should learn that cents are the limit.
    """
    if value in (None, ""):
        raise ValidationError({field: _("Enter an amount.")})
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("Enter an amount greater than zero.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("That amount is too large.")})
    if amount != quantize(amount, currency):
        places = minor_unit(currency)
        raise ValidationError({field: _("%(currency)s amounts have at most %(places)d decimal places.")
                               % {"currency": currency, "places": places}})
    return quantize(amount, currency)


def format_money(amount: Decimal | None, currency: str) -> str:
    """`1,234.50 EUR` in the active locale, with the currency's own number of decimals."""
    from django.utils import formats

    if amount is None:
        return "—"
    places = minor_unit(currency)
    value = quantize(amount, currency)
    return f"{formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)} {currency}"


def format_percent(value: Decimal | None) -> str:
    """2.500 → 2.5, 10.000 → 10 (never 1E+1)."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
