"""Fixed vocabularies shared by applications, partner profiles, the ideal profile and imports."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

REGIONS = [
    ("NA", _("North America")),
    ("LATAM", _("Latin America")),
    ("EMEA", _("Europe, Middle East and Africa")),
    ("APAC", _("Asia-Pacific")),
]
REGION_CODES = frozenset(code for code, _label in REGIONS)

REVENUE_BANDS = [
    ("lt1m", _("Under 1 million")),
    ("1m-10m", _("1 to 10 million")),
    ("10m-50m", _("10 to 50 million")),
    ("50m-250m", _("50 to 250 million")),
    ("gt250m", _("Over 250 million")),
]
REVENUE_BAND_CODES = frozenset(code for code, _label in REVENUE_BANDS)

MAX_SPECIALTIES = 12
MAX_SPECIALTY_LENGTH = 40


def region_label(code: str) -> str:
    return str(dict(REGIONS).get(code, code))


def revenue_band_label(code: str) -> str:
    return str(dict(REVENUE_BANDS).get(code, code))


def split_list(value: str | Iterable[str]) -> list[str]:
    """'Cloud, Security; cloud' -> ['Cloud', 'Security', 'cloud'] (commas or semicolons)."""
    if isinstance(value, str):
        items = re.split(r"[;,\n]", value)
    else:
        items = list(value)
    return [item.strip() for item in items if item and item.strip()]


def normalise_specialties(value: str | Iterable[str]) -> list[str]:
    """Lower-case, de-duplicated specialties in their given order (matching is case-insensitive)."""
    seen: list[str] = []
    for item in split_list(value):
        item = re.sub(r"\s+", " ", item.lower())
        if item not in seen:
            seen.append(item)
    return seen


def region_lookup() -> dict[str, str]:
    """{lower-cased code or label in the active language: code}."""
    lookup = {str(label).lower(): code for code, label in REGIONS}
    lookup.update({code.lower(): code for code in REGION_CODES})
    return lookup


def parse_regions(value: str | Iterable[str], lookup: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(known region codes, unknown values). Accepts codes or labels, any case."""
    by_label = lookup if lookup is not None else region_lookup()
    known: list[str] = []
    unknown: list[str] = []
    for item in split_list(value):
        code = by_label.get(item.lower())
        if code is None:
            unknown.append(item)
        elif code not in known:
            known.append(code)
    return known, unknown
