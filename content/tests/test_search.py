"""Library search: full-text on PostgreSQL, the word-prefix fallback elsewhere, same answers."""

import pytest
from django.db import connection

from content.models import Asset
from content.selectors.library import search_assets, search_tokens
from prm.tenancy.scoping import scopes_disabled, tenant_scope
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(tenant):
    return {
        "deck": AssetFactory(tenant=tenant, title="Cloud migration sales deck", tags="slides, pitch",
                             description="For first customer meetings."),
        "case": AssetFactory(tenant=tenant, title="Retail case study", tags="customer story",
                             description="How a retailer cut costs with a cloud migration."),
        "price": AssetFactory(tenant=tenant, title="Price list", tags="pricing, discount",
                              description="List prices."),
    }


def _titles(tenant, text):
    with tenant_scope(tenant):
        return [a.title for a in search_assets(Asset.objects.all(), text)]


def test_every_word_must_match_the_start_of_a_word(tenant, library):
    assert _titles(tenant, "migration") == ["Cloud migration sales deck", "Retail case study"]
    assert _titles(tenant, "cloud deck") == ["Cloud migration sales deck"]
    assert _titles(tenant, "pric") == ["Price list"]          # prefix of "price" and "pricing"
    assert _titles(tenant, "igration") == []                  # not the middle of a word
    assert _titles(tenant, "migration nonexistent") == []


def test_title_matches_rank_above_description_matches(tenant, library):
    AssetFactory(tenant=tenant, title="Partner handbook", description="Mentions the deck once.")
    assert _titles(tenant, "deck") == ["Cloud migration sales deck", "Partner handbook"]


def test_tags_are_searched(tenant, library):
    assert _titles(tenant, "customer story") == ["Retail case study"]


def test_search_text_is_reduced_to_safe_words(tenant, library):
    assert search_tokens("deck'); DROP TABLE content_asset; -- & | !") == ["deck", "drop", "table", "content_asset"]
    with tenant_scope(tenant):
        assert search_assets(Asset.objects.all(), "'\"&|!():*").count() == 3  # no words: no filter
    assert _titles(tenant, "DECK") == ["Cloud migration sales deck"]


def test_library_search_through_the_page(tenant, library, silver_user, client_for):
    response = client_for(tenant, silver_user).get("/content/", {"q": "case"})
    assert [a.title for a in response.context["page"].object_list] == ["Retail case study"]
    assert "Results for “case”" in response.content.decode()


def test_htmx_filtering_returns_only_the_results_partial(tenant, library, silver_user, client_for):
    response = client_for(tenant, silver_user).get(
        "/content/", {"q": "migration", "kind": "link"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="library-results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="library-results"')
    assert "<html" not in html
    assert "Cloud migration sales deck" in html and "Price list" not in html


@pytest.mark.postgres
def test_postgres_uses_full_text_search_with_a_gin_index(tenant, library):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search: the SQLite fallback is covered by the tests above")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'content_asset_search_gin'")
        row = cursor.fetchone()
    assert row is not None and "USING gin" in row[0]
    with tenant_scope(tenant):
        qs = search_assets(Asset.objects.all(), "migration")
        assert "to_tsquery" in str(qs.query)
        assert [a.title for a in qs] == ["Cloud migration sales deck", "Retail case study"]
    # The query's expression is the indexed one: without the tenant filter (which tiny test tables
    # serve from the tenant index) and without sequential scans, the GIN index answers it.
    with scopes_disabled():
        unscoped = search_assets(Asset.objects.all(), "migration")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = unscoped.explain()
    assert "content_asset_search_gin" in plan
