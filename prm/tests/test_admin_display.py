"""The back office's shared change-list columns (prm.tenancy.admin_display): money and dates.

How the apps' change lists use them is tested with their admins (deals, incentives, partners)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone, translation

from prm.tenancy.admin_display import date_column, format_amount, money_column
from prm.tenancy.models import Tenant


def _money(**kwargs):
    return money_column(Tenant, "amount", description="Amount", **kwargs)


def test_a_money_column_shows_amount_and_currency_grouped_in_the_viewers_locale():
    column = _money()
    row = SimpleNamespace(amount=Decimal("12500"), currency="USD")
    with translation.override("en"):
        assert column(row) == '<span class="money">12,500.00 USD</span>'
    with translation.override("de"):
        assert column(row) == '<span class="money">12.500,00 USD</span>'
    with translation.override("en"):
        assert column(SimpleNamespace(amount=Decimal("0.005"), currency="EUR")) == '<span class="money">0.01 EUR</span>'
        assert column(SimpleNamespace(amount=Decimal("-1234567.8"), currency="EUR")) == (
            '<span class="money">-1,234,567.80 EUR</span>')


def test_a_money_column_is_named_for_the_stylesheet_and_sorts_by_the_amount():
    column = _money()
    assert column.__name__ == "money_amount"  # the cells' class: field-money_amount (right-aligned by admin.css)
    assert column.short_description == "Amount"
    assert column.admin_order_field == "amount"
    total = money_column(Tenant, "total", description="Total", ordering="total_sort")
    assert total.admin_order_field == "total_sort"


def test_an_empty_amount_shows_the_admins_empty_value():
    assert _money()(SimpleNamespace(amount=None, currency="USD")) is None


def test_the_currency_may_come_from_a_related_object_and_the_app_may_bring_its_own_formatter():
    row = SimpleNamespace(fund_amount=Decimal("7407.41"), fund=SimpleNamespace(currency="EUR"))
    column = money_column(Tenant, "fund_amount", "fund__currency", description="In the fund currency")
    with translation.override("en"):
        assert column(row) == '<span class="money">7,407.41 EUR</span>'
    assert column(SimpleNamespace(fund_amount=Decimal("1"), fund=None)) == '<span class="money">1.00</span>'
    yen = money_column(Tenant, "amount", description="Amount", formatter=lambda amount, currency: f"{amount:.0f} {currency}")
    assert yen(SimpleNamespace(amount=Decimal("1250"), currency="JPY")) == '<span class="money">1250 JPY</span>'


def test_the_default_description_is_the_fields_verbose_name():
    assert money_column(Tenant, "base_currency").short_description == Tenant._meta.get_field("base_currency").verbose_name


def test_format_amount_is_plain_text_for_other_uses():
    with translation.override("en"):
        assert format_amount(Decimal("12500"), "USD") == "12,500.00 USD"
        assert format_amount(Decimal("3"), "") == "3.00"


def test_a_date_column_shows_the_local_day_of_a_moment_short_with_the_moment_in_a_tooltip():
    column = date_column(Tenant, "created_at")
    assert column.__name__ == "date_created_at" and column.admin_order_field == "created_at"
    moment = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)
    with translation.override("en"), timezone.override("Europe/Berlin"):
        html = column(SimpleNamespace(created_at=moment))
    assert ">12/06/2026</time>" in html  # already the 6th in Berlin
    assert 'datetime="2026-12-06T00:30:00+01:00"' in html and 'title="Dec. 6, 2026, 12:30 a.m."' in html
    assert column(SimpleNamespace(created_at=None)) is None
    day = date_column(Tenant, "created_at", description="Day")
    with translation.override("de"):
        assert day(SimpleNamespace(created_at=datetime.date(2026, 3, 1))) == (
            '<time datetime="2026-03-01" title="1. März 2026">01.03.2026</time>')
