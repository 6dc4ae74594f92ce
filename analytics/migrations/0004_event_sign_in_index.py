"""PostgreSQL only: a partial index of the sign-ins, for the nightly "days since last sign-in".

The nightly event aggregate now reads only the last 90 days (counts per kind); the last sign-in
looks back a whole year, and reading a year of every kind of event for it cost more than the rest
of the aggregate. Sign-ins alone, in (tenant, partner, occurred_at) order, make it an index-only
scan of a fraction of the entries. Built CONCURRENTLY (no write lock on a busy table), so this
migration is not atomic. SQLite skips it: same answers, just without the acceleration.
"""

from django.db import migrations

NAME = "analytics_event_sign_in"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("events", "EngagementEvent")._meta.db_table
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {table} "
                          "(tenant_id, partner_id, occurred_at) WHERE kind = 'sign_in'")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("analytics", "0003_deal_cover_protected_until")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
