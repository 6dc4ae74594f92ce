"""The score's breakdown moves from one JSON object per snapshot to a column per component value and
the weights in force (the points follow from those). Stored breakdowns are copied over, set-based."""

from django.db import migrations, models

KEYS = ["activity", "recency", "trend", "deals", "wins", "onboarding", "certifications", "mdf"]


def copy_breakdowns(apps, schema_editor):
    connection = schema_editor.connection
    meta = apps.get_model("analytics", "PartnerHealthSnapshot")._meta
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        values = [f"{quote('component_' + k)} = ({quote('components')} -> '{k}' ->> 'value')::float8" for k in KEYS]
        weights = ", ".join(f"'{k}', {quote('components')} -> '{k}' -> 'weight'" for k in KEYS)
        weights = f"jsonb_strip_nulls(jsonb_build_object({weights}))"
    else:  # SQLite's JSON1 functions
        values = [f"{quote('component_' + k)} = json_extract({quote('components')}, '$.{k}.value')" for k in KEYS]
        weights = ", ".join(f"'{k}', json_extract({quote('components')}, '$.{k}.weight')" for k in KEYS)
        weights = f"json_patch('{{}}', json_object({weights}))"  # a merge patch drops the null members
    schema_editor.execute(f"UPDATE {quote(meta.db_table)} SET {', '.join(values)}, "
                          f"{quote('component_weights')} = {weights}")


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0007_chunk_summary'),
    ]

    operations = [
        *[migrations.AddField(model_name='partnerhealthsnapshot', name=f'component_{key}',
                              field=models.FloatField(blank=True, null=True)) for key in KEYS],
        migrations.AddField(
            model_name='partnerhealthsnapshot',
            name='component_weights',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(copy_breakdowns, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(
            model_name='partnerhealthsnapshot',
            name='components',
        ),
    ]
