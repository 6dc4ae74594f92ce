"""CSV export that spreadsheet programs cannot be tricked by (formula injection)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.http import StreamingHttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
# Cell separators of the common spreadsheet locales (comma, semicolon in German Excel, tab) and
# line breaks: a program that splits a line on any of them starts a new cell after it.
_SEPARATOR_THEN_FORMULA = re.compile(r"([,;\t\r\n]\s*)(?=[=+\-@])")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def neutralise(value) -> str:
    """A cell no spreadsheet evaluates: a formula prefix (=HYPERLINK(...), +cmd, @SUM, -2+3) at the
    start, or right after a separator of any common locale, gets a leading quote. Plain numbers
    (also negative ones) stay numbers."""
    if value is None:
        return ""
    text = str(value)
    if _NUMBER.match(text):
        return text
    text = _SEPARATOR_THEN_FORMULA.sub(r"\1'", text)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


_GUARD = re.compile(r"(^|[,;\t\r\n]\s*)'(?=[=+\-@])")


def restore(text: str) -> str:
    """The value `neutralise` was given (for re-importing an export of ours)."""
    return _GUARD.sub(r"\1", text)


def needs_quotes(text: str) -> bool:
    return any(c in text for c in ',;\t\r\n"')


def _row(values) -> str:
    cells = []
    for value in values:
        text = neutralise(value)
        cells.append('"' + text.replace('"', '""') + '"' if needs_quotes(text) else text)
    return ",".join(cells) + "\r\n"


def csv_rows(header: list[str], rows: Iterable[Iterable], tenant=None) -> Iterable[str]:
    yield "\ufeff"  # BOM so spreadsheet programs read UTF-8
    yield _row(header)
    # The response streams after the view (and its tenant scope) has returned: re-enter the scope
    # so lazy querysets in `rows` stay confined to the tenant.
    if tenant is not None:
        from prm.tenancy.scoping import tenant_scope

        with tenant_scope(tenant):
            for row in rows:
                yield _row(row)
    else:
        for row in rows:
            yield _row(row)


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable], *, tenant=None) -> StreamingHttpResponse:
    """Stream a CSV download; pass `tenant=request.tenant` when `rows` queries lazily."""
    response = StreamingHttpResponse(csv_rows(header, rows, tenant), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
