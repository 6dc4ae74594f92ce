"""Protected delivery: headers, X-Accel-Redirect, co-branding, merged HTML, one event per view/download."""

import io

import pytest
from pypdf import PdfReader

from content.models import Asset
from prm.events.models import EngagementEvent
from prm.tenancy.scoping import tenant_scope
from tests.factories import AssetFactory, file_asset, make_pdf_bytes

pytestmark = pytest.mark.django_db


def _events(tenant, kind):
    with tenant_scope(tenant):
        return list(EngagementEvent.objects.filter(kind=kind))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_download_streams_the_file_with_type_and_a_sanitised_name(tenant, silver_user, client_for):
    content = make_pdf_bytes("Quarterly deck")
    asset = file_asset(tenant, title='Sales deck: Q3 "final"', content=content)
    response = client_for(tenant, silver_user).get(f"/content/a/{asset.pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Sales-deck-Q3-final.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert _body(response) == content


def test_inline_viewing_is_offered_for_pdfs_but_never_for_svg(tenant, silver_user, client_for):
    pdf = file_asset(tenant, title="Brochure")
    svg = file_asset(tenant, title="Logo", content=b'<svg xmlns="http://www.w3.org/2000/svg"/>',
                     original_name="logo.svg", content_type="image/svg+xml")
    client = client_for(tenant, silver_user)
    assert client.get(f"/content/a/{pdf.pk}/download?inline=1")["Content-Disposition"].startswith("inline")
    assert client.get(f"/content/a/{svg.pk}/download?inline=1")["Content-Disposition"].startswith("attachment")


def test_x_accel_redirect_hands_the_file_to_the_web_server_when_configured(tenant, silver_user, client_for, settings):
    settings.PRM_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    asset = file_asset(tenant, title="Datasheet")
    response = client_for(tenant, silver_user).get(f"/content/a/{asset.pk}/download")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{asset.current_version.file.name}"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Datasheet.pdf"'
    assert response.content == b""
    # Still exactly one download event.
    assert len(_events(tenant, "content_downloaded")) == 1


def test_a_co_branded_pdf_carries_the_partners_name_and_contact(tenant, silver_partner, silver_user, client_for):
    asset = file_asset(tenant, title="Solution brief", co_brand=True, content=make_pdf_bytes("Original text", pages=2))
    response = client_for(tenant, silver_user).get(f"/content/a/{asset.pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Solution-brief-Silverline-Systems.pdf"'
    reader = PdfReader(io.BytesIO(_body(response)))
    assert len(reader.pages) == 2
    for page in reader.pages:
        text = page.extract_text()
        assert "Silverline Systems" in text
        assert "sam@silverline.test" in text
        assert "Original text" in text


def test_a_co_branded_pdf_carries_the_partner_logo(tenant, silver_partner, silver_user, client_for):
    from django.core.files.base import ContentFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), (200, 20, 20)).save(buffer, "PNG")
    silver_partner.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)
    asset = file_asset(tenant, title="Brief", co_brand=True)
    response = client_for(tenant, silver_user).get(f"/content/a/{asset.pk}/download")
    page = PdfReader(io.BytesIO(_body(response))).pages[0]
    assert len(page.images) == 1
    assert "Silverline Systems" in page.extract_text()


def test_staff_preview_a_co_branded_pdf_with_sample_values(tenant, manager, client_for):
    asset = file_asset(tenant, title="Brief", co_brand=True)
    response = client_for(tenant, manager).get(f"/content/a/{asset.pk}/download")
    assert "Example Partner Ltd" in PdfReader(io.BytesIO(_body(response))).pages[0].extract_text()
    assert _events(tenant, "content_downloaded") == []  # staff use is not partner engagement


def test_merge_fields_are_filled_per_partner_and_cannot_inject_markup(tenant, tiers, make_member, client_for):
    from tests.factories import PartnerFactory

    sneaky = PartnerFactory(tenant=tenant, name='<script>alert("x")</script> Ltd', tier=tiers[2])
    user = make_member(tenant, "partner_user", partner=sneaky, email="eve@sneaky.test")
    asset = AssetFactory(tenant=tenant, title="One-pager", kind=Asset.Kind.HTML, external_url="",
                         html_body="<h1>{{ partner_name }}</h1><p>{{ contact_email }} · {{ partner_tier }}</p>")
    client = client_for(tenant, user)
    response = client.get(f"/content/a/{asset.pk}/download?inline=1")
    html = response.content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ltd" in html
    assert "eve@sneaky.test · Silver" in html
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Content-Disposition"].startswith("inline")
    download = client.get(f"/content/a/{asset.pk}/download")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "text/html; charset=utf-8"


def test_a_link_asset_redirects_and_counts_as_one_download(tenant, silver_user, client_for):
    asset = AssetFactory(tenant=tenant, external_url="https://videos.example/demo")
    response = client_for(tenant, silver_user).get(f"/content/a/{asset.pk}/download")
    assert response.status_code == 302
    assert response["Location"] == "https://videos.example/demo"
    events = _events(tenant, "content_downloaded")
    assert len(events) == 1 and events[0].data == {"via": "link"}


def test_exactly_one_engagement_event_per_view_and_per_download(tenant, silver_partner, silver_user, client_for):
    asset = file_asset(tenant, title="Datasheet")
    client = client_for(tenant, silver_user)
    client.get(f"/content/a/{asset.pk}/")
    views = _events(tenant, "content_viewed")
    assert len(views) == 1
    assert (views[0].partner_id, views[0].user_id) == (silver_partner.pk, silver_user.pk)
    assert (views[0].object_type, views[0].object_id) == ("content.asset", str(asset.pk))
    assert _events(tenant, "content_downloaded") == []

    _body(client.get(f"/content/a/{asset.pk}/download"))
    downloads = _events(tenant, "content_downloaded")
    assert len(downloads) == 1
    assert (downloads[0].partner_id, downloads[0].object_id) == (silver_partner.pk, str(asset.pk))
    assert downloads[0].data == {"version": 1}
    assert len(_events(tenant, "content_viewed")) == 1

    # Each further request is one more event, never two.
    client.get(f"/content/a/{asset.pk}/")
    client.get(f"/content/a/{asset.pk}/download")
    assert len(_events(tenant, "content_viewed")) == 2
    assert len(_events(tenant, "content_downloaded")) == 2


def test_a_refused_or_failed_request_records_nothing(tenant, tiers, silver_user, client_for):
    gold = file_asset(tenant, title="Gold only", min_tier=tiers[3])
    missing = file_asset(tenant, title="Lost file")
    missing.current_version.file.delete(save=False)
    client = client_for(tenant, silver_user)
    assert client.get(f"/content/a/{gold.pk}/").status_code == 404
    assert client.get(f"/content/a/{gold.pk}/download").status_code == 404
    assert client.get(f"/content/a/{missing.pk}/download").status_code == 404
    assert client.post(f"/content/a/{missing.pk}/download").status_code == 405
    assert _events(tenant, "content_viewed") == [] and _events(tenant, "content_downloaded") == []


def test_anonymous_visitors_are_sent_to_sign_in(tenant, client_for):
    asset = file_asset(tenant, title="Datasheet")
    response = client_for(tenant).get(f"/content/a/{asset.pk}/download")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_onboarding_can_react_to_the_download_event(tenant, silver_user, client_for, django_capture_on_commit_callbacks):
    """The event is what the partners app's onboarding subscribes to: it names the asset."""
    from prm.events.services import subscribe, unsubscribe

    seen = []

    @subscribe("content_downloaded")
    def spy(event):
        seen.append((event.object_type, event.object_id))

    try:
        asset = file_asset(tenant, title="Datasheet")
        with django_capture_on_commit_callbacks(execute=True):
            client_for(tenant, silver_user).get(f"/content/a/{asset.pk}/download")
        assert ("content.asset", str(asset.pk)) in seen
    finally:
        unsubscribe("content_downloaded", spy)


def test_a_co_branded_asset_whose_pdf_cannot_be_stamped_is_delivered_as_is(tenant, silver_user, client_for):
    damaged = b"%PDF-1.4\n% damaged beyond repair\n"
    asset = file_asset(tenant, title="Damaged", co_brand=True, content=damaged)
    response = client_for(tenant, silver_user).get(f"/content/a/{asset.pk}/download")
    assert response.status_code == 200
    assert _body(response) == damaged
    assert len(_events(tenant, "content_downloaded")) == 1


def test_an_empty_library_offers_adding_an_asset_only_to_those_who_may(tenant, members, client_for):
    add = 'href="/content/manage/new"'
    manager_page = client_for(tenant, members["channel_manager"]).get("/content/").content.decode()
    assert "The library is empty for now." in manager_page and add in manager_page
    executive_page = client_for(tenant, members["executive"]).get("/content/").content.decode()
    assert "Channel managers publish content here." in executive_page and add not in executive_page
    assert client_for(tenant, members["executive"]).get("/content/manage/new").status_code == 403
