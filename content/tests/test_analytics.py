"""Content analytics for staff: per asset, by tier and type, per active partner, unopened assets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.selectors.analytics import content_analytics, engagement_summary
from prm.events.services import record_event
from prm.tenancy.scoping import tenant_scope
from tests.factories import AssetFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def _event(tenant, kind, partner, asset, days_ago=1):
    with tenant_scope(tenant):
        record_event(tenant=tenant, kind=kind, partner=partner, obj=asset,
                     occurred_at=timezone.now() - timedelta(days=days_ago))


def test_content_analytics_add_up(tenant, tiers, silver_partner, gold_partner, manager, client_for):
    deck = AssetFactory(tenant=tenant, title="Deck")
    guide = AssetFactory(tenant=tenant, title="Guide")
    stale = AssetFactory(tenant=tenant, title="Stale")
    AssetFactory(tenant=tenant, title="Draft", publish_at=None)
    PartnerFactory(tenant=tenant, tier=tiers[2], status="active")       # an active Silver partner who did nothing
    PartnerFactory(tenant=tenant, tier=tiers[1], status="prospect")     # not active: not in the denominator
    _event(tenant, "content_viewed", silver_partner, deck)
    _event(tenant, "content_viewed", silver_partner, deck)
    _event(tenant, "content_downloaded", silver_partner, deck)
    _event(tenant, "content_viewed", gold_partner, deck)
    _event(tenant, "content_downloaded", gold_partner, guide)
    _event(tenant, "content_viewed", gold_partner, stale, days_ago=120)  # too old for 90 days

    with tenant_scope(tenant):
        stats = content_analytics(days=90)
    per_asset = {s.asset.title: (s.views, s.downloads, s.partners) for s in stats.assets}
    assert per_asset["Deck"] == (3, 1, 2)
    assert per_asset["Guide"] == (0, 1, 1)
    assert per_asset["Stale"] == (0, 0, 0)
    assert (stats.views, stats.downloads, stats.unique_partners) == (3, 2, 2)
    by_tier = {g.label: (g.views, g.downloads, g.partners, g.active_partners) for g in stats.by_tier}
    assert by_tier["Silver"] == (2, 1, 1, 2)
    assert by_tier["Gold"] == (1, 1, 1, 1)
    assert [g.label for g in stats.by_type] == ["Reseller"]
    assert stats.active_partners == 3
    assert stats.average_per_active_partner == round(5 / 3, 1)
    assert stats.engaged_active_partners == 2
    assert [a.title for a in stats.unopened] == ["Stale"]   # drafts are not "published and unopened"

    with tenant_scope(tenant):
        year = content_analytics(days=365)
    assert {s.asset.title: s.views for s in year.assets}["Stale"] == 1
    assert [a.title for a in year.unopened] == ["Stale"]  # still unopened in the last 90 days

    response = client_for(tenant, manager).get("/content/manage/analytics/?days=365")
    assert response.status_code == 200 and response.context["days"] == 365
    assert client_for(tenant, manager).get("/content/manage/analytics/?days=abc").context["days"] == 90


def test_analytics_page_query_count_does_not_grow_with_assets_and_events(tenant, tiers, silver_partner, manager, client_for):
    client = client_for(tenant, manager)

    def add(n):
        for _ in range(n):
            asset = AssetFactory(tenant=tenant)
            _event(tenant, "content_viewed", silver_partner, asset)

    add(3)
    client.get("/content/manage/analytics/")
    with CaptureQueriesContext(connection) as small:
        client.get("/content/manage/analytics/")
    add(40)
    with CaptureQueriesContext(connection) as large:
        client.get("/content/manage/analytics/")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_staff_home_widget_summarises_the_last_30_days(tenant, silver_partner, manager, client_for):
    deck = AssetFactory(tenant=tenant, title="Deck")
    _event(tenant, "content_viewed", silver_partner, deck)
    _event(tenant, "content_downloaded", silver_partner, deck)
    _event(tenant, "content_downloaded", silver_partner, deck, days_ago=40)
    with tenant_scope(tenant):
        summary = engagement_summary(days=30)
    assert (summary["views"], summary["downloads"], summary["partners"]) == (1, 1, 1)
    assert summary["top"] == [deck]
    html = client_for(tenant, manager).get("/").content.decode()
    assert "Content engagement, last 30 days" in html


def test_breakdown_by_tier_and_by_partner_type_counts_events_partners_and_active_partners(
    tenant, tiers, silver_partner, gold_partner, manager, client_for
):
    from tests.factories import PartnerTypeFactory

    msp = PartnerTypeFactory(tenant=tenant, code="msp", name="Managed service provider")
    msp_silver = PartnerFactory(tenant=tenant, name="Cloudops", tier=tiers[2], partner_type=msp, status="active")
    PartnerFactory(tenant=tenant, tier=tiers[3], partner_type=msp, status="active")  # active, did nothing
    deck = AssetFactory(tenant=tenant, title="Deck")
    _event(tenant, "content_viewed", silver_partner, deck)
    _event(tenant, "content_downloaded", silver_partner, deck)
    _event(tenant, "content_viewed", msp_silver, deck)
    _event(tenant, "content_viewed", msp_silver, deck)
    _event(tenant, "content_downloaded", gold_partner, deck)
    _event(tenant, "content_downloaded", gold_partner, deck, days_ago=100)  # outside the period

    with tenant_scope(tenant):
        stats = content_analytics(days=90)
    by_tier = {g.label: (g.views, g.downloads, g.partners, g.active_partners) for g in stats.by_tier}
    assert by_tier == {"Silver": (3, 1, 2, 2), "Gold": (0, 1, 1, 2)}
    by_type = {g.label: (g.views, g.downloads, g.partners, g.active_partners) for g in stats.by_type}
    assert by_type == {"Reseller": (1, 2, 2, 2), "Managed service provider": (2, 0, 1, 2)}
    assert [g.label for g in stats.by_type] == ["Managed service provider", "Reseller"]
    assert {g.label: g.per_partner for g in stats.by_type} == {"Reseller": 1.5, "Managed service provider": 1.0}
    assert stats.unique_partners == 3 and stats.active_partners == 4

    html = client_for(tenant, manager).get("/content/manage/analytics/").content.decode()
    assert "Managed service provider" in html and "Silver" in html and "Gold" in html
