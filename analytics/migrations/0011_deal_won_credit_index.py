"""PostgreSQL only: a partial covering index of won deals for the nightly attribution aggregate.

A chunk credits its partners with the won deals that name them as influencer or fulfiller
(features.attribution_query), fetched by primary key: a few thousand deals registered by other
partners, scattered over the whole table. Each fetch read a heap page (44 ms of a 10,000-partner
chunk's 1.1 s on the benchmark, most pages not in shared buffers). This index holds what the
aggregate reads of a won deal (id, tenant, closed_on, won_base_amount), so the fetches become an
index-only scan of 20 MB for the benchmark's 300,000 won deals (7 ms). Built CONCURRENTLY (no write
lock on a busy table), so this migration is not atomic. SQLite skips it: same answers, without the
acceleration.
"""

from django.db import migrations

NAME = "analytics_deal_won_credit"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("deals", "DealRegistration")._meta.db_table
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {table} (id) "
                          f"INCLUDE (tenant_id, closed_on, won_base_amount) WHERE status = 'won'")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("analytics", "0010_event_partner_kind_key"), ("deals", "0004_review_queue_index")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
