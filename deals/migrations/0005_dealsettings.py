"""Deal settings move from the Tenant to the deals app's own table (values carried over both ways)."""

import django.core.validators
import django.db.models.deletion
import uuid
from django.db import migrations, models


FIELDS = ('deal_protection_days', 'deal_approval_sla_days', 'auto_approve_on_sla_breach', 'deal_contact_required')


def tenant_values_to_settings(apps, schema_editor):
    """Each tenant's row, with the values the tenant had."""
    db = schema_editor.connection.alias
    Tenant = apps.get_model("tenancy", "Tenant")
    Settings = apps.get_model("deals", "DealSettings")
    Settings.objects.using(db).bulk_create(
        [Settings(tenant_id=row.pop("pk"), **row) for row in Tenant.objects.using(db).values("pk", *FIELDS)],
        batch_size=500,
    )


def settings_to_tenant_values(apps, schema_editor):
    """Back onto the tenant's columns (tenancy 0004 has been unapplied: they exist again)."""
    db = schema_editor.connection.alias
    Tenant = apps.get_model("tenancy", "Tenant")
    Settings = apps.get_model("deals", "DealSettings")
    for row in Settings.objects.using(db).values("tenant_id", *FIELDS):
        Tenant.objects.using(db).filter(pk=row.pop("tenant_id")).update(**row)


class Migration(migrations.Migration):

    # The tenant's columns are dropped only after their values were copied here.
    run_before = [('tenancy', '0004_settings_moved_to_their_apps')]

    dependencies = [
        ('deals', '0004_review_queue_index'),
        ('tenancy', '0003_brand_colour_contrast'),
    ]

    operations = [
        migrations.CreateModel(
            name='DealSettings',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('deal_protection_days', models.PositiveIntegerField(default=90, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(730)], verbose_name='deal protection days')),
                ('deal_approval_sla_days', models.PositiveIntegerField(default=2, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(30)], verbose_name='deal approval SLA (business days)')),
                ('auto_approve_on_sla_breach', models.BooleanField(default=False, verbose_name='auto-approve unconflicted deals when the SLA is missed')),
                ('deal_contact_required', models.BooleanField(default=True, verbose_name='require customer contact details on deals')),
                ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.tenant')),
            ],
            options={
                'verbose_name': 'deal settings',
                'verbose_name_plural': 'deal settings',
                'abstract': False,
                'constraints': [models.UniqueConstraint(fields=('tenant',), name='deals_dealsettings_one_per_tenant')],
            },
        ),
        migrations.RunPython(tenant_values_to_settings, settings_to_tenant_values),
    ]
