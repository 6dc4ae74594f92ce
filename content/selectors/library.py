"""The partner library: search, filters, facets, featured and "new since your last visit"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connections
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import Col
from django.utils import timezone

from content.models import Asset, Category, LibraryVisit

MAX_TOKENS = 8
# Without an earlier visit, "new" means published in the last fortnight.
FIRST_VISIT_WINDOW = timedelta(days=14)


def search_tokens(text: str) -> list[str]:
    """Words of a query (letters and digits only, so they are safe in a tsquery)."""
    return re.findall(r"\w+", (text or "").lower())[:MAX_TOKENS]


def asset_search_vector() -> SearchVector:
    """The vector PostgreSQL stores in content_asset.search_vector (migration 0003 generates the
    column from this same expression; test_search pins that they agree)."""
    return (
        SearchVector("title", weight="A", config="simple")
        + SearchVector("tags", weight="B", config="simple")
        + SearchVector("description", weight="C", config="simple")
    )


def _stored_vector(qs: QuerySet[Asset]) -> Col:
    """The generated column as an ORM expression: it is not a model field (SQLite has no tsvector,
    and Django must never write it), so it is a column of the query's asset table by hand. A Col
    follows the table's alias when the query becomes a subquery."""
    field = SearchVectorField()
    field.set_attributes_from_name("search_vector")
    field.model = Asset
    return Col(qs.query.get_initial_alias(), field)


def search_assets(qs: QuerySet[Asset], text: str) -> QuerySet[Asset]:
    """Filter and rank `qs` by a free-text query; every word must match the start of a word.

    PostgreSQL: full-text search over title (weight A), tags (B) and description (C) with
    prefix matching, ranked by ts_rank, over the stored vector column and its GIN index. Elsewhere (SQLite): the same
    word-prefix matching with regular expressions and a weighted score, so both give the same hits.
    """
    tokens = search_tokens(text)
    if not tokens:
        return qs
    if connections[qs.db].vendor == "postgresql":
        qs = qs.all()
        vector = _stored_vector(qs)
        query = SearchQuery(" & ".join(f"{t}:*" for t in tokens), search_type="raw", config="simple")
        return qs.alias(search=vector).filter(search=query).annotate(
            rank=SearchRank(vector, query)
        ).order_by("-rank", "-publish_at", "title")
    score = Value(0, output_field=IntegerField())
    for token in tokens:
        pattern = rf"\b{re.escape(token)}"  # start of a word, like the tsquery prefix match
        matches = Q()
        for field_name, weight in (("title", 4), ("tags", 2), ("description", 1)):
            lookup = Q(**{f"{field_name}__iregex": pattern})
            score = score + Case(When(lookup, then=Value(weight)), default=Value(0), output_field=IntegerField())
            matches |= lookup
        qs = qs.filter(matches)
    return qs.annotate(rank=score).order_by("-rank", "-publish_at", "title")


@dataclass
class LibraryFilters:
    q: str = ""
    category: str = ""   # category slug
    kind: str = ""
    language: str = ""
    new_only: bool = False

    @property
    def active(self) -> bool:
        return bool(self.q or self.category or self.kind or self.language or self.new_only)


@dataclass
class Facet:
    value: str
    label: str
    count: int


@dataclass
class LibraryFacets:
    categories: list[Facet] = field(default_factory=list)
    kinds: list[Facet] = field(default_factory=list)
    languages: list[Facet] = field(default_factory=list)
    total: int = 0
    # (category slug or None, kind, language) -> assets: every combination of those filters
    cells: dict = field(default_factory=dict)

    def matching(self, filters: LibraryFilters) -> int | None:
        """How many results the filters leave, from the facet counts (None for "new only", which
        depends on dates the counts do not hold)."""
        if filters.new_only:
            return None
        return sum(n for (category, kind, language), n in self.cells.items()
                   if (not filters.category or category == filters.category)
                   and (not filters.kind or kind == filters.kind)
                   and (not filters.language or language == filters.language))


def library_results(visible: QuerySet[Asset], filters: LibraryFilters, since: datetime | None) -> QuerySet[Asset]:
    qs = search_assets(visible, filters.q)
    if filters.category:
        qs = qs.filter(category__slug=filters.category)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.new_only and since is not None:
        qs = qs.filter(publish_at__gt=since)
    if not filters.q:
        qs = qs.order_by("-publish_at", "title")
    return qs.select_related("category", "current_version")


def library_facets(visible: QuerySet[Asset], filters: LibraryFilters, categories: list[Category]) -> LibraryFacets:
    """Counts per category, type and language of what the member may see (after the search).

    One grouped query, however many assets there are (`categories`: the tenant's, already loaded).
    """
    from django.conf import settings

    rows = list(
        search_assets(visible, filters.q).order_by().values("category_id", "kind", "language").annotate(n=Count("id"))
    )
    by_cat: dict = {}
    by_kind: dict = {}
    by_lang: dict = {}
    for row in rows:
        by_cat[row["category_id"]] = by_cat.get(row["category_id"], 0) + row["n"]
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["n"]
        by_lang[row["language"]] = by_lang.get(row["language"], 0) + row["n"]
    slugs = {c.pk: c.slug for c in categories}
    facets = LibraryFacets(total=sum(r["n"] for r in rows))
    for row in rows:
        cell = (slugs.get(row["category_id"]), row["kind"], row["language"])
        facets.cells[cell] = facets.cells.get(cell, 0) + row["n"]
    for category in categories:
        if category.pk in by_cat:
            facets.categories.append(Facet(category.slug, category.name, by_cat[category.pk]))
    facets.categories.sort(key=lambda f: f.label.lower())
    kind_labels = dict(Asset.Kind.choices)
    facets.kinds = [Facet(k, str(kind_labels.get(k, k)), n) for k, n in sorted(by_kind.items())]
    lang_labels = dict(settings.LANGUAGES)
    facets.languages = [Facet(k, str(lang_labels.get(k, k)), n) for k, n in sorted(by_lang.items()) if k]
    return facets


def new_since(visit: LibraryVisit | None, *, for_home: bool = False) -> datetime:
    """The moment after which assets count as new for this member.

    The library shows what appeared since the visit before the current one (stable while
    browsing); the home page, shown between library visits, uses the latest library visit.
    """
    if visit is None:
        return timezone.now() - FIRST_VISIT_WINDOW
    if for_home:
        return visit.last_visit_at
    return visit.previous_visit_at or (visit.last_visit_at - FIRST_VISIT_WINDOW)


def featured_assets(visible: QuerySet[Asset], limit: int = 4, *, titles_only: bool = False) -> list[Asset]:
    """The newest featured assets: whole (library cards) or, for lists of titles, just title and date."""
    qs = visible.filter(is_featured=True).order_by("-publish_at")
    qs = qs.only("title", "publish_at") if titles_only else qs.select_related("category", "current_version")
    return list(qs[:limit])
