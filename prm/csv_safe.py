"""CSV export that spreadsheet programs cannot be tricked by (formula injection)."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def neutralise(value) -> str:
    """Prefix cells a spreadsheet would evaluate (=HYPERLINK(...), +cmd, @SUM...) with a quote."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START):
        # Plain negative numbers stay numbers.
        if text[0] == "-" and text[1:].replace(".", "", 1).isdigit():
            return text
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_rows(header: list[str], rows: Iterable[Iterable], tenant=None) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM so spreadsheet programs read UTF-8
    yield writer.writerow([neutralise(h) for h in header])
    # The response streams after the view (and its tenant scope) has returned: re-enter the scope
    # so lazy querysets in `rows` stay confined to the tenant.
    if tenant is not None:
        from prm.tenancy.scoping import tenant_scope

        with tenant_scope(tenant):
            for row in rows:
                yield writer.writerow([neutralise(v) for v in row])
    else:
        for row in rows:
            yield writer.writerow([neutralise(v) for v in row])


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable], *, tenant=None) -> StreamingHttpResponse:
    """Stream a CSV download; pass `tenant=request.tenant` when `rows` queries lazily."""
    response = StreamingHttpResponse(csv_rows(header, rows, tenant), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
