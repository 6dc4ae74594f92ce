"""The MDF invariants under real concurrency (PostgreSQL, one connection per thread):
reserved + paid ≤ allocation ≤ fund budget, whatever the interleaving.

Each service reads the balance *after* locking the allocation (or fund) row. To make sure these
tests would catch a check-then-write race, the balance read is slowed down: without the lock,
every thread would read the same balance during the pause and all of them would pass the check."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from incentives.models import Account, JournalEntry, MdfAllocation, MdfRequest
from incentives.services import allocation_create, ledger, mdf_request_decide, mdf_request_submit
from incentives.services import funds as funds_module
from incentives.services import mdf as mdf_module
from prm.tenancy.scoping import tenant_scope
from tests.factories import MdfAllocationFactory, MdfFundFactory, MdfRequestFactory, mdf_partner

THREADS = 20
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks across concurrent connections (CI runs it)")


def run_parallel(tenant, work, n: int = THREADS) -> list:
    """Run work(i) in n threads released at the same instant; each thread has its own connection."""
    barrier = threading.Barrier(n, timeout=60)
    results: list = [None] * n

    def target(i):
        try:
            with tenant_scope(tenant):
                barrier.wait()
                results[i] = work(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def slow(monkeypatch, module, name: str, pause: float = 0.05) -> None:
    original = getattr(module, name)

    def slowed(*args, **kwargs):
        value = original(*args, **kwargs)
        time.sleep(pause)  # widen the window between the balance read and the write
        return value

    monkeypatch.setattr(module, name, slowed)


def test_twenty_parallel_pre_approvals_never_exceed_the_allocation(tenant, monkeypatch):
    fund = MdfFundFactory(tenant=tenant, budget=Decimal("50000.00"))
    allocation = MdfAllocationFactory(tenant=tenant, fund=fund, amount=Decimal("10000.00"))
    requests = [MdfRequestFactory(tenant=tenant, allocation=allocation, requested_amount=Decimal("700.00"))
                for _i in range(THREADS)]
    slow(monkeypatch, mdf_module, "allocation_available")

    results = run_parallel(tenant, lambda i: mdf_request_decide(
        tenant=tenant, mdf_request=requests[i], actor=None, approve=True))

    approved = [r for r in results if isinstance(r, MdfRequest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(approved) + len(refused) == THREADS, [r for r in results if not isinstance(r, (MdfRequest, ValidationError))]
    assert len(approved) == 14 and len(refused) == 6  # 14 × 700 = 9,800 ≤ 10,000 < 15 × 700
    assert all("Only 200.00 USD is left" in r.message_dict["amount"][0] for r in refused)
    with tenant_scope(tenant):
        held = ledger.balances(allocation=allocation)
        assert held[Account.MDF_RESERVED] == Decimal("9800.00")
        assert held[Account.MDF_AVAILABLE] == Decimal("200.00")
        assert held[Account.MDF_RESERVED] + held[Account.MDF_PAYABLE] + held[Account.MDF_PAID] <= allocation.amount
        assert MdfRequest.objects.filter(allocation=allocation, status="approved").count() == 14
        assert JournalEntry.objects.filter(kind="reserve").count() == 14
        # The ledger sums match the requests and balance entry by entry.
        assert sum(r.approved_amount for r in MdfRequest.objects.filter(status="approved")) == Decimal("9800.00")
        assert ledger.unbalanced_entries(tenant) == []


def test_twenty_parallel_requests_and_pre_approvals_on_one_allocation(tenant, monkeypatch):
    """Partners submit while managers pre-approve: submissions never reserve, approvals never overshoot."""
    allocation = MdfAllocationFactory(tenant=tenant, amount=Decimal("5000.00"))
    pending = [MdfRequestFactory(tenant=tenant, allocation=allocation, requested_amount=Decimal("900.00"))
               for _i in range(THREADS // 2)]
    slow(monkeypatch, mdf_module, "allocation_available")
    start = timezone.localdate() + timedelta(days=5)

    def work(i):
        if i % 2:
            return mdf_request_decide(tenant=tenant, mdf_request=pending[i // 2], actor=None, approve=True)
        return mdf_request_submit(tenant=tenant, partner=allocation.partner, user=None, nonce=uuid.uuid4(), data={
            "allocation": allocation, "activity_type": "event", "title": f"Event {i}", "description": "x",
            "start_date": start, "end_date": start, "requested_amount": Decimal("400.00"), "expected_leads": 1})[0]

    results = run_parallel(tenant, work)
    errors = [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)]
    assert not errors, errors
    with tenant_scope(tenant):
        approved = MdfRequest.objects.filter(allocation=allocation, status="approved").count()
        assert approved == 5  # 5 × 900 = 4,500 ≤ 5,000 < 6 × 900
        assert ledger.balance(Account.MDF_RESERVED, allocation=allocation) == Decimal("4500.00")
        assert ledger.balance(Account.MDF_AVAILABLE, allocation=allocation) == Decimal("500.00")
        assert ledger.unbalanced_entries(tenant) == []


def test_twenty_parallel_allocations_never_exceed_the_fund_budget(tenant, monkeypatch):
    fund = MdfFundFactory(tenant=tenant, budget=Decimal("12000.00"))
    partners = [mdf_partner(tenant) for _i in range(THREADS)]
    slow(monkeypatch, funds_module, "fund_unallocated")

    results = run_parallel(tenant, lambda i: allocation_create(
        tenant=tenant, fund=fund, partner=partners[i], amount=Decimal("1000.00"), actor=None))

    made = [r for r in results if isinstance(r, MdfAllocation)]
    assert len(made) == 12 and sum(isinstance(r, ValidationError) for r in results) == 8
    with tenant_scope(tenant):
        assert ledger.balance(Account.MDF_UNALLOCATED, fund=fund) == 0
        assert ledger.balance(Account.MDF_ALLOCATED, fund=fund) == Decimal("12000.00")
        assert MdfAllocation.objects.filter(fund=fund).count() == 12
        assert ledger.unbalanced_entries(tenant) == []


def test_the_same_request_posted_twice_at_once_creates_one(tenant):
    allocation = MdfAllocationFactory(tenant=tenant)
    nonce = uuid.uuid4()
    start = timezone.localdate() + timedelta(days=5)
    data = {"allocation": allocation, "activity_type": "event", "title": "Fair", "description": "x",
            "start_date": start, "end_date": start, "requested_amount": Decimal("400.00"), "expected_leads": 1}

    results = run_parallel(tenant, lambda i: mdf_request_submit(
        tenant=tenant, partner=allocation.partner, user=None, nonce=nonce, data=data), n=2)

    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _r, created in results) == [False, True]
    with tenant_scope(tenant):
        assert MdfRequest.objects.count() == 1
