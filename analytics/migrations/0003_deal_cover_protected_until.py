"""PostgreSQL only: the nightly deal aggregate also reads `protected_until` (a backfilled date counts
deals that were protected on that day and have expired since as open pipeline), so the covering
index of migration 0002 gains it and the read stays an index-only scan. The new index is built
before the old one is dropped, both CONCURRENTLY (no write lock on a busy table)."""

from django.db import migrations

NEW = "analytics_deal_partner_cover2"
OLD = "analytics_deal_partner_cover"
KEYS = "tenant_id, partner_id, submitted_at"
INCLUDE = "status, decided_at, sla_due_at, closed_on, protected_until, base_amount, won_base_amount"
OLD_INCLUDE = "status, decided_at, sla_due_at, closed_on, base_amount, won_base_amount"


def _swap(schema_editor, create: tuple[str, str], drop: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    name, include = create
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON deals_dealregistration ({KEYS}) "
                          f"INCLUDE ({include})")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {drop}")


def forward(apps, schema_editor):
    _swap(schema_editor, (NEW, INCLUDE), OLD)


def backward(apps, schema_editor):
    _swap(schema_editor, (OLD, OLD_INCLUDE), NEW)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("analytics", "0002_event_covering_index"), ("deals", "0004_review_queue_index")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
