"""The partner library: search, filters, facets, featured and "new since your last visit"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from content.models import Asset, Category, LibraryVisit

MAX_TOKENS = 8
# Without an earlier visit, "new" means published in the last fortnight.
FIRST_VISIT_WINDOW = timedelta(days=14)


def search_tokens(text: str) -> list[str]:
    """Words of a query (letters and digits only, so they are safe in a tsquery)."""
    return re.findall(r"\w+", (text or "").lower())[:MAX_TOKENS]


def asset_search_vector() -> SearchVector:
    # Keep in step with the expression of the GIN index created in migration 0002.
    return (
        SearchVector("title", weight="A", config="simple")
        + SearchVector("tags", weight="B", config="simple")
        + SearchVector("description", weight="C", config="simple")
    )


def search_assets(qs: QuerySet[Asset], text: str) -> QuerySet[Asset]:
    """Filter and rank `qs` by a free-text query; every word must match the start of a word.

    PostgreSQL: full-text search over title (weight A), tags (B) and description (C) with
    prefix matching, ranked by ts_rank, served by a GIN index. Elsewhere (SQLite): the same
    word-prefix matching with regular expressions and a weighted score, so both give the same hits.
    """
    tokens = search_tokens(text)
    if not tokens:
        return qs
    if connections[qs.db].vendor == "postgresql":
        vector = asset_search_vector()
        query = SearchQuery(" & ".join(f"{t}:*" for t in tokens), search_type="raw", config="simple")
        return qs.annotate(search=vector).filter(search=query).annotate(
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


def library_facets(visible: QuerySet[Asset], filters: LibraryFilters) -> LibraryFacets:
    """Counts per category, type and language of what the member may see (after the search).

    One grouped query plus the category names, however many assets there are.
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
    facets = LibraryFacets(total=sum(r["n"] for r in rows))
    for category in Category.objects.filter(pk__in=[k for k in by_cat if k]):
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


def featured_assets(visible: QuerySet[Asset], limit: int = 4) -> list[Asset]:
    return list(visible.filter(is_featured=True).select_related("category", "current_version").order_by("-publish_at")[:limit])
