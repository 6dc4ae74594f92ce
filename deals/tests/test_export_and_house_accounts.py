"""CSV export with the list's filters (formulas neutralised) and the house-account CSV import."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deals.models import HouseAccount
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory, HouseAccountFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_applies_the_list_filters_and_neutralises_formulas(tenant, partner, rival, members, client_for):
    DealFactory(tenant=tenant, partner=partner, customer_name='=HYPERLINK("http://evil.example","x")',
                website="https://evil-corp.com", status="approved")
    DealFactory(tenant=tenant, partner=partner, customer_name="@SUM(A1:A9)", website="https://sum.com", status="won")
    DealFactory(tenant=tenant, partner=rival, customer_name="Rival Customer", website="https://rival.com", status="approved")
    client = client_for(tenant, members["channel_manager"])

    rows = _csv(client.get(reverse("deals:export"), {"status": "approved"}))
    header, body = rows[0], rows[1:]
    assert "Partner" in header and "Credited partners" in header
    customers = sorted(r[header.index("Customer")] for r in body)
    assert customers == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "Rival Customer"]

    only_partner = _csv(client.get(reverse("deals:export"), {"partner": str(partner.pk)}))
    assert sorted(r[only_partner[0].index("Customer")] for r in only_partner[1:]) == [
        "'=HYPERLINK(\"http://evil.example\",\"x\")", "'@SUM(A1:A9)"]


def test_the_partner_export_has_no_partner_columns(tenant, partner, members, client_for):
    DealFactory(tenant=tenant, partner=partner, customer_name="Hooli", website="https://hooli.com")
    rows = _csv(client_for(tenant, members["partner_user"]).get(reverse("deals:export")))
    assert "Partner" not in rows[0] and "Credited partners" not in rows[0]
    assert [r[rows[0].index("Customer")] for r in rows[1:]] == ["Hooli"]


def test_the_list_filters_by_status_kind_and_customer(tenant, partner, members, client_for):
    DealFactory(tenant=tenant, partner=partner, customer_name="Hooli", website="https://hooli.com", status="won")
    DealFactory(tenant=tenant, partner=partner, customer_name="Initech", website="https://initech.com")
    DealFactory(tenant=tenant, partner=partner, customer_name="Cyberdyne", website="https://cyberdyne.com", kind="referral")
    client = client_for(tenant, members["partner_user"])
    names = lambda **q: sorted(d.customer_name for d in client.get(reverse("deals:list"), q).context["page"].object_list)  # noqa: E731
    assert names(status="won") == ["Hooli"]
    assert names(status="pending") == ["Cyberdyne", "Initech"]
    assert names(kind="referral") == ["Cyberdyne"]
    assert names(q="init") == ["Initech"]
    partial = client.get(reverse("deals:list"), {"q": "hoo"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="deal-table"')


def test_house_accounts_import_from_csv_updates_by_name_and_adds_new(tenant, members, client_for):
    HouseAccountFactory(tenant=tenant, name="Globodyne", domain="")
    upload = SimpleUploadedFile("house.csv", b"name,domain,note\nGlobodyne Inc.,globodyne.com,Strategic\n"
                                b"Massive Dynamic,https://www.massivedynamic.com,\n")
    response = client_for(tenant, members["channel_manager"]).post(reverse("deals:house_accounts"), {"file": upload},
                                                                   follow=True)
    assert "1 new, 1 updated" in response.content.decode()
    with tenant_scope(tenant):
        accounts = dict(HouseAccount.objects.values_list("name_normalised", "domain"))
    assert accounts == {"globodyne": "globodyne.com", "massive dynamic": "massivedynamic.com"}


def test_a_house_account_file_with_a_bad_row_changes_nothing(tenant, members, client_for):
    upload = SimpleUploadedFile("house.csv", b"Good Co,good.com\n,missing-name.com\nFree Mail Co,gmail.com\n")
    response = client_for(tenant, members["channel_manager"]).post(reverse("deals:house_accounts"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 400 and "Row 2" in body and "Row 3" in body
    with tenant_scope(tenant):
        assert HouseAccount.objects.count() == 0


def test_a_non_utf8_file_gets_a_clear_message(tenant, members, client_for):
    upload = SimpleUploadedFile("house.csv", "Müller GmbH,mueller.de\n".encode("latin-1"))
    response = client_for(tenant, members["channel_manager"]).post(reverse("deals:house_accounts"), {"file": upload})
    assert response.status_code == 400 and "UTF-8" in response.content.decode()


def test_house_accounts_can_be_removed(tenant, members, client_for):
    account = HouseAccountFactory(tenant=tenant, name="Oscorp")
    client = client_for(tenant, members["channel_manager"])
    assert client.post(reverse("deals:house_account_delete", args=[account.pk])).status_code == 302
    with tenant_scope(tenant):
        assert not HouseAccount.objects.exists()
