"""Posting to the ledger and reading balances from it. The only code that writes journal rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from incentives.models import Account, JournalEntry, JournalLine
from incentives.money import DECIMAL_PLACES, ZERO, quantize

DIMENSIONS = ("partner", "fund", "allocation", "mdf_request", "program", "accrual")


class LedgerError(ValueError):
    """A posting that would break double entry: a bug, never a user error."""


@dataclass(frozen=True)
class Leg:
    account: str
    currency: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    dims: dict = field(default_factory=dict)


def move(amount: Decimal, currency: str, *, debit: str, credit: str, **dims) -> list[Leg]:
    """Two legs moving `amount` from the `credit` account into the `debit` account."""
    return [Leg(debit, currency, debit=amount, dims=dims), Leg(credit, currency, credit=amount, dims=dims)]


def post(*, tenant, kind: str, legs: Iterable[Leg], memo: str = "", actor=None, obj=None,
         occurred_at=None) -> JournalEntry:
    """Write one balanced journal entry (caller holds the row locks and is inside transaction.atomic)."""
    legs = [leg for leg in legs]
    if len(legs) < 2:
        raise LedgerError("a journal entry needs at least two lines")
    per_currency: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for leg in legs:
        for amount in (leg.debit, leg.credit):
            if amount < 0 or amount != quantize(amount, leg.currency):
                raise LedgerError(f"{leg.account}: {amount} is not a valid {leg.currency} amount")
        if (leg.debit > 0) == (leg.credit > 0):
            raise LedgerError(f"{leg.account}: a line is either a debit or a credit, and not zero")
        if leg.account not in Account.values:
            raise LedgerError(f"unknown account {leg.account}")
        unknown = set(leg.dims) - set(DIMENSIONS)
        if unknown:
            raise LedgerError(f"unknown dimensions {unknown}")
        per_currency[leg.currency] += leg.debit - leg.credit
    unbalanced = {c: s for c, s in per_currency.items() if s != 0}
    if unbalanced:
        raise LedgerError(f"debits and credits differ: {unbalanced}")
    entry_kwargs = {"tenant": tenant, "kind": kind, "memo": memo[:300], "created_by": _user(actor)}
    if obj is not None:
        entry_kwargs.update(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if occurred_at is not None:
        entry_kwargs["occurred_at"] = occurred_at
    entry = JournalEntry(**entry_kwargs)
    entry.save(force_insert=True)
    JournalLine.objects.bulk_create([
        JournalLine(tenant=tenant, entry=entry, account=leg.account, currency=leg.currency, debit=leg.debit,
                    credit=leg.credit, **{f"{name}_id": _pk(value) for name, value in leg.dims.items()})
        for leg in legs
    ])
    return entry


def _pk(value):
    return getattr(value, "pk", value)


def _user(actor):
    return actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None


# --- Balances -----------------------------------------------------------------------------------

_NET = F("debit") - F("credit")
_MONEY = DecimalField(max_digits=20, decimal_places=3)
_PLACE = Decimal(1).scaleb(-DECIMAL_PLACES)


def _exact(total) -> Decimal:
    """A SUM as an exact Decimal. PostgreSQL returns exact numerics; SQLite sums computed
    expressions in floating point, so the result is rounded back to the columns' three decimals
    (exact for any realistic amount: every addend is a multiple of 0.001)."""
    return Decimal(str(total or 0)).quantize(_PLACE)


def net_sum(condition: Q | None = None):
    """SUM(debit − credit) of the lines matching `condition` (0 when there are none)."""
    return Coalesce(Sum(_NET, filter=condition, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def balances(**filters) -> dict[str, Decimal]:
    """Balance (debit − credit) per account of the lines matching `filters`: one query."""
    rows = (JournalLine.objects.filter(**filters).values("account").annotate(total=Sum(_NET, output_field=_MONEY))
            .order_by())
    result = {account: ZERO for account in Account.values}
    for row in rows:
        result[row["account"]] = _exact(row["total"])
    return result


def balance(account: str, **filters) -> Decimal:
    total = JournalLine.objects.filter(account=account, **filters).aggregate(total=net_sum())["total"]
    return _exact(total)


def grouped_balances(group_by: tuple[str, ...], **filters) -> dict[tuple, dict[str, Decimal]]:
    """{(dimension values…): {account: balance}} for every group: one query."""
    rows = (JournalLine.objects.filter(**filters).values(*group_by, "account")
            .annotate(total=Sum(_NET, output_field=_MONEY)).order_by())
    result: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in rows:
        key = tuple(row[g] for g in group_by)
        result[key][row["account"]] += _exact(row["total"])
    return result


def unbalanced_entries(tenant) -> list[int]:
    """Ids of entries whose lines do not balance per currency (should always be empty)."""
    rows = (JournalLine.objects.filter(tenant=tenant).values("entry_id", "currency")
            .annotate(total=Sum(_NET, output_field=_MONEY)).order_by())
    return sorted({row["entry_id"] for row in rows if _exact(row["total"]) != 0})
