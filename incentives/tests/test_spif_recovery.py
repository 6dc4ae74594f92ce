"""Recording SPIF money recovered from a partner (paid, then reversed because the deal is no longer
won): the ledger, the statement, the program page's "To recover" section and who may record it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from deals.models import DealRegistration
from incentives.models import Account, JournalEntry, SpifAccrual
from incentives.services import (
    ledger,
    payout_batch_create,
    payout_batch_mark_paid,
    spif_recover,
    spif_reevaluate,
)
from incentives.services import spif_recovery as recovery_module
from incentives.tests.test_concurrency import run_parallel, slow
from prm.audit.models import AuditEntry
from prm.notifications.models import Notification
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory, SpifProgramFactory, WonDealFactory, mdf_partner

pytestmark = pytest.mark.django_db
BUDGET = Decimal("100000.00")
# The program page, whatever the number of partners to recover from. It includes the partners app's
# settings row (PartnerSettings): the book rule asks whether this channel manager is confined.
PAGE_QUERIES = 21


@pytest.fixture
def program(tenant):
    return SpifProgramFactory(tenant=tenant, name="Cloud push", flat_amount=Decimal("300.00"), budget=BUDGET)


def paid_then_reversed(tenant, program, partner, actor, deals: int = 1) -> None:
    """`deals` won deals of `partner` accrue 300.00 each, are paid, then lost: all of it is to recover."""
    won = [WonDealFactory(tenant=tenant, partner=partner) for _i in range(deals)]
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)
        accruals = list(SpifAccrual.objects.filter(program=program, deal__in=won))
        assert len(accruals) == deals
        batch = payout_batch_create(tenant=tenant, accrual_ids=[a.pk for a in accruals], actor=actor)
        payout_batch_mark_paid(tenant=tenant, batch=batch, actor=actor)
        # Order cancelled after signature: the nightly job sees the deals are no longer won.
        DealRegistration.objects.filter(pk__in=[d.pk for d in won]).update(status=DealRegistration.Status.LOST)
        assert spif_reevaluate(tenant=tenant)["reversed"] == deals


def recover_url(program, partner) -> str:
    return reverse("incentives:program_recover", args=[program.pk, partner.pk])


def held(tenant, program, partner=None) -> dict:
    with tenant_scope(tenant):
        return ledger.balances(program=program, **({"partner": partner} if partner else {}))


def test_full_recovery_returns_the_money_to_the_budget_and_clears_the_statement(
        tenant, program, partner, manager, members, client_for):
    paid_then_reversed(tenant, program, partner, manager)
    statement = client_for(tenant, members["partner_admin"])
    assert "to be recovered" in statement.get(reverse("incentives:home")).content.decode()
    client = client_for(tenant, manager)
    page = client.get(reverse("incentives:program_detail", args=[program.pk])).content.decode()
    assert "Mark recovered" in page and 'value="300.00"' in page

    response = client.post(recover_url(program, partner), {"amount": "300.00", "note": "Transfer TRF-42"})

    assert response.status_code == 302
    assert response["Location"] == reverse("incentives:program_detail", args=[program.pk])
    balances = held(tenant, program, partner)
    assert balances[Account.SPIF_CLAWBACK] == 0
    assert held(tenant, program)[Account.SPIF_AVAILABLE] == BUDGET  # the whole budget is back
    with tenant_scope(tenant):
        assert ledger.unbalanced_entries(tenant) == []
        entry = JournalEntry.objects.get(kind=JournalEntry.Kind.RECOVER)
        assert "Cloud push" in entry.memo and partner.name in entry.memo and "TRF-42" in entry.memo
        audit = AuditEntry.objects.get(action="spif.recover")
        assert audit.actor == manager and audit.changes["amount"] == "300.00"
        assert audit.changes["partner"] == str(partner.pk)
        note = Notification.objects.get(user=members["partner_admin"], title__startswith="SPIF amount recovered")
        assert "300.00 USD" in note.title and "recorded as recovered" in note.body
    page = client.get(response["Location"]).content.decode()
    assert "Recorded 300.00 USD as recovered from Northwind Solutions." in page
    assert "Mark recovered" not in page  # nothing left: no section
    assert "to be recovered" not in statement.get(reverse("incentives:home")).content.decode()


def test_partial_recovery_leaves_the_rest_outstanding(tenant, program, partner, manager, members, client_for):
    paid_then_reversed(tenant, program, partner, manager, deals=2)
    client = client_for(tenant, manager)

    assert client.post(recover_url(program, partner), {"amount": "250.50"}).status_code == 302

    assert held(tenant, program, partner)[Account.SPIF_CLAWBACK] == Decimal("349.50")
    assert held(tenant, program)[Account.SPIF_AVAILABLE] == BUDGET - Decimal("349.50")
    with tenant_scope(tenant):
        assert ledger.unbalanced_entries(tenant) == []
    page = client.get(reverse("incentives:program_detail", args=[program.pk])).content.decode()
    assert 'value="349.50"' in page  # the form offers what is left
    statement = client_for(tenant, members["partner_admin"]).get(reverse("incentives:home")).content.decode()
    assert "to be recovered" in statement and "349.50" in statement


@pytest.mark.parametrize("amount, message", [
    ("300.01", "At most 300.00 USD is left to recover from Northwind Solutions."),
    ("0", "Enter an amount greater than zero."),
    ("-5", "Enter an amount greater than zero."),
    ("abc", "Enter a number."),
    ("", "This field is required."),
    ("10.005", "USD amounts have at most 2 decimal places."),
])
def test_a_bad_amount_is_a_form_error_and_writes_nothing(tenant, program, partner, manager, client_for, amount,
                                                         message):
    paid_then_reversed(tenant, program, partner, manager)

    response = client_for(tenant, manager).post(recover_url(program, partner), {"amount": amount})

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and 'aria-invalid="true"' in body
    assert held(tenant, program, partner)[Account.SPIF_CLAWBACK] == Decimal("300.00")
    with tenant_scope(tenant):
        assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.RECOVER).exists()
        assert not AuditEntry.objects.filter(action="spif.recover").exists()


def test_a_partner_without_a_clawback_gets_an_error(tenant, program, partner, manager, client_for):
    paid_then_reversed(tenant, program, partner, manager)
    clean = mdf_partner(tenant, name="Clean Reseller")

    response = client_for(tenant, manager).post(recover_url(program, clean), {"amount": "10.00"})

    assert response.status_code == 400
    assert "Nothing is left to recover from Clean Reseller in this program." in response.content.decode()
    with tenant_scope(tenant):
        assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.RECOVER).exists()


def test_another_tenants_partner_or_program_is_not_found(tenant, other_tenant, program, partner, manager,
                                                         client_for):
    paid_then_reversed(tenant, program, partner, manager)
    stranger = PartnerFactory(tenant=other_tenant)
    foreign_program = SpifProgramFactory(tenant=other_tenant)
    client = client_for(tenant, manager)

    assert client.post(recover_url(program, stranger), {"amount": "10.00"}).status_code == 404
    assert client.post(recover_url(foreign_program, partner), {"amount": "10.00"}).status_code == 404
    assert held(tenant, program, partner)[Account.SPIF_CLAWBACK] == Decimal("300.00")
    with tenant_scope(tenant), pytest.raises(ValidationError):  # the service refuses mixed tenants too
        spif_recover(tenant=tenant, program=program, partner=stranger, amount="10.00", note="", actor=manager)


def test_only_channel_managers_and_tenant_admins_record_recoveries(tenant, program, partner, manager, members,
                                                                    client_for):
    paid_then_reversed(tenant, program, partner, manager)
    url = recover_url(program, partner)
    for role in ("partner_user", "partner_admin", "executive"):
        assert client_for(tenant, members[role]).post(url, {"amount": "10.00"}).status_code == 403, role
    assert client_for(tenant, manager).get(url).status_code == 405
    page = client_for(tenant, members["executive"]).get(reverse("incentives:program_detail", args=[program.pk]))
    assert "Northwind Solutions" in page.content.decode() and "Mark recovered" not in page.content.decode()
    assert held(tenant, program, partner)[Account.SPIF_CLAWBACK] == Decimal("300.00")
    assert client_for(tenant, members["tenant_admin"]).post(url, {"amount": "10.00"}).status_code == 302
    assert held(tenant, program, partner)[Account.SPIF_CLAWBACK] == Decimal("290.00")


@pytest.mark.parametrize("partners", [1, 5])
def test_the_program_page_query_count_does_not_grow_with_partners_to_recover_from(
        tenant, program, manager, client_for, django_assert_num_queries, partners):
    owing = [mdf_partner(tenant, name=f"Owing {i}") for i in range(partners)]
    for partner in owing:
        paid_then_reversed(tenant, program, partner, manager)
    WonDealFactory(tenant=tenant, partner=owing[0])
    with tenant_scope(tenant):
        spif_reevaluate(tenant=tenant)  # a pending accrual too: every part of the page has rows
    client = client_for(tenant, manager)
    url = reverse("incentives:program_detail", args=[program.pk])
    client.get(url)  # warm the session and caches

    with django_assert_num_queries(PAGE_QUERIES):
        body = client.get(url).content.decode()

    assert body.count("Mark recovered") == partners


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_recoveries_of_the_full_amount_record_it_once(tenant, program, partner, manager, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks across concurrent connections (CI runs it)")
    paid_then_reversed(tenant, program, partner, manager)
    slow(monkeypatch, recovery_module, "clawback_outstanding")  # both would read 300.00 without the lock

    results = run_parallel(tenant, lambda i: spif_recover(
        tenant=tenant, program=program, partner=partner, amount="300.00", note="", actor=manager), n=2)

    assert sorted(type(r).__name__ for r in results) == ["JournalEntry", "ValidationError"], results
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "Nothing is left to recover" in refused.message_dict["amount"][0]
    with tenant_scope(tenant):
        assert JournalEntry.objects.filter(kind=JournalEntry.Kind.RECOVER).count() == 1
        assert ledger.balance(Account.SPIF_CLAWBACK, program=program, partner=partner) == 0
        assert ledger.balance(Account.SPIF_AVAILABLE, program=program) == BUDGET
        assert ledger.unbalanced_entries(tenant) == []
