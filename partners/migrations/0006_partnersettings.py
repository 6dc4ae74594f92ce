"""Partner program settings move from the Tenant to the partners app's own table (values carried over both ways)."""

import django.db.models.deletion
import uuid
from django.db import migrations, models


FIELDS = ('tier_downgrade_grace_days', 'agreement_grace_days', 'tier_evaluation', 'restrict_managers_to_book')


def tenant_values_to_settings(apps, schema_editor):
    """Each tenant's row, with the values the tenant had."""
    db = schema_editor.connection.alias
    Tenant = apps.get_model("tenancy", "Tenant")
    Settings = apps.get_model("partners", "PartnerSettings")
    Settings.objects.using(db).bulk_create(
        [Settings(tenant_id=row.pop("pk"), **row) for row in Tenant.objects.using(db).values("pk", *FIELDS)],
        batch_size=500,
    )


def settings_to_tenant_values(apps, schema_editor):
    """Back onto the tenant's columns (tenancy 0004 has been unapplied: they exist again)."""
    db = schema_editor.connection.alias
    Tenant = apps.get_model("tenancy", "Tenant")
    Settings = apps.get_model("partners", "PartnerSettings")
    for row in Settings.objects.using(db).values("tenant_id", *FIELDS):
        Tenant.objects.using(db).filter(pk=row.pop("tenant_id")).update(**row)


class Migration(migrations.Migration):

    # The tenant's columns are dropped only after their values were copied here.
    run_before = [('tenancy', '0004_settings_moved_to_their_apps')]

    dependencies = [
        ('partners', '0005_partner_tenant_key'),
        ('tenancy', '0003_brand_colour_contrast'),
    ]

    operations = [
        migrations.CreateModel(
            name='PartnerSettings',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('tier_downgrade_grace_days', models.PositiveIntegerField(default=60, verbose_name='tier downgrade grace period (days)')),
                ('agreement_grace_days', models.PositiveIntegerField(default=30, verbose_name='agreement re-acceptance grace period (days)')),
                ('tier_evaluation', models.CharField(choices=[('automatic', 'Apply tier changes automatically'), ('propose', 'Propose tier changes to a channel manager')], default='propose', max_length=12, verbose_name='tier evaluation')),
                ('restrict_managers_to_book', models.BooleanField(default=False, verbose_name='channel managers see only partners in their book')),
                ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.tenant')),
            ],
            options={
                'verbose_name': 'partner program settings',
                'verbose_name_plural': 'partner program settings',
                'abstract': False,
                'constraints': [models.UniqueConstraint(fields=('tenant',), name='partners_partnersettings_one_per_tenant')],
            },
        ),
        migrations.RunPython(tenant_values_to_settings, settings_to_tenant_values),
    ]
