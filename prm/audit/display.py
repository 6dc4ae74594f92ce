"""Recorded changes (audit entries, deal history) as sentences a person reads, not Python data.

`describe_changes({"from": "executive", "to": "channel_manager"})` → [("Role", "executive → channel manager")].
A change kind that needs more than this (a list of look-alike registrations) is rendered by its
app, which passes the remaining keys here.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Labels of keys that recur across apps; others are the key in words ("protected_until" → "Protected until").
LABELS = {
    "from": gettext_lazy("From"), "to": gettext_lazy("To"), "role": gettext_lazy("Role"),
    "reason": gettext_lazy("Reason"), "amount": gettext_lazy("Amount"), "currency": gettext_lazy("Currency"),
    "email": gettext_lazy("Email"), "message": gettext_lazy("Change"), "changed": gettext_lazy("Changed"),
    "days": gettext_lazy("Days"), "protected_until": gettext_lazy("Protected until"),
    "closed_on": gettext_lazy("Closed on"), "customer": gettext_lazy("Customer"), "domain": gettext_lazy("Domain"),
    "products": gettext_lazy("Products"), "kind": gettext_lazy("Kind"), "is_active": gettext_lazy("Active"),
    "auto": gettext_lazy("Automatic"), "invite": gettext_lazy("Invited"), "status": gettext_lazy("Status"),
}
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def label(key: str) -> str:
    return str(LABELS.get(key) or capfirst(key.replace("_", " ")))


def value_text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        if _DECIMAL.match(value):
            number = Decimal(value)
            return formats.number_format(number, decimal_pos=2 if number == number.quantize(Decimal("0.01")) else None,
                                         use_l10n=True, force_grouping=True)
        if _ISO_DATE.match(value):
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        if _ISO_DATETIME.match(value):
            try:
                return formats.date_format(datetime.datetime.fromisoformat(value), "SHORT_DATETIME_FORMAT")
            except ValueError:
                return value
        return value.replace("_", " ") if re.fullmatch(r"[a-z]+(_[a-z]+)+", value) else value
    if isinstance(value, int | float):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return ", ".join(value_text(v) for v in value) or "—"
        return _("%(n)d entries") % {"n": len(value)}
    if isinstance(value, dict):
        if set(value) <= {"from", "to"}:
            return f"{value_text(value.get('from'))} → {value_text(value.get('to'))}"
        return "; ".join(f"{label(k)}: {value_text(v)}" for k, v in value.items())
    return str(value)


def describe_changes(changes) -> list[tuple[str, str]]:
    """(label, text) lines for a changes dict; a plain value becomes one line."""
    if not changes:
        return []
    if not isinstance(changes, dict):
        return [("", value_text(changes))]
    if set(changes) <= {"from", "to"}:
        return [(_("Change"), value_text(changes))]
    before, after = changes.get("before"), changes.get("after")
    lines = []
    if isinstance(before, dict):
        for key in changes.get("changed") or sorted(set(before) | set(after or {})):
            new = (after or {}).get(key, "")
            lines.append((label(key), f"{value_text(before.get(key))} → {value_text(new)}" if after else
                          value_text(before.get(key))))
    for key, value in changes.items():
        if key in ("before", "after") or (key == "changed" and isinstance(before, dict)):
            continue
        lines.append((label(key), value_text(value)))
    return lines


def raw_json(changes) -> str:
    return json.dumps(changes, indent=2, ensure_ascii=False, sort_keys=True, default=str)
