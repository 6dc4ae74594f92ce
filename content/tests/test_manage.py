"""Staff pages: who may manage content, asset editing with audience rules, merge-template validation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from content.models import Asset, AssetPartnerType
from prm.audit.models import AuditEntry
from prm.tenancy.scoping import tenant_scope
from tests.factories import AssetFactory, CategoryFactory, file_asset, make_pdf_bytes

pytestmark = pytest.mark.django_db

STAFF_READ = ["/content/manage/", "/content/manage/analytics/"]


def test_partners_cannot_open_staff_pages(tenant, members, client_for):
    asset = file_asset(tenant, title="Deck")
    urls = STAFF_READ + ["/content/manage/new", f"/content/manage/a/{asset.pk}/",
                         f"/content/manage/versions/{asset.current_version.pk}/download"]
    for role in ("partner_user", "partner_admin"):
        client = client_for(tenant, members[role])
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)


def test_executives_read_but_do_not_change(tenant, members, client_for):
    asset = file_asset(tenant, title="Deck")
    client = client_for(tenant, members["executive"])
    for url in STAFF_READ:
        assert client.get(url).status_code == 200
    assert client.get("/content/manage/new").status_code == 403
    assert client.post(f"/content/manage/a/{asset.pk}/", {"title": "Changed"}).status_code == 403
    assert client.post(f"/content/manage/a/{asset.pk}/versions", {}).status_code == 403


def test_a_manager_creates_a_published_asset_with_audience_rules(tenant, tiers, reseller, manager, client_for):
    category = CategoryFactory(tenant=tenant, name="Sales", slug="sales")
    response = client_for(tenant, manager).post("/content/manage/new", {
        "title": "Battle card", "description": "Win themes", "category": category.pk, "tags": "competition",
        "language": "en", "kind": "file", "min_tier": tiers[2].pk, "audience_role": "", "limit_to_types": [reseller.pk],
        "publish_at": "2025-01-10T09:30", "is_featured": "on",
        "file": SimpleUploadedFile("card.pdf", make_pdf_bytes(), "application/pdf"),
    })
    assert response.status_code == 302
    with tenant_scope(tenant):
        asset = Asset.objects.get()
        assert (asset.min_tier, asset.category, asset.is_featured, asset.language) == (tiers[2], category, True, "en")
        assert asset.publication_state == "published"
        assert list(AssetPartnerType.objects.filter(asset=asset).values_list("partner_type_id", flat=True)) == [reseller.pk]
        assert asset.current_version.number == 1
        assert AuditEntry.objects.filter(action="content.asset.create", object_id=str(asset.pk)).exists()
        assert AuditEntry.objects.filter(action="content.asset.new_version").exists()
    assert response["Location"] == f"/content/manage/a/{asset.pk}/"


def test_editing_replaces_the_partner_type_rule(tenant, reseller, manager, client_for):
    from tests.factories import PartnerTypeFactory

    msp = PartnerTypeFactory(tenant=tenant, code="msp", name="MSP")
    asset = AssetFactory(tenant=tenant, title="Kit")
    with tenant_scope(tenant):
        AssetPartnerType.objects.create(tenant=tenant, asset=asset, partner_type=reseller)
    response = client_for(tenant, manager).post(f"/content/manage/a/{asset.pk}/", {
        "title": "Kit", "kind": "link", "external_url": "https://example.com/kit", "audience_role": "partner_admin",
        "limit_to_types": [msp.pk], "publish_at": "2025-01-10T09:30",
    })
    assert response.status_code == 302
    with tenant_scope(tenant):
        asset.refresh_from_db()
        assert asset.audience_role == "partner_admin"
        assert list(asset.partner_types.all()) == [msp]


def test_publishing_a_file_asset_without_a_file_is_refused(tenant, manager, client_for):
    response = client_for(tenant, manager).post("/content/manage/new", {
        "title": "Empty", "kind": "file", "audience_role": "", "publish_at": "2025-01-10T09:30",
    })
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Upload the file before publishing this asset."]


def test_a_link_asset_needs_a_link(tenant, manager, client_for):
    response = client_for(tenant, manager).post("/content/manage/new", {"title": "Video", "kind": "link", "audience_role": ""})
    assert response.context["form"].errors["external_url"] == ["Enter the link partners should open."]


def test_a_merge_template_with_unknown_fields_or_tags_is_refused(tenant, manager, client_for):
    response = client_for(tenant, manager).post("/content/manage/new", {
        "title": "One-pager", "kind": "html", "audience_role": "",
        "html_body": "{% load static %}<p>{{ partner_name|safe }} {{ request.user.password }}</p>{% include 'base.html' %}",
    })
    errors = response.context["form"].errors["html_body"]
    assert "The tag “load” is not allowed." in errors
    assert "The tag “include” is not allowed." in errors
    assert "The filter “safe” is not allowed." in errors
    assert "Unknown merge field “request.user.password”." in errors
    with tenant_scope(tenant):
        assert not Asset.objects.exists()


def test_choices_never_offer_another_tenants_rows(tenant, other_tenant, manager, client_for):
    CategoryFactory(tenant=tenant, name="Ours", slug="ours")
    CategoryFactory(tenant=other_tenant, name="Theirs", slug="theirs")
    html = client_for(tenant, manager).get("/content/manage/new").content.decode()
    assert "Ours" in html and "Theirs" not in html
    admin_html = client_for(tenant, manager).get("/admin/content/asset/add/").content.decode()
    assert "Ours" in admin_html and "Theirs" not in admin_html


def test_the_management_list_shows_every_state_and_recent_use(tenant, manager, client_for, silver_user):
    draft = AssetFactory(tenant=tenant, title="Draft kit", publish_at=None)
    live = file_asset(tenant, title="Live deck")
    client_for(tenant, silver_user).get(f"/content/a/{live.pk}/")
    response = client_for(tenant, manager).get("/content/manage/")
    rows = {row["asset"].title: row for row in response.context["rows"]}
    assert set(rows) == {"Draft kit", "Live deck"}
    assert rows["Live deck"]["usage"]["views"] == 1
    assert draft.publication_state == "draft"
    assert "Draft" in response.content.decode()


def test_merge_templates_may_use_conditions_and_formatting_filters():
    from content.merge import render_merge_template, validate_merge_template

    body = '{% if partner_tier == "Gold" %}<b>{{ partner_name|upper }}</b>{% else %}{{ contact_name|default:"us" }}{% endif %}'
    validate_merge_template(body)
    context = {"partner_tier": "Gold", "partner_name": "Ace & Co", "contact_name": ""}
    assert render_merge_template(body, context) == "<b>ACE &amp; CO</b>"
    assert render_merge_template(body, {**context, "partner_tier": "Silver"}) == "us"


def test_co_branding_an_existing_non_pdf_file_is_refused_on_the_form(tenant, manager, client_for):
    asset = file_asset(tenant, title="Notes", content=b"plain notes\n", original_name="notes.txt", content_type="text/plain")
    response = client_for(tenant, manager).post(f"/content/manage/a/{asset.pk}/", {
        "title": "Notes", "kind": "file", "audience_role": "", "co_brand": "on", "publish_at": "2025-01-10T09:30",
    })
    assert response.status_code == 400
    assert response.context["form"].errors["co_brand"] == ["Only PDF files can be co-branded; upload a PDF version first."]
    with tenant_scope(tenant):
        asset.refresh_from_db()
        assert asset.co_brand is False
