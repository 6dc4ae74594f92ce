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
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'content_asset_search_vector_gin'")
        row = cursor.fetchone()
    assert row is not None and "USING gin (search_vector)" in row[0]
    with tenant_scope(tenant):
        qs = search_assets(Asset.objects.all(), "migration")
        assert "to_tsquery" in str(qs.query) and "to_tsvector" not in str(qs.query)  # the stored vector
        assert [a.title for a in qs] == ["Cloud migration sales deck", "Retail case study"]
        # Facets and counts run the search inside other queries: the column follows the alias.
        assert Asset.objects.filter(pk__in=search_assets(Asset.objects.all(), "migration").values("pk")).count() == 2
    # Without the tenant filter (which tiny test tables serve from the tenant index) and without
    # sequential scans, the GIN index over the stored column answers the query.
    with scopes_disabled():
        unscoped = search_assets(Asset.objects.all(), "migration")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = unscoped.explain()
    assert "content_asset_search_vector_gin" in plan


@pytest.mark.postgres
def test_the_stored_vector_is_the_search_vector_expression_and_follows_edits(tenant, library):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search: the SQLite fallback is covered by the tests above")
    from content.selectors.library import asset_search_vector

    with tenant_scope(tenant):
        asset = Asset.objects.get(title="Price list")
        rows = (Asset.objects.annotate(expected=asset_search_vector()).extra(select={"stored": "search_vector"})
                .values_list("expected", "stored"))
        assert rows and all(expected == stored for expected, stored in rows)
        assert not search_assets(Asset.objects.all(), "zanzibar").exists()
        asset.description = "Now with Zanzibar rates"
        asset.save(update_fields=["description"])
        assert [a.title for a in search_assets(Asset.objects.all(), "zanzibar")] == ["Price list"]


def test_the_result_count_taken_from_the_facets_equals_a_count_of_the_results(tenant, library, silver_user,
                                                                                 client_for):
    """The library page counts its results from the facet rows (no second count query); every
    combination of search, category, type and language gives the true count."""
    import itertools

    from content.models import Category
    from content.selectors.library import LibraryFilters, library_facets, library_results

    with tenant_scope(tenant):
        guides = Category.objects.create(tenant=tenant, name="Guides", slug="guides")
        Asset.objects.filter(title="Retail case study").update(category=guides, language="de")
        AssetFactory(tenant=tenant, title="Cloud guide", kind="link", category=guides)
        categories = list(Category.objects.order_by("order", "name"))
        visible = Asset.objects.all()
        for q, category, kind, language in itertools.product(("", "cloud"), ("", "guides"), ("", "link"),
                                                             ("", "de", "en")):
            filters = LibraryFilters(q=q, category=category, kind=kind, language=language)
            expected = library_results(visible, filters, None).count()
            assert library_facets(visible, filters, categories).matching(filters) == expected, filters
        new_only = LibraryFilters(new_only=True)
        assert library_facets(visible, new_only, categories).matching(new_only) is None
    page = client_for(tenant, silver_user).get("/content/", {"q": "cloud"}).content.decode()
    assert "(3 items)" in page
