"""A snapshot's partner must belong to the snapshot's tenant, checked by the database.

The single foreign keys (tenant) and (partner) give way to one composite key, (tenant, partner) ->
partners_partner (tenant, id) (the unique key partners 0005 adds), on PostgreSQL: every written
row is then checked once instead of twice, and a row naming another tenant's partner is refused.
The tenant column's own index goes too: both other indexes lead with the tenant. SQLite (the demo
database) keeps no foreign key on these columns; Django's on_delete still removes a deleted
partner's or tenant's snapshots there.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "analytics_partnerhealthsnapshot"
NAME = "analytics_snapshot_partner_in_tenant"


def add_composite_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} FOREIGN KEY (tenant_id, partner_id) "
            "REFERENCES partners_partner (tenant_id, id) DEFERRABLE INITIALLY DEFERRED")


def drop_composite_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {NAME}")


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0008_snapshot_component_columns'),
        ('partners', '0005_partner_tenant_key'),
        ('tenancy', '0002_membership_indexes_lead_with_tenant'),
    ]

    operations = [
        migrations.AlterField(
            model_name='partnerhealthsnapshot',
            name='partner',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='partnerhealthsnapshot',
            name='tenant',
            field=models.ForeignKey(db_constraint=False, db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.tenant'),
        ),
        migrations.RunPython(add_composite_key, drop_composite_key, elidable=False),
    ]
