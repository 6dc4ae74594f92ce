"""PostgreSQL only: covering indexes for the nightly per-chunk aggregates.

The nightly job reads a chunk of partners' events with (tenant, partner range, occurred_at) and
needs each event's kind, and the chunk's deals with their status, dates and amounts. With those
columns included in the indexes the reads are index-only scans; without them every chunk visits
nearly every heap page of tables written in time order, not partner order. Built CONCURRENTLY (no
write lock on busy tables), so this migration is not atomic. SQLite skips it: same answers, just
without the acceleration.
"""

from django.db import migrations

# (index name, app label, model, key columns, included columns, partial index condition)
INDEXES = [
    ("analytics_event_partner_kind", "events", "EngagementEvent", "tenant_id, partner_id, occurred_at", "kind", ""),
    ("analytics_deal_partner_cover", "deals", "DealRegistration", "tenant_id, partner_id, submitted_at",
     "status, decided_at, sla_due_at, closed_on, base_amount, won_base_amount", ""),
    # Influencing and fulfilling credits by partner (the few rows that are not the registering partner's).
    ("analytics_dealpartner_credit", "deals", "DealPartner", "tenant_id, partner_id", "deal_id",
     "role IN ('influenced', 'fulfilled')"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, app, model, keys, include, where in INDEXES:
        table = apps.get_model(app, model)._meta.db_table
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({keys}) INCLUDE ({include})"
                              + (f" WHERE {where}" if where else ""))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, *_rest in INDEXES:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("analytics", "0001_initial"),
        ("events", "0002_initial"),
        ("deals", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
