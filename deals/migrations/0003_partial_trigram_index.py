# PostgreSQL only: index the trigrams of active registrations only (submitted, waiting for
# information, approved). Closed registrations never conflict, and they are most of the table.
from django.db import migrations

from deals.db import ACTIVE_CONDITION, AddIndexOnPostgres, RemoveIndexOnPostgres, trigram_index


class Migration(migrations.Migration):

    dependencies = [
        ("deals", "0002_trigram_indexes"),
    ]

    operations = [
        RemoveIndexOnPostgres("dealregistration", trigram_index(field="customer_name_normalised", name="deals_deal_name_trgm")),
        AddIndexOnPostgres("dealregistration", trigram_index(
            field="customer_name_normalised", name="deals_deal_active_name_trgm", condition=ACTIVE_CONDITION)),
    ]
