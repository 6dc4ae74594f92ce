"""PostgreSQL only: a smaller statistics sample for the snapshot table's date column.

Every finished run re-analyses that column so the planner knows the new date exists (see
runs._refresh_statistics). ANALYZE reads 300 rows per unit of statistics target: at the default
100 that is 30,000 random rows of a wide table, 1.3–1.9 s on the benchmark. Dates are uniform (one
per night, a row per partner), so 20 histogram buckets describe them as well; the sample falls to
6,000 rows (0.25 s). Other columns keep the default target.
"""

from django.db import migrations


def _set(apps, schema_editor, target: int) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    meta = apps.get_model("analytics", "PartnerHealthSnapshot")._meta
    quote = schema_editor.quote_name
    schema_editor.execute(f"ALTER TABLE {quote(meta.db_table)} ALTER COLUMN {quote(meta.get_field('date').column)} "
                          f"SET STATISTICS {target}")


def lower(apps, schema_editor):
    _set(apps, schema_editor, 20)


def restore(apps, schema_editor):
    _set(apps, schema_editor, -1)  # -1: back to default_statistics_target


class Migration(migrations.Migration):
    dependencies = [("analytics", "0005_snapshot_reference_constraints")]

    operations = [migrations.RunPython(lower, restore, elidable=False)]
