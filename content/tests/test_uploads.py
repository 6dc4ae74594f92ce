"""Upload safety on the staff page and in the admin: size, sniffed type, scripts, names, versions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from content.models import Asset, AssetVersion
from prm.tenancy.scoping import tenant_scope
from tests.factories import make_pdf_bytes

pytestmark = pytest.mark.django_db

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
SCRIPTED_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def _post_new(client, upload, **extra):
    data = {"title": "Q3 deck", "kind": "file", "audience_role": "", "publish_at": "", "file": upload}
    data.update(extra)
    return client.post("/content/manage/new", data)


def _no_asset_saved(tenant):
    with tenant_scope(tenant):
        return not Asset.objects.exists() and not AssetVersion.objects.exists()


def test_an_oversized_upload_is_refused_with_a_message(tenant, manager, client_for, settings):
    settings.PRM_MAX_UPLOAD_MB = 1
    big = make_pdf_bytes() + b"%" + b"0" * (1024 * 1024 + 10)
    response = _post_new(client_for(tenant, manager), SimpleUploadedFile("deck.pdf", big, "application/pdf"))
    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()
    assert "the limit is 1 MB" in str(response.context["form"].errors["file"])
    assert _no_asset_saved(tenant)


def test_a_renamed_executable_is_refused_with_a_message(tenant, manager, client_for):
    response = _post_new(client_for(tenant, manager), SimpleUploadedFile("deck.pdf", EXECUTABLE, "application/pdf"))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Executable files are not allowed."]
    assert "Executable files are not allowed." in response.content.decode()  # shown to the uploader
    assert _no_asset_saved(tenant)


def test_an_svg_with_a_script_is_refused_with_a_message(tenant, manager, client_for):
    response = _post_new(client_for(tenant, manager), SimpleUploadedFile("logo.svg", SCRIPTED_SVG, "image/svg+xml"))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["SVG images with scripts, event handlers, external links or unknown elements are not allowed."]
    assert "SVG images with scripts, event handlers, external links or unknown elements are not allowed." in response.content.decode()
    assert _no_asset_saved(tenant)


def test_an_svg_with_an_event_handler_is_refused_too(tenant, manager, client_for):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5" onload="alert(1)"/></svg>'
    response = _post_new(client_for(tenant, manager), SimpleUploadedFile("logo.svg", svg, "image/svg+xml"))
    assert response.status_code == 400
    assert "SVG images with scripts, event handlers, external links or unknown elements are not allowed." in response.content.decode()
    assert _no_asset_saved(tenant)


def test_html_disguised_as_a_pdf_is_refused(tenant, manager, client_for):
    page = b"<!doctype html><html><body><script>steal()</script></body></html>"
    response = _post_new(client_for(tenant, manager), SimpleUploadedFile("brochure.pdf", page, "application/pdf"))
    assert response.context["form"].errors["file"] == ["HTML files are not allowed."]
    assert _no_asset_saved(tenant)


def test_a_clean_svg_and_a_pdf_are_accepted_and_names_are_sanitised(tenant, manager, client_for):
    client = client_for(tenant, manager)
    response = _post_new(client, SimpleUploadedFile("../../Q3 Déck (final)!.pdf", make_pdf_bytes(), "text/html"))
    assert response.status_code == 302
    with tenant_scope(tenant):
        version = AssetVersion.objects.get()
        assert version.original_name == "Q3-Deck-final.pdf"
        assert version.content_type == "application/pdf"  # sniffed, not the browser's claim
        # Stored under a random name in the tenant's private area, not the uploader's name.
        assert version.file.name.startswith(f"tenants/{tenant.pk}/content/")
        assert "Deck" not in version.file.name
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>'
    assert _post_new(client, SimpleUploadedFile("shape.svg", svg, "image/svg+xml"), title="Shape").status_code == 302


def test_co_branding_needs_a_pdf(tenant, manager, client_for):
    response = _post_new(client_for(tenant, manager), SimpleUploadedFile("notes.txt", b"plain notes\n", "text/plain"),
                         co_brand="on")
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Only PDF files can be co-branded."]


def test_replacing_the_file_keeps_history_and_partners_get_the_current_version(
    tenant, manager, silver_user, client_for
):
    client = client_for(tenant, manager)
    _post_new(client, SimpleUploadedFile("v1.txt", b"first edition\n", "text/plain"), publish_at="2024-01-01T09:00")
    with tenant_scope(tenant):
        asset = Asset.objects.get()
    response = client.post(f"/content/manage/a/{asset.pk}/versions",
                           {"version-file": SimpleUploadedFile("v2.txt", b"second edition\n"), "version-note": "Typos"})
    assert response.status_code == 302
    with tenant_scope(tenant):
        versions = list(AssetVersion.objects.filter(asset=asset).order_by("number"))
        asset.refresh_from_db()
    assert [v.number for v in versions] == [1, 2]
    assert asset.current_version == versions[1]
    assert versions[1].note == "Typos"
    download = client_for(tenant, silver_user).get(f"/content/a/{asset.pk}/download")
    assert b"".join(download.streaming_content) == b"second edition\n"
    # Staff can still fetch the first version.
    old = client.get(f"/content/manage/versions/{versions[0].pk}/download")
    assert b"".join(old.streaming_content) == b"first edition\n"


def test_a_refused_new_version_leaves_the_current_one_in_place(tenant, manager, client_for):
    client = client_for(tenant, manager)
    _post_new(client, SimpleUploadedFile("v1.txt", b"first edition\n", "text/plain"))
    with tenant_scope(tenant):
        asset = Asset.objects.get()
    response = client.post(f"/content/manage/a/{asset.pk}/versions",
                           {"version-file": SimpleUploadedFile("v2.pdf", EXECUTABLE)})
    assert response.status_code == 400
    assert "Executable files are not allowed." in response.content.decode()
    with tenant_scope(tenant):
        assert AssetVersion.objects.filter(asset=asset).count() == 1


def test_the_admin_refuses_a_renamed_executable_too(tenant, manager, client_for):
    data = {
        "title": "Admin deck", "kind": "file", "audience_role": "", "file": SimpleUploadedFile("deck.pdf", EXECUTABLE),
        "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0", "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "0",
    }
    response = client_for(tenant, manager).post("/admin/content/asset/add/", data)
    assert response.status_code == 200
    assert "Executable files are not allowed." in response.content.decode()
    assert _no_asset_saved(tenant)


def test_the_admin_saves_an_upload_as_a_version(tenant, manager, client_for):
    data = {
        "title": "Admin deck", "kind": "file", "audience_role": "",
        "file": SimpleUploadedFile("deck.pdf", make_pdf_bytes()),
        "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0", "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "0",
    }
    response = client_for(tenant, manager).post("/admin/content/asset/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_scope(tenant):
        asset = Asset.objects.get()
        assert asset.current_version.original_name == "deck.pdf"
        assert asset.tenant == tenant


def test_an_encrypted_pdf_cannot_be_marked_co_brandable(tenant, manager, client_for):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf_bytes())))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    response = _post_new(client_for(tenant, manager), SimpleUploadedFile("locked.pdf", buffer.getvalue()), co_brand="on")
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["This PDF is encrypted or damaged and cannot be co-branded."]
    assert _no_asset_saved(tenant)
