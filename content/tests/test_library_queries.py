"""The library page runs the same number of queries with 10 or 1,000 assets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import Asset, AssetPartnerType
from prm.tenancy.scoping import scopes_disabled
from tests.factories import CategoryFactory, PartnerTypeFactory, file_asset

pytestmark = pytest.mark.django_db


def _add_assets(tenant, tiers, categories, msp, start: int, count: int) -> None:
    now = timezone.now()
    with scopes_disabled():
        assets = Asset.objects.bulk_create([
            Asset(tenant=tenant, title=f"Asset {n} sales material", description="Deck and notes", tags="sales, deck",
                  kind=Asset.Kind.LINK, external_url=f"https://example.com/{n}", category=categories[n % 3],
                  language=("en", "de", "")[n % 3], is_featured=n % 50 == 0,
                  min_tier=(None, tiers[1], tiers[2], tiers[3])[n % 4],
                  publish_at=now - timedelta(days=n % 30, minutes=n))
            for n in range(start, start + count)
        ])
        AssetPartnerType.objects.bulk_create(
            [AssetPartnerType(tenant=tenant, asset=a, partner_type=msp) for a in assets[::7]]
        )


def _count_queries(client, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/content/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.context["page"].paginator.count


@pytest.mark.parametrize("params", [{}, {"q": "sales deck"}, {"category": "cat-1", "kind": "link", "language": "de"},
                                    {"new": "1", "page": "2"}])
def test_library_query_count_is_the_same_with_10_and_1000_assets(params, tenant, tiers, silver_user, client_for):
    categories = [CategoryFactory(tenant=tenant, name=f"Cat {i}", slug=f"cat-{i}") for i in range(3)]
    msp = PartnerTypeFactory(tenant=tenant, code="msp", name="MSP")
    _add_assets(tenant, tiers, categories, msp, 0, 9)
    file_asset(tenant, title="A file with a version", category=categories[0], language="en")
    client = client_for(tenant, silver_user)
    client.get("/content/")  # first visit writes the visit row; measure steady state
    small, small_total = _count_queries(client, params)
    _add_assets(tenant, tiers, categories, msp, 9, 990)
    large, large_total = _count_queries(client, params)
    assert large_total > small_total
    assert small == large, f"{small} queries with 10 assets, {large} with 1,000"
    print(f"library {params}: {small} queries with {small_total} visible, {large} with {large_total} visible")
