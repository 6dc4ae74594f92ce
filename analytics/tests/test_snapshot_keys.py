"""A snapshot's partner belongs to the snapshot's tenant: on PostgreSQL the database enforces it
with one composite foreign key (analytics migration 0009)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from analytics.models import PartnerHealthSnapshot
from partners.models import Partner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the composite foreign key exists on PostgreSQL only (SQLite keeps none on these columns)")


def _snapshot(tenant, partner, day=date(2026, 5, 1)):
    # By id, as the set-based chunk statement writes it (save() checks a cached partner's tenant itself).
    return PartnerHealthSnapshot.objects.create(tenant=tenant, partner_id=partner.pk, date=day, status="active", score=50,
                                                churn_risk=0.1, computed_at=timezone.now())


def _check_now():
    """Run PostgreSQL's deferred key checks now (SQLite has no such key to check)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.postgres
def test_the_snapshot_table_has_one_composite_key_and_no_tenant_index():
    _postgres_only()
    table = PartnerHealthSnapshot._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    foreign = {name: (c["columns"], c["foreign_key"]) for name, c in constraints.items() if c["foreign_key"]}
    assert foreign == {"analytics_snapshot_partner_in_tenant": (["tenant_id", "partner_id"],
                                                                 ("partners_partner", "tenant_id"))}
    # Every index left leads with the tenant; none is on the tenant alone.
    indexes = [c["columns"] for c in constraints.values() if c["index"]]
    assert ["tenant_id"] not in indexes
    assert all(columns[0] == "tenant_id" for columns in indexes if columns != ["id"])


@pytest.mark.postgres
def test_a_snapshot_of_another_tenants_partner_is_refused(tenant, other_tenant):
    _postgres_only()
    stranger = PartnerFactory(tenant=other_tenant)
    with scopes_disabled():
        with pytest.raises(IntegrityError), transaction.atomic():
            _snapshot(tenant, stranger)
            _check_now()
        assert not PartnerHealthSnapshot.objects.exists()


def test_a_snapshot_of_the_tenants_own_partner_is_stored(tenant):
    """Both backends: on PostgreSQL the composite key accepts it, on SQLite there is none."""
    own = PartnerFactory(tenant=tenant)
    with scopes_disabled():
        with transaction.atomic():
            _snapshot(tenant, own)
            _check_now()
        assert PartnerHealthSnapshot.objects.get().partner_id == own.pk


@pytest.mark.postgres
def test_a_partner_with_snapshots_cannot_be_removed_behind_djangos_back(tenant):
    """A bare DELETE of the partner would orphan its snapshots: the key refuses it."""
    _postgres_only()
    own = PartnerFactory(tenant=tenant)
    with scopes_disabled():
        _snapshot(tenant, own)
        with pytest.raises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {Partner._meta.db_table} WHERE id = %s", [own.pk])
            _check_now()
        assert PartnerHealthSnapshot.objects.filter(partner_id=own.pk).exists()


def test_deleting_a_partner_removes_its_snapshots(tenant):
    """Without database cascades (on either backend) Django's on_delete removes them first."""
    own, other = PartnerFactory(tenant=tenant), PartnerFactory(tenant=tenant)
    with scopes_disabled():
        _snapshot(tenant, own)
        _snapshot(tenant, other)
        own.delete()
        assert list(PartnerHealthSnapshot.objects.values_list("partner_id", flat=True)) == [other.pk]
