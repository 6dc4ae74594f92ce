"""SPIF accruals: automatic on deal_won, idempotent (events, re-saves, job re-runs), limited by cap
and budget, reversed with a ledger entry when the deal stops being won."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from deals.models import DealRegistration
from incentives.models import Account, JournalEntry, JournalLine, SpifAccrual
from incentives.services import ledger, spif_reevaluate, spif_reverse
from incentives.tasks import spif_reevaluate as spif_reevaluate_task
from prm.events.services import record_event, subscribers
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory, PartnerTypeFactory, SpifProgramFactory, TierFactory, WonDealFactory

pytestmark = pytest.mark.django_db


def counts(tenant):
    with tenant_scope(tenant):
        return SpifAccrual.objects.count(), JournalEntry.objects.count(), JournalLine.objects.count()


def test_winning_a_deal_accrues_once_per_eligible_program(tenant, partner, win):
    flat = SpifProgramFactory(tenant=tenant, rule="flat", flat_amount=Decimal("500.00"))
    pct = SpifProgramFactory(tenant=tenant, rule="percent", flat_amount=None, percent=Decimal("2.5"))
    deal = win(partner, amount="12345.67")
    with tenant_scope(tenant):
        accruals = {a.program_id: a for a in SpifAccrual.objects.filter(deal=deal)}
        assert accruals[flat.pk].amount == Decimal("500.000") and accruals[flat.pk].status == "accrued"
        assert accruals[pct.pk].amount == Decimal("308.64")
        assert accruals[pct.pk].deal_value == Decimal("12345.67")
        held = ledger.balances(partner=partner)
        assert held[Account.SPIF_ACCRUED] == Decimal("808.64")
        assert ledger.balance(Account.SPIF_AVAILABLE, program=flat) == Decimal("99500.00")


def test_deal_won_twice_and_the_job_rerun_accrue_exactly_once(tenant, partner, win, django_capture_on_commit_callbacks):
    program = SpifProgramFactory(tenant=tenant)
    deal = win(partner)
    before = counts(tenant)
    assert before[0] == 1
    # The same event delivered again (a retry, a double click upstream, a re-save).
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        record_event(tenant=tenant, kind="deal_won", partner=partner, obj=deal)
    assert counts(tenant) == before
    # The nightly job, twice: nothing to do, nothing written.
    spif_reevaluate_task.delay()
    spif_reevaluate_task.delay()
    assert counts(tenant) == before
    with tenant_scope(tenant):
        assert spif_reevaluate(tenant=tenant) == {"accrued": 0, "reversed": 0}
        assert ledger.balance(Account.SPIF_ACCRUED, program=program) == Decimal("500.00")


def test_database_refuses_a_second_accrual_for_the_same_deal_and_program(tenant, partner, win):
    from django.db import IntegrityError, transaction

    SpifProgramFactory(tenant=tenant)
    deal = win(partner)
    with tenant_scope(tenant):
        first = SpifAccrual.objects.get(deal=deal)
        with pytest.raises(IntegrityError), transaction.atomic():
            SpifAccrual.objects.create(tenant=tenant, program=first.program, deal=deal, partner=partner,
                                       currency="USD", calculated_amount=1, amount=1)


def test_nightly_job_catches_up_with_won_deals_it_missed(tenant, partner):
    program = SpifProgramFactory(tenant=tenant, rule="percent", flat_amount=None, percent=Decimal("10"))
    deal = WonDealFactory(tenant=tenant, partner=partner, amount=Decimal("1000.00"))  # no event was recorded
    with tenant_scope(tenant):
        assert spif_reevaluate(tenant=tenant) == {"accrued": 1, "reversed": 0}
        assert SpifAccrual.objects.get(deal=deal, program=program).amount == Decimal("100.00")
    before = counts(tenant)
    with tenant_scope(tenant):
        assert spif_reevaluate(tenant=tenant) == {"accrued": 0, "reversed": 0}
    assert counts(tenant) == before


def test_percentage_waits_for_the_base_currency_value(tenant, partner):
    program = SpifProgramFactory(tenant=tenant, rule="percent", flat_amount=None, percent=Decimal("5"))
    deal = WonDealFactory(tenant=tenant, partner=partner, currency="EUR", amount=Decimal("2000.00"))
    with tenant_scope(tenant):
        assert deal.won_base_amount is None
        assert spif_reevaluate(tenant=tenant)["accrued"] == 0
        DealRegistration.objects.filter(pk=deal.pk).update(won_base_amount=Decimal("2160.00"))  # a rate arrived
        assert spif_reevaluate(tenant=tenant)["accrued"] == 1
        assert SpifAccrual.objects.get(program=program).amount == Decimal("108.00")


def test_reverting_a_won_deal_reverses_its_accrual_with_a_ledger_entry(tenant, partner, win,
                                                                      django_capture_on_commit_callbacks):
    program = SpifProgramFactory(tenant=tenant)
    deal = win(partner)
    with tenant_scope(tenant), django_capture_on_commit_callbacks(execute=True):
        # deals has no "reopen" today; a correction that moves a won deal to lost records deal_lost.
        DealRegistration.objects.filter(pk=deal.pk).update(status=DealRegistration.Status.LOST)
        record_event(tenant=tenant, kind="deal_lost", partner=partner, obj=deal)
    with tenant_scope(tenant):
        accrual = SpifAccrual.objects.get(deal=deal)
        assert accrual.status == "reversed" and accrual.reversed_at is not None
        reversal = JournalEntry.objects.get(kind="reverse", object_id=str(accrual.pk))
        lines = {(line.account, line.debit, line.credit) for line in reversal.lines.all()}
        assert lines == {(Account.SPIF_AVAILABLE, Decimal("500.000"), Decimal("0.000")),
                         (Account.SPIF_ACCRUED, Decimal("0.000"), Decimal("500.000"))}
        assert ledger.balance(Account.SPIF_ACCRUED, program=program) == 0
        assert ledger.balance(Account.SPIF_AVAILABLE, program=program) == Decimal("100000.00")
    # Reversing twice changes nothing.
    before = counts(tenant)
    with tenant_scope(tenant):
        spif_reverse(tenant=tenant, accrual=accrual, reason="again")
        assert spif_reevaluate(tenant=tenant) == {"accrued": 0, "reversed": 0}
    assert counts(tenant) == before


def test_staff_reverting_a_win_on_the_deal_page_reverses_its_accrual(tenant, partner, members, win, client_for,
                                                                      django_capture_on_commit_callbacks):
    """deals records deal_reverted when staff revert a win; incentives subscribes and undoes the accrual."""
    assert subscribers("deal_reverted"), "nothing listens to deal_reverted"
    SpifProgramFactory(tenant=tenant)
    deal = win(partner)
    with tenant_scope(tenant):
        assert SpifAccrual.objects.get(deal=deal).status == "accrued"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(tenant, members["channel_manager"]).post(
            reverse("deals:revert_won", args=[deal.pk]), {"reason": "The customer cancelled the order."})
    assert response.status_code == 302
    with tenant_scope(tenant):
        accrual = SpifAccrual.objects.get(deal=deal)
    assert accrual.status == "reversed" and accrual.reversed_at is not None


def test_nightly_job_reverses_accruals_of_deals_no_longer_won_and_restores_them_when_won_again(tenant, partner, win):
    SpifProgramFactory(tenant=tenant)
    deal = win(partner)
    with tenant_scope(tenant):
        DealRegistration.objects.filter(pk=deal.pk).update(status=DealRegistration.Status.APPROVED)  # no event
        assert spif_reevaluate(tenant=tenant) == {"accrued": 0, "reversed": 1}
        DealRegistration.objects.filter(pk=deal.pk).update(status=DealRegistration.Status.WON)
        assert spif_reevaluate(tenant=tenant) == {"accrued": 1, "reversed": 0}
        accrual = SpifAccrual.objects.get(deal=deal)  # still the one row
        assert accrual.status == "accrued"
        assert ledger.balance(Account.SPIF_ACCRUED, accrual=accrual) == Decimal("500.00")
        assert list(JournalEntry.objects.filter(object_id=str(accrual.pk)).order_by("id")
                    .values_list("kind", flat=True)) == ["accrue", "reverse", "accrue"]


def test_cap_per_partner_limits_what_a_partner_earns(tenant, partner, win):
    program = SpifProgramFactory(tenant=tenant, flat_amount=Decimal("400.00"), cap_per_partner=Decimal("1000.00"))
    deals = [win(partner) for _i in range(4)]
    with tenant_scope(tenant):
        amounts = [SpifAccrual.objects.get(deal=d).amount for d in deals]
        assert amounts == [Decimal("400.00"), Decimal("400.00"), Decimal("200.00"), Decimal("0")]
        capped = SpifAccrual.objects.get(deal=deals[3])
        assert capped.status == "capped" and "cap" in capped.note
        assert ledger.balance(Account.SPIF_ACCRUED, program=program, partner=partner) == Decimal("1000.00")
        assert not JournalLine.objects.filter(accrual=capped).exists()


def test_program_budget_is_never_exceeded(tenant, partner, win):
    program = SpifProgramFactory(tenant=tenant, flat_amount=Decimal("600.00"), budget=Decimal("1000.00"))
    other = PartnerFactory(tenant=tenant, tier=partner.tier)
    first, second, third = win(partner), win(other), win(partner)
    with tenant_scope(tenant):
        assert [SpifAccrual.objects.get(deal=d).amount for d in (first, second, third)] == [
            Decimal("600.00"), Decimal("400.00"), Decimal("0")]
        assert ledger.balance(Account.SPIF_AVAILABLE, program=program) == 0


def test_only_eligible_tiers_types_products_and_period_accrue(tenant, partner, win, product):
    gold = partner.tier
    silver = TierFactory(tenant=tenant, rank=2, name="Silver")
    msp = PartnerTypeFactory(tenant=tenant, code="msp", name="MSP")
    other_product = __import__("tests.factories", fromlist=["ProductFactory"]).ProductFactory(tenant=tenant, code="x")
    by_tier = SpifProgramFactory(tenant=tenant, tiers=[gold])
    by_type = SpifProgramFactory(tenant=tenant, partner_types=[msp])
    by_product = SpifProgramFactory(tenant=tenant, products=[other_product])
    later = SpifProgramFactory(tenant=tenant, start_date=timezone.localdate() + timedelta(days=1))
    silver_partner = PartnerFactory(tenant=tenant, tier=silver)
    win(partner)
    win(silver_partner)
    win(partner, products=[other_product])
    with tenant_scope(tenant):
        accrued = set(SpifAccrual.objects.values_list("program_id", "partner_id"))
        assert accrued == {(by_tier.pk, partner.pk), (by_product.pk, partner.pk)}
        assert SpifAccrual.objects.filter(program=by_tier).count() == 2  # both Gold deals
        assert not SpifAccrual.objects.filter(program__in=[by_type, later]).exists()


def test_gated_partner_accrues_once_the_gate_opens(tenant, partner, win):
    from partners.models import Partner

    SpifProgramFactory(tenant=tenant)
    with tenant_scope(tenant):
        Partner.objects.filter(pk=partner.pk).update(status=Partner.Status.SUSPENDED)
    deal = WonDealFactory(tenant=tenant, partner=partner)
    with tenant_scope(tenant):
        assert spif_reevaluate(tenant=tenant)["accrued"] == 0
        Partner.objects.filter(pk=partner.pk).update(status=Partner.Status.ACTIVE)
        assert spif_reevaluate(tenant=tenant)["accrued"] == 1
        assert SpifAccrual.objects.get(deal=deal).status == "accrued"


def test_manager_rejection_is_final_and_needs_a_reason(tenant, partner, win, manager):
    SpifProgramFactory(tenant=tenant)
    deal = win(partner)
    with tenant_scope(tenant):
        accrual = SpifAccrual.objects.get(deal=deal)
        with pytest.raises(ValidationError):
            spif_reverse(tenant=tenant, accrual=accrual, reason=" ", actor=manager, reject=True)
        spif_reverse(tenant=tenant, accrual=accrual, reason="Duplicate of an earlier deal.", actor=manager, reject=True)
        assert SpifAccrual.objects.get(pk=accrual.pk).status == "rejected"
        assert spif_reevaluate(tenant=tenant) == {"accrued": 0, "reversed": 0}  # not revived by the job


def test_accrual_notifies_the_partner_and_is_audited(tenant, partner, partner_admin, win):
    from prm.audit.models import AuditEntry
    from prm.notifications.models import Notification

    SpifProgramFactory(tenant=tenant, name="Q3 Cloud push")
    deal = win(partner)
    with tenant_scope(tenant):
        accrual = SpifAccrual.objects.get(deal=deal)
        assert AuditEntry.objects.filter(action="spif.accrue", object_id=str(accrual.pk)).exists()
        note = Notification.objects.get(user=partner_admin, title__contains="Q3 Cloud push")
        assert "500.00 USD" in note.title
