"""Full-text GIN index on assets, on PostgreSQL only (SQLite uses the portable fallback search).

The indexed expression is exactly the one `content.selectors.library.asset_search_vector()`
produces, so the planner can use the index for `@@` queries. A GIN index cannot hold the
btree `tenant_id` column without the btree_gin extension; it is not unique, so Citus does not
need the distribution column in it, and the tenant filter is served by the tenant indexes.
"""

from django.db import migrations

INDEX_NAME = "content_asset_search_gin"
VECTOR_SQL = (
    "((setweight(to_tsvector('simple'::regconfig, COALESCE(\"title\", '')), 'A')"
    " || setweight(to_tsvector('simple'::regconfig, COALESCE(\"tags\", '')), 'B'))"
    " || setweight(to_tsvector('simple'::regconfig, COALESCE(\"description\", '')), 'C'))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{INDEX_NAME}" ON "content_asset" USING gin ({VECTOR_SQL})')


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX_NAME}"')


class Migration(migrations.Migration):

    dependencies = [("content", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
