"""Exclusive protection: at most one approved, unexpired registration per customer, enforced by
row locks on the customer keys in the approval service and by a database constraint."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from deals import services
from deals.models import DealHistory, DealRegistration
from deals.services import review
from prm.tenancy.scoping import tenant_scope
from tests.concurrency import in_thread
from tests.factories import DealFactory


def _statuses(tenant):
    with tenant_scope(tenant):
        return dict(DealRegistration.objects.values_list("customer_name", "status"))


@pytest.mark.django_db
def test_a_second_protection_for_the_same_customer_is_refused_with_a_clear_message(tenant, partner, rival, register,
                                                                                   approve):
    first = approve(register(rival, customer_name="Initech, Inc."))
    second = register(partner, customer_name="INITECH Corporation", website="", contact_email="bob@initech.com")
    with pytest.raises(ValidationError) as exc:
        approve(second)
    assert "already protected until" in exc.value.messages[0] and rival.name in exc.value.messages[0]
    assert _statuses(tenant) == {"Initech, Inc.": "approved", "INITECH Corporation": "submitted"}
    assert first.is_protected


@pytest.mark.django_db
def test_similar_names_without_a_shared_domain_can_be_overridden_by_staff(tenant, partner, rival, register, approve):
    approve(register(rival, customer_name="Northwind Traders", website="northwindtraders.com",
                     contact_email="a@northwindtraders.com"))
    lookalike = register(partner, customer_name="Nortwind Traders", website="nortwindtraders.com",
                         contact_email="b@nortwindtraders.com")
    with pytest.raises(ValidationError):
        approve(lookalike)
    deal = approve(lookalike, override_similar=True, reason="Different companies: Nortwind is in Ohio.")
    assert deal.status == "approved"
    with tenant_scope(tenant):
        evidence = DealHistory.objects.get(deal=deal, action="conflicts_at_decision")
    assert evidence.internal and evidence.changes["override_similar_names"] is True


@pytest.mark.django_db
def test_a_shared_domain_can_never_be_overridden(tenant, partner, rival, register, approve):
    approve(register(rival, customer_name="Umbrella Corp", website="umbrella.co.uk", contact_email="a@umbrella.co.uk"))
    same = register(partner, customer_name="Umbrella Pharma", website="shop.umbrella.co.uk", contact_email="b@umbrella.co.uk")
    with pytest.raises(ValidationError):
        approve(same, override_similar=True)


@pytest.mark.django_db
def test_a_lapsed_protection_not_yet_swept_does_not_block_and_is_expired_on_the_way(tenant, partner, rival, register,
                                                                                    approve):
    old = DealFactory(tenant=tenant, partner=rival, customer_name="Hooli", website="https://hooli.com",
                      status="approved", protected_until=timezone.localdate() - timedelta(days=1))
    new = approve(register(partner, customer_name="Hooli", website="hooli.com", contact_email="a@hooli.com"))
    with tenant_scope(tenant):
        old.refresh_from_db()
    assert (old.status, new.status) == ("expired", "approved")


@pytest.mark.django_db
def test_the_database_refuses_two_protected_registrations_with_the_same_customer_key(tenant, partner, rival):
    DealFactory(tenant=tenant, partner=rival, customer_name="Acme", website="https://acme.com", status="approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        DealFactory(tenant=tenant, partner=partner, customer_name="Acme Corp", website="https://www.acme.com",
                    status="approved")


@pytest.mark.django_db
def test_the_constraint_only_counts_approved_registrations(tenant, partner, rival):
    for status in ("submitted", "rejected", "won", "expired"):
        DealFactory(tenant=tenant, partner=partner, customer_name="Acme", website="https://acme.com", status=status)
    DealFactory(tenant=tenant, partner=rival, customer_name="Acme", website="https://acme.com", status="approved")


# --- Real concurrency (PostgreSQL, separate connections) --------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", [
    # Same registrable domain: same customer key, so the database constraint would also refuse.
    {"website": "", "contact_email": "bill@initech.com"},
    # Similar name, different domains: only the row locks on both customer keys keep this exclusive.
    {"website": "https://initech-corp.com", "contact_email": "bill@initech-corp.com"},
], ids=["same-domain", "similar-name-only"])
def test_two_managers_approving_conflicting_deals_at_once_protect_exactly_one(tenant, partner, rival, register,
                                                                              make_member, monkeypatch, second):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real row locks across concurrent connections")
    a = register(rival, customer_name="Initech, Inc.", website="https://initech.com")
    b = register(partner, customer_name="INITECH Corporation", **second)
    managers = [make_member(tenant, "channel_manager"), make_member(tenant, "channel_manager")]
    # Both managers read the candidates (each sees the other deal merely submitted) before either
    # takes a lock: the worst interleaving, forced with a barrier.
    barrier = threading.Barrier(2, timeout=20)
    original = review.matches_for
    first_call = threading.local()

    def synchronised(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(first_call, "done", False):
            first_call.done = True
            barrier.wait()
        return result

    monkeypatch.setattr(review, "matches_for", synchronised)

    def approve(deal, manager):
        def run():
            with tenant_scope(tenant):
                return services.deal_approve(tenant=tenant, deal=deal, actor=manager)
        return run

    runs = [in_thread(approve(a, managers[0])), in_thread(approve(b, managers[1]))]
    for thread, _holder in runs:
        thread.join(30)
    outcomes = [h.get("value") or h.get("error") for _t, h in runs]
    succeeded = [o for o in outcomes if isinstance(o, DealRegistration)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(succeeded) == 1 and len(refused) == 1, outcomes
    assert "already protected" in refused[0].messages[0]
    with tenant_scope(tenant):
        assert DealRegistration.objects.filter(status="approved").count() == 1
        assert DealRegistration.objects.filter(status="submitted").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_the_same_form_create_one_registration(tenant, partner, product):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent inserts on separate connections")
    from deals.tests.conftest import deal_data

    nonce = uuid.uuid4()
    barrier = threading.Barrier(2, timeout=20)

    def submit():
        with tenant_scope(tenant):
            barrier.wait()
            return services.deal_register(tenant=tenant, partner=partner, user=None, nonce=nonce,
                                          data=deal_data(product))

    runs = [in_thread(submit), in_thread(submit)]
    for thread, _holder in runs:
        thread.join(30)
    results = [h.get("value") or h.get("error") for _t, h in runs]
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _deal, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk
    with tenant_scope(tenant):
        assert DealRegistration.objects.count() == 1
