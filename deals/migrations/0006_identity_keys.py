# PostgreSQL only: the candidate keys of a customer name (deals.normalise.identity_keys, computed
# the same way in SQL) and GIN indexes over them, which the conflict check searches. Frozen here: if
# the Python keys change, a later migration replaces the function (deals/tests/test_identity.py
# compares both on PostgreSQL). SQLite skips all of it; its conflict check computes the keys itself.
from django.db import migrations

from deals.db import RunSQLOnPostgres

FUNCTION = r"""
CREATE OR REPLACE FUNCTION deals_identity_keys(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
    words text[] := array_remove(string_to_array(name, ' '), '');
    n int := coalesce(cardinality(array_remove(string_to_array(name, ' '), '')), 0);
    keys text[] := ARRAY[]::text[];
    w text;
    f text;
    i int;
    initials text := '';
    content int := 0;
BEGIN
    IF n = 0 THEN
        RETURN keys;
    END IF;
    FOREACH w IN ARRAY words LOOP
        keys := keys || w;
        f := replace(replace(replace(replace(w, 'ae', 'a'), 'oe', 'o'), 'ue', 'u'), 'aa', 'a');
        IF f <> w THEN
            keys := keys || ('%' || f);
        END IF;
        IF length(w) >= 5 AND w !~ '[0-9]' THEN
            FOR i IN 1..length(w) LOOP
                keys := keys || ('~' || substr(w, 1, i - 1) || substr(w, i + 1));
            END LOOP;
        END IF;
        IF NOT w = ANY (ARRAY['and', 'of', 'the', 'for', 'de', 'del', 'der', 'die', 'das', 'du', 'des', 'la',
                              'le', 'el', 'y', 'und', 'et', 'e', 'van', 'von', 'di', 'da']) THEN
            initials := initials || substr(w, 1, 1);
            content := content + 1;
        END IF;
    END LOOP;
    FOR i IN 1..n - 1 LOOP
        keys := keys || ('+' || words[i] || words[i + 1]);
    END LOOP;
    IF content BETWEEN 3 AND 5 THEN
        keys := keys || ('^' || initials);
    END IF;
    f := array_to_string(words, '');
    RETURN keys || ('=' || replace(replace(replace(replace(f, 'ae', 'a'), 'oe', 'o'), 'ue', 'u'), 'aa', 'a'));
END
$fn$;
"""

# Leading with tenant_id (btree_gin, migration 0002) like every index here; registrations that
# cannot conflict (closed ones, most of the table) are left out, as in the trigram index.
DEALS_INDEX = """
CREATE INDEX deals_deal_active_identity ON deals_dealregistration
USING gin (tenant_id, deals_identity_keys(customer_name_normalised))
WHERE status IN ('submitted', 'info_requested', 'approved');
"""
HOUSE_INDEX = """
CREATE INDEX deals_house_identity ON deals_houseaccount USING gin (tenant_id, deals_identity_keys(name_normalised));
"""


class Migration(migrations.Migration):

    dependencies = [
        ("deals", "0005_dealsettings"),
    ]

    operations = [
        RunSQLOnPostgres(FUNCTION, "DROP FUNCTION IF EXISTS deals_identity_keys(text);"),
        RunSQLOnPostgres(DEALS_INDEX, "DROP INDEX IF EXISTS deals_deal_active_identity;"),
        RunSQLOnPostgres(HOUSE_INDEX, "DROP INDEX IF EXISTS deals_house_identity;"),
        RunSQLOnPostgres("ANALYZE deals_dealregistration; ANALYZE deals_houseaccount;", migrations.RunSQL.noop),
    ]
