"""One rule for MDF amounts everywhere: the fund's currency first, the partner's allocation currency
in parentheses where it differs (before, a partner saw 8,000.00 USD of a fund staff saw in EUR)."""

from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from incentives.templatetags.incentives import fund_money


def _allocation(currency, fund_currency, rate):
    return SimpleNamespace(currency=currency, rate=Decimal(rate), fund=SimpleNamespace(currency=fund_currency))


def test_an_allocation_in_another_currency_shows_the_fund_currency_first():
    with translation.override("en"):
        assert fund_money(Decimal("8000"), _allocation("USD", "EUR", "0.925926")) == "7,407.41 EUR (8,000.00 USD)"
        assert fund_money(Decimal("8000"), _allocation("EUR", "EUR", "1")) == "8,000.00 EUR"
        assert fund_money(None, _allocation("EUR", "EUR", "1")) == "—"
