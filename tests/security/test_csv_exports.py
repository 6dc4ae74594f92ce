"""CSV exports cannot smuggle a formula into a spreadsheet, whichever separator it splits on.

A table of hostile cells goes through the writer, then through every export of the demo portal
(partners, deals, incentives, analytics) as the partners' names; each file is read back with
Python's csv module under the comma and the semicolon dialect (German Excel), and no cell may
start with a character a spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import io

import pytest
from django_scopes import scopes_disabled

from prm.csv_safe import csv_rows, neutralise, restore
from tests.security.world import rolled_back

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    ";=cmd|' /C calc'!A0",
    "Contoso;=cmd|' /C calc'!A0",
    "Contoso, =1+1",
    "Contoso\t=1+1",
    "Contoso;\t@SUM(1)",
    "\t=tabbed",
    "line\n=break",
    'quote " and ;-1+2',
    "Ordinary GmbH; Köln",
]


def _cells(text: str, delimiter: str) -> list[str]:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    return [cell for row in rows for cell in row]


def _dangerous(cells: list[str]) -> list[str]:
    return [c for c in cells if c.startswith(FORMULA_START) and not _is_number(c)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_hostile_cells_never_start_a_cell_with_a_formula(delimiter):
    text = "".join(csv_rows(["name", "value"], [[cell, -12.5] for cell in HOSTILE]))
    cells = _cells(text, delimiter)
    assert cells and not _dangerous(cells), _dangerous(cells)
    # Every cell holding any locale's separator is quoted, so a spreadsheet keeps it whole.
    for cell in HOSTILE:
        if any(c in cell for c in ",;\t"):
            assert f'"{neutralise(cell).replace(chr(34), chr(34) * 2)}"' in text
    assert "-12.5" in text  # numbers stay numbers


def test_a_neutralised_cell_reads_back_as_it_was():
    """The partners import undoes the guard, so an export re-imported gives back the same names."""
    for cell in HOSTILE:
        if not cell.startswith(("\t", "\r", "\n")):
            assert restore(neutralise(cell)) == cell


@pytest.fixture(scope="module")
def hostile_portal(django_db_setup, django_db_blocker):
    """The acme demo portal, its partners renamed to the hostile cells (rolled back afterwards)."""
    from analytics.services.runs import health_compute
    from partners.models import Partner
    from prm.tenancy.demo import DEMO_TENANTS, seed_tenant
    from prm.tenancy.scoping import tenant_scope

    with rolled_back(django_db_blocker):
        with scopes_disabled():
            ctx = seed_tenant(next(s for s in DEMO_TENANTS if s["slug"] == "acme"), log=lambda *_: None)
        with tenant_scope(ctx.tenant):
            for i, partner in enumerate(Partner.objects.order_by("name")):
                partner.name = HOSTILE[i % len(HOSTILE)] + f" #{i}"
                partner.save(update_fields=["name"])
            from django.utils import timezone

            health_compute(tenant=ctx.tenant, day=timezone.localdate())
        yield ctx


def _exports(ctx) -> list[str]:
    from incentives.models import PayoutBatch
    from prm.tenancy.scoping import tenant_scope

    with tenant_scope(ctx.tenant):
        batch = PayoutBatch.objects.first()
    paths = ["/partners/staff/partners/export.csv", "/deals/export.csv", "/incentives/staff/ledger/export.csv",
             "/analytics/partners/export.csv"]
    paths += [f"/analytics/dashboard/export.csv?table={t}" for t in ("at_risk", "status", "tiers", "types", "attribution", "funnel", "trends", "kpis", "roi")]
    if batch is not None:
        paths.append(f"/incentives/staff/payouts/{batch.pk}/export.csv")
    return paths


@pytest.mark.django_db
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_every_export_of_hostile_partner_names_is_safe(hostile_portal, delimiter):
    from django.test import Client

    from conftest import sign_in

    client = Client(HTTP_HOST=f"{hostile_portal.tenant.slug}.localhost")
    sign_in(client, hostile_portal.users["admin"], hostile_portal.tenant)
    checked = 0
    for path in _exports(hostile_portal):
        response = client.get(path)
        if response.status_code == 400 and "dashboard" in path:
            continue  # a table this dashboard does not have
        assert response.status_code == 200, path
        text = b"".join(response.streaming_content).decode("utf-8")
        cells = _cells(text, delimiter)
        assert not _dangerous(cells), (path, _dangerous(cells)[:5])
        if "#" in text:
            checked += 1
    assert checked >= 5  # the hostile names really went through partners, deals, incentives, analytics
