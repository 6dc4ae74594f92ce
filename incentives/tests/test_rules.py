"""SPIF rules and money arithmetic: exact Decimals, rounded half up to the currency's minor unit."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from incentives.models import SpifBand, SpifProgram
from incentives.money import clean_amount, convert, percent_of, quantize
from incentives.services import calculate


def program(rule, **kwargs) -> SpifProgram:
    return SpifProgram(rule=rule, currency=kwargs.pop("currency", "USD"), **kwargs)


BANDS = [SpifBand(min_amount=Decimal("0"), amount=Decimal("100.00"), percent=Decimal("0")),
         SpifBand(min_amount=Decimal("10000.00"), amount=Decimal("250.00"), percent=Decimal("1.5")),
         SpifBand(min_amount=Decimal("50000.00"), amount=Decimal("0"), percent=Decimal("3.125"))]


def test_percentage_rule_rounds_half_up_to_the_cent():
    p = program("percent", percent=Decimal("2.5"))
    assert calculate(p, [], Decimal("12345.67")) == Decimal("308.64")   # 308.64175
    assert calculate(p, [], Decimal("0.20")) == Decimal("0.01")          # 0.005 rounds up
    assert calculate(p, [], Decimal("99999999.99")) == Decimal("2500000.00")


def test_percentage_rule_is_exact_where_floats_are_not():
    p = program("percent", percent=Decimal("10"))
    # 0.1 + 0.2 style: the float answer would be 0.30000000000000004 × …
    assert calculate(p, [], Decimal("3.30")) == Decimal("0.33")
    assert str(calculate(p, [], Decimal("1005.05"))) == "100.51"         # 100.505 half up


def test_band_rule_uses_the_highest_band_reached():
    p = program("bands")
    assert calculate(p, BANDS, Decimal("9999.99")) == Decimal("100.00")
    assert calculate(p, BANDS, Decimal("10000.00")) == Decimal("400.00")   # 250 + 1.5% of 10000
    assert calculate(p, BANDS, Decimal("33333.33")) == Decimal("750.00")   # 250 + 499.99995 → 500.00
    assert calculate(p, BANDS, Decimal("50000.00")) == Decimal("1562.50")  # 3.125% of 50000
    assert calculate(p, BANDS, Decimal("64321.09")) == Decimal("2010.03")  # 2010.034…


def test_band_rule_below_every_band_earns_nothing():
    p = program("bands")
    bands = [SpifBand(min_amount=Decimal("5000"), amount=Decimal("50"), percent=Decimal("0"))]
    assert calculate(p, bands, Decimal("4999.99")) == Decimal("0.00")


def test_flat_rule_needs_no_deal_value_but_value_rules_wait_for_one():
    assert calculate(program("flat", flat_amount=Decimal("500")), [], None) == Decimal("500.00")
    assert calculate(program("percent", percent=Decimal("5")), [], None) is None
    assert calculate(program("bands"), BANDS, None) is None


def test_amounts_follow_each_currencys_minor_unit():
    assert quantize(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert quantize(Decimal("1.0005"), "BHD") == Decimal("1.001")
    assert percent_of(Decimal("1001"), Decimal("2.5"), "JPY") == Decimal("25")      # 25.025
    assert convert(Decimal("100.00"), Decimal("1.08345678"), "USD") == Decimal("108.35")
    assert calculate(program("percent", percent=Decimal("1"), currency="JPY"), [], Decimal("150050")) == Decimal("1501")


@pytest.mark.parametrize("value, message", [
    ("-5", "greater than zero"), ("0", "greater than zero"), ("", "Enter an amount"), ("abc", "Enter a number"),
    ("10.005", "at most 2 decimal places"), ("NaN", "Enter a number"), ("Infinity", "Enter a number"),
    ("1000000001", "too large"),
])
def test_bad_amounts_are_refused_with_a_clear_message(value, message):
    with pytest.raises(ValidationError) as exc:
        clean_amount(value, "EUR")
    assert message in " ".join(exc.value.messages)


def test_whole_currency_refuses_decimals():
    with pytest.raises(ValidationError):
        clean_amount("100.50", "JPY")
    assert clean_amount("100", "JPY") == Decimal("100")
