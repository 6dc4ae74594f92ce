# Split out of 0003 so that other apps' migrations depending on this name keep working.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0003_program_recruitment_onboarding_agreements'),
    ]

    operations = [
        migrations.AlterField(
            model_name='partnertype',
            name='code',
            field=models.SlugField(db_index=False, max_length=40, verbose_name='code'),
        ),
    ]
