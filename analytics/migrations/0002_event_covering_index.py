"""PostgreSQL only: a covering index on the event stream for the nightly per-chunk aggregates.

The nightly job reads a chunk of partners' events with (tenant, partner range, occurred_at) and
needs each event's kind. With `kind` included in the index those reads are index-only scans;
without it, every chunk visits nearly every heap page of a time-ordered table. Built CONCURRENTLY
(no write lock on a busy table), so this migration is not atomic. SQLite skips it: same answers,
just without the acceleration.
"""

from django.db import migrations

INDEX = "analytics_event_partner_kind"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("events", "EngagementEvent")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON {table} (tenant_id, partner_id, occurred_at) INCLUDE (kind)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("analytics", "0001_initial"),
        ("events", "0002_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
