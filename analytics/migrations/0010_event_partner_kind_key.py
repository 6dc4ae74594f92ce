"""PostgreSQL only: the nightly job's event index keyed (tenant, partner, kind, occurred_at), replacing
(tenant, partner, occurred_at) INCLUDE (kind) of migration 0002.

A chunk counts its partners' events per partner and kind. Read from this index they arrive in that
order, so PostgreSQL groups them as they stream by, where before it sorted or hashed every
(partner, kind) pair of the chunk (up to 760,000 events for the most active chunk of the benchmark).
Measured on the benchmark's 100,000 partners, one chunk statement at a time with the old and the new
index alternating: the most active chunk 1.17-1.19 -> 1.06-1.11 s, a typical one 0.83-0.89 ->
0.78-0.82 s. Lookups of one partner's events of one kind (onboarding steps, certifications) can use
it too. The new index is built before the old one goes, both CONCURRENTLY (no write lock on a busy
table), so this migration is not atomic. SQLite skips it: same answers, without the acceleration.
"""

from django.db import migrations

NEW = ("analytics_event_partner_kind_time", "tenant_id, partner_id, kind, occurred_at", "")
OLD = ("analytics_event_partner_kind", "tenant_id, partner_id, occurred_at", " INCLUDE (kind)")


def _swap(apps, schema_editor, create, drop):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("events", "EngagementEvent")._meta.db_table
    name, keys, include = create
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({keys}){include}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {drop[0]}")


def forward(apps, schema_editor):
    _swap(apps, schema_editor, NEW, OLD)


def backward(apps, schema_editor):
    _swap(apps, schema_editor, OLD, NEW)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("analytics", "0009_snapshot_partner_in_tenant"), ("events", "0002_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
