# PostgreSQL only: pg_trgm + btree_gin and the GIN trigram indexes used by conflict detection.
# Every operation checks connection.vendor, so SQLite (the demo database) skips them all.
from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations

from deals.db import AddIndexOnPostgres, trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ("deals", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        BtreeGinExtension(),
        AddIndexOnPostgres("dealregistration", trigram_index(field="customer_name_normalised", name="deals_deal_name_trgm")),
        AddIndexOnPostgres("houseaccount", trigram_index(field="name_normalised", name="deals_house_name_trgm")),
    ]
