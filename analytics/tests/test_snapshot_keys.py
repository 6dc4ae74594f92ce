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


def _postgres_only(reason="the composite foreign key exists on PostgreSQL only (SQLite keeps none on these columns)"):
    if connection.vendor != "postgresql":
        pytest.skip(reason)


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


def test_a_snapshot_id_is_a_version_7_uuid_that_starts_with_its_date():
    """models.snapshot_id: the date's midnight (UTC) in milliseconds, version 7, the RFC variant,
    random after that; ids of a later date sort after every id of an earlier one (byte order, as
    PostgreSQL compares uuids), so a night's rows fill one region of the primary-key index."""
    import uuid

    from analytics.models import snapshot_id

    day = date(2026, 12, 6)
    ids = [snapshot_id(day) for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert {int.from_bytes(i.bytes[:6], "big") for i in ids} == {1_796_515_200_000}  # 2026-12-06T00:00Z
    later = [snapshot_id(date(2026, 12, 7)) for _ in range(200)]
    assert max(i.bytes for i in ids) < min(i.bytes for i in later)


@pytest.mark.postgres
def test_the_database_writes_the_same_ids_as_snapshot_id(tenant):
    """sql_chunk.pieces.day_uuid (the chunk statement's id) agrees with models.snapshot_id."""
    import uuid

    from analytics.models import snapshot_id
    from analytics.services.sql_chunk.pieces import day_uuid

    _postgres_only("day_uuid is SQL of the set-based chunk statement, which runs on PostgreSQL only")
    days = [date(1999, 12, 31), date(2026, 12, 6), date(2041, 2, 28)]
    with connection.cursor() as cursor:
        for day in days:
            cursor.execute(f"SELECT {day_uuid('%s::date')} FROM generate_series(1, 200)", [day])
            ids = [uuid.UUID(str(row[0])) for row in cursor.fetchall()]
            assert len(set(ids)) == 200
            assert {i.bytes[:7] for i in ids} == {snapshot_id(day).bytes[:7]}
            assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
