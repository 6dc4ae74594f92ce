"""Audience rules: a partner only ever sees what the rules allow (lists, search, counts, URLs)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Asset
from content.selectors import assets_visible_to
from prm.tenancy.models import Membership
from prm.tenancy.scoping import tenant_scope
from prm.tenancy.viewer import Viewer
from tests.factories import AssetFactory, AssetPartnerTypeFactory, PartnerTypeFactory, file_asset

pytestmark = pytest.mark.django_db


def _urls(asset):
    return f"/content/a/{asset.pk}/", f"/content/a/{asset.pk}/download"


def test_silver_partner_neither_lists_finds_nor_downloads_a_gold_asset(
    tenant, tiers, silver_user, gold_user, client_for
):
    gold = file_asset(tenant, title="Gold pricing playbook", min_tier=tiers[3], tags="pricing")
    silver = file_asset(tenant, title="Silver pricing guide", min_tier=tiers[2], tags="pricing")
    client = client_for(tenant, silver_user)

    listing = client.get("/content/")
    assert listing.status_code == 200
    assert "Silver pricing guide" in listing.content.decode()
    assert "Gold pricing playbook" not in listing.content.decode()
    assert listing.context["page"].paginator.count == 1

    search = client.get("/content/", {"q": "pricing"})
    titles = [a.title for a in search.context["page"].object_list]
    assert titles == ["Silver pricing guide"]
    assert client.get("/content/", {"q": "playbook"}).context["page"].paginator.count == 0

    detail, download = _urls(gold)
    assert client.get(detail).status_code == 404
    assert client.get(download).status_code == 404
    assert client.get(_urls(silver)[1]).status_code == 200

    # Positive control: the Gold partner gets both.
    gold_client = client_for(tenant, gold_user)
    assert gold_client.get(detail).status_code == 200
    assert gold_client.get(download).status_code == 200
    assert gold_client.get("/content/").context["page"].paginator.count == 2


@pytest.mark.parametrize("state", ["draft", "scheduled", "expired"])
def test_an_unpublished_or_expired_asset_is_hidden_everywhere(state, tenant, silver_user, manager, client_for):
    now = timezone.now()
    dates = {
        "draft": {"publish_at": None},
        "scheduled": {"publish_at": now + timedelta(days=3)},
        "expired": {"publish_at": now - timedelta(days=30), "expires_at": now - timedelta(minutes=1)},
    }[state]
    hidden = file_asset(tenant, title="Hidden roadmap deck", **dates)
    client = client_for(tenant, silver_user)
    assert "Hidden roadmap deck" not in client.get("/content/").content.decode()
    assert client.get("/content/", {"q": "roadmap"}).context["page"].paginator.count == 0
    for url in _urls(hidden):
        assert client.get(url).status_code == 404
    # Staff may still preview it.
    assert client_for(tenant, manager).get(_urls(hidden)[0]).status_code == 200


def test_partner_type_rule_limits_an_asset_to_the_listed_types(tenant, silver_partner, silver_user, client_for):
    msp = PartnerTypeFactory(tenant=tenant, code="msp", name="MSP")
    only_msp = AssetFactory(tenant=tenant, title="MSP runbook")
    AssetPartnerTypeFactory(asset=only_msp, partner_type=msp)
    for_resellers = AssetFactory(tenant=tenant, title="Reseller kit")
    AssetPartnerTypeFactory(asset=for_resellers, partner_type=silver_partner.partner_type)
    client = client_for(tenant, silver_user)
    titles = {a.title for a in client.get("/content/").context["page"].object_list}
    assert titles == {"Reseller kit"}
    assert client.get(_urls(only_msp)[0]).status_code == 404


def test_admin_only_asset_is_hidden_from_partner_users_but_not_partner_admins(
    tenant, silver_partner, silver_user, make_member, client_for
):
    asset = AssetFactory(tenant=tenant, title="Contract templates", audience_role="partner_admin")
    admin = make_member(tenant, "partner_admin", partner=silver_partner)
    assert client_for(tenant, silver_user).get(_urls(asset)[0]).status_code == 404
    assert client_for(tenant, admin).get(_urls(asset)[0]).status_code == 200


def test_partner_without_tier_sees_only_assets_without_a_minimum_tier(tenant, tiers, make_member, client_for):
    from tests.factories import PartnerFactory

    untiered = PartnerFactory(tenant=tenant, tier=None)
    user = make_member(tenant, "partner_user", partner=untiered)
    AssetFactory(tenant=tenant, title="Open to all")
    AssetFactory(tenant=tenant, title="Registered and up", min_tier=tiers[1])
    titles = {a.title for a in client_for(tenant, user).get("/content/").context["page"].object_list}
    assert titles == {"Open to all"}


def test_suspended_partner_sees_no_content(tenant, silver_partner, silver_user, client_for):
    asset = AssetFactory(tenant=tenant, title="Open to all")
    silver_partner.status = "suspended"
    silver_partner.save()
    client = client_for(tenant, silver_user)
    assert client.get("/content/").context["page"].paginator.count == 0
    assert client.get(_urls(asset)[0]).status_code == 404


def test_facet_and_new_counts_only_count_what_the_partner_may_see(tenant, tiers, silver_user, client_for):
    AssetFactory(tenant=tenant, title="Visible one")
    AssetFactory(tenant=tenant, title="Gold only", min_tier=tiers[3])
    response = client_for(tenant, silver_user).get("/content/")
    assert response.context["facets"].total == 1
    assert response.context["new_count"] == 1
    assert [f.count for f in response.context["facets"].kinds] == [1]


def test_another_tenants_asset_is_a_404_for_every_role(tenant, other_tenant, members, client_for):
    theirs = AssetFactory(tenant=other_tenant, title="Globex secret")
    for user in members.values():
        client = client_for(tenant, user)
        for url in _urls(theirs):
            assert client.get(url).status_code == 404, (user.email, url)


def test_the_audience_selector_is_the_single_rule_for_partners(tenant, tiers, silver_user):
    AssetFactory(tenant=tenant, title="Gold only", min_tier=tiers[3])
    visible = AssetFactory(tenant=tenant, title="Silver and up", min_tier=tiers[2])
    with tenant_scope(tenant):
        viewer = Viewer.of(Membership.objects.select_related("partner", "tenant", "user").get(user=silver_user))
        assert list(assets_visible_to(viewer)) == [visible]
        # A file asset without an uploaded file is not offered.
        AssetFactory(tenant=tenant, title="No file yet", kind=Asset.Kind.FILE, external_url="")
        assert list(assets_visible_to(viewer)) == [visible]
