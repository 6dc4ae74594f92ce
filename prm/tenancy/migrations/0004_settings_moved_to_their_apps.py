"""The feature settings leave the Tenant: each app keeps them in its own settings table.

The apps' migrations that create those tables and copy the values declare `run_before` this one
(the core names no feature app), so the columns are dropped only after the copy; unapplying this
adds them back, and unapplying the apps' migrations copies the values back onto them."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0003_brand_colour_contrast'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='tenant',
            name='deal_protection_days',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='deal_approval_sla_days',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='auto_approve_on_sla_breach',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='deal_contact_required',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='tier_downgrade_grace_days',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='agreement_grace_days',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='tier_evaluation',
        ),
        migrations.RemoveField(
            model_name='tenant',
            name='restrict_managers_to_book',
        ),
    ]
