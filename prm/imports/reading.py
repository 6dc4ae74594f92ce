"""Reading an uploaded CSV file: streaming, decoding, delimiter, header, formula-looking cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import IO, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from prm.csv_safe import restore

T = TypeVar("T")

# A cell starting with one of these is a formula to a spreadsheet program (=HYPERLINK(...), +cmd,
# @SUM, -2+3): an import refuses it in the columns that name something (see Importer.formula_columns).
FORMULA_PREFIXES = ("=", "+", "@", "-")
DELIMITERS = (",", ";", "\t")

Row = tuple[int, dict[str, str]]


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_PREFIXES)


def clean_cell(value: str) -> str:
    """Strip a cell, and undo prm.csv_safe's formula guard (a ' before = + - @ at the start or after
    a separator) so that re-importing an export gives back the original value instead of growing quotes."""
    return restore(value.strip())


def normalise_header(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """"Contact Email" → "contact_email", then an alias ("email") → its column."""
    key = (name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return (aliases or {}).get(key, key)


def sniff_delimiter(header_line: str) -> str:
    """The separator the header line uses most: comma, or semicolon (spreadsheet exports in many
    locales), or tab. Ties go to the comma."""
    best = max(DELIMITERS, key=header_line.count)
    return best if header_line.count(best) > header_line.count(",") else ","


@contextmanager
def read_csv(binary: IO[bytes], aliases: Mapping[str, str] | None = None
             ) -> Iterator[tuple[list[str], Iterator[Row]]]:
    """Yield (normalised header, iterator of (row number, {column: value})), streaming a binary file.

    UTF-8 with or without a byte-order mark. Row numbers are spreadsheet line numbers (the header is
    row 1); blank lines are skipped, missing trailing cells are empty. The text wrapper is detached
    afterwards so the underlying file stays open for its owner. Decoding errors surface as
    UnicodeDecodeError and malformed CSV as csv.Error while iterating.
    """
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        delimiter = sniff_delimiter(first)
        header = [normalise_header(h, aliases) for h in next(csv.reader([first], delimiter=delimiter), [])]
        reader = csv.reader(text, delimiter=delimiter)

        def rows() -> Iterator[Row]:
            for number, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue  # blank line
                yield number, {col: (clean_cell(cells[i]) if i < len(cells) else "") for i, col in enumerate(header)
                               if col}

        yield header, rows()
    finally:
        text.detach()


def check_header(header: Sequence[str], columns: Sequence[str], required: Sequence[str]) -> list[str]:
    """The unknown columns (ignored); raises ValidationError for missing required ones."""
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(_("The file is missing the column(s): %(cols)s. The first line must name the columns, e.g. %(example)s.") % {
            "cols": ", ".join(missing), "example": ",".join(columns)})
    return [c for c in header if c and c not in columns]


def batches(iterable: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items, consuming the iterable lazily."""
    iterator = iter(iterable)
    while True:
        batch = list(islice(iterator, max(1, size)))
        if not batch:
            return
        yield batch
