"""A stored full-text vector for assets, on PostgreSQL only (SQLite uses the portable fallback search).

Migration 0002 indexed the vector expression, which let PostgreSQL find the matching rows but not
rank them: ts_rank, the result count and the facet counts computed the vector again for every
match (about 10 µs a row: 15–25 ms per query for a broad word in a library of 2,000 items). A
generated column keeps the vector with the row, PostgreSQL maintains it on every insert and update,
and search reads it instead (content.selectors.library.search_assets). The column is not a model
field: Django never writes it, and SQLite has no such type.
"""

from django.db import migrations

COLUMN = "search_vector"
INDEX_NAME = "content_asset_search_vector_gin"
OLD_INDEX_NAME = "content_asset_search_gin"
VECTOR_SQL = (
    "((setweight(to_tsvector('simple'::regconfig, COALESCE(\"title\", '')), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, COALESCE(\"tags\", '')), 'B'))"
    " || setweight(to_tsvector('simple'::regconfig, COALESCE(\"description\", '')), 'C'))"
)


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'ALTER TABLE "content_asset" ADD COLUMN IF NOT EXISTS "{COLUMN}" tsvector '
                          f"GENERATED ALWAYS AS ({VECTOR_SQL}) STORED")
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{INDEX_NAME}" ON "content_asset" USING gin ("{COLUMN}")')
    schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD_INDEX_NAME}"')


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{OLD_INDEX_NAME}" ON "content_asset" USING gin ({VECTOR_SQL})')
    schema_editor.execute(f'ALTER TABLE "content_asset" DROP COLUMN IF EXISTS "{COLUMN}"')


class Migration(migrations.Migration):

    dependencies = [("content", "0002_asset_search_index_postgres")]

    operations = [migrations.RunPython(add_column, drop_column, elidable=False)]
