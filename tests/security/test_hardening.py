"""Security hardening: headers, cookies, CSRF, session rotation, rate limits, upload fuzzing."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prm.tenancy.sessions import bind_session
from prm.uploads import validate_upload
from tests.factories import TEST_PASSWORD
from tests.security.crawler import discover

pytestmark = pytest.mark.django_db


def test_security_headers_on_every_page(tenant, members, client_for):
    response = client_for(tenant, members["partner_user"]).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_contain_no_inline_scripts_or_styles(tenant, members, client_for):
    import re

    for user in members.values():
        body = client_for(tenant, user).get("/").content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline <script> block"
        assert not re.search(r"\sstyle=\"", body), "inline style attribute"
        assert not re.search(r"\son[a-z]+=\"", body), "inline event handler"


def test_production_cookie_and_transport_settings(settings):
    # The values production gets (DEBUG=0); check --deploy is run in prm/tests/test_platform.py.
    import importlib

    import prm.settings as prod

    os.environ["DEBUG"] = "0"
    try:
        importlib.reload(prod)
        assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
        assert prod.SESSION_COOKIE_HTTPONLY and prod.CSRF_COOKIE_HTTPONLY
        assert prod.SECURE_HSTS_SECONDS >= 31536000 and prod.SECURE_HSTS_INCLUDE_SUBDOMAINS
        assert prod.SECURE_SSL_REDIRECT
    finally:
        os.environ.pop("DEBUG", None)
        importlib.reload(prod)


def test_every_post_endpoint_requires_a_csrf_token(tenant, members, client_for):
    """With CSRF checks enforced, a POST without a token is refused everywhere."""
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost", enforce_csrf_checks=True)
    client.force_login(members["tenant_admin"], backend="django.contrib.auth.backends.ModelBackend")
    bind_session(client.session, tenant)
    checked = 0
    for pattern in discover():
        if pattern.params or pattern.route.startswith("static"):
            continue
        response = client.post(pattern.build({}), {"x": "y"})
        assert response.status_code in (403, 404, 405), f"POST {pattern.route} without CSRF -> {response.status_code}"
        checked += 1
    assert checked > 30


def test_session_key_rotates_on_sign_in(tenant, members):
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    response = client.post("/accounts/login/", {"login": members["executive"].email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != before


@pytest.mark.parametrize("path,data,field", [
    ("/accounts/login/", {"login": "executive@acme.test", "password": "wrong"}, "login"),
    ("/accounts/password/reset/", {"email": "executive@acme.test"}, "reset"),
])
def test_sign_in_and_password_reset_are_rate_limited(tenant, members, path, data, field):
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    statuses = [client.post(path, data).status_code for _ in range(25)]
    assert 429 in statuses or any(
        b"Too many" in client.post(path, data).content for _ in range(1)
    ), statuses


def test_invitation_acceptance_is_rate_limited(tenant):
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    statuses = [client.post("/invite/guessing-a-token/", {}).status_code for _ in range(15)]
    assert statuses[0] == 410 and statuses[-1] == 429


# --- Upload fuzzing: every kind of bad file is refused with a message, never accepted ---------

def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (50 * 1024 * 1024))
    return buffer.getvalue()


BAD_FILES = {
    "zero-bytes.pdf": b"",
    "random.pdf": os.urandom(4096),
    "renamed-exe.pdf": b"MZ\x90\x00" + os.urandom(1024),
    "elf.png": b"\x7fELF" + os.urandom(512),
    "script.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "onload.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    "page.pdf": b"<!doctype html><html><body><script>alert(1)</script></body></html>",
    "bomb.docx": _zip_bomb(),
    "shell.txt": b"#!/bin/sh\nrm -rf /\n",
}


BAD_SVGS = {
    "script.svg": BAD_FILES["script.svg"],
    "onload.svg": BAD_FILES["onload.svg"],
    "namespaced-script.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><x:script xmlns:x="http://www.w3.org/2000/svg">'
                             b'alert(1)</x:script></svg>',
    "xhtml-script.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/1999/xhtml">'
                        b'alert(1)</h:script></svg>',
    "entity-javascript.svg": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                             b'<a xlink:href="javascript&#58;alert(1)"><rect width="9" height="9"/></a></svg>',
    "entity-href.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><use href="java&#x73;cript:alert(1)"/></svg>',
    "dtd-entity.svg": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">'
                      b'&x;</svg>',
    "foreign-object.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
                          b'hi</div></foreignObject></svg>',
    "external-image.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
    "style-import.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/x.css);</style></svg>',
    "event-handler.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><rect ONCLICK="alert(1)"/></svg>',
    "animate-href.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="javascript:alert(1)"/></svg>',
}
GOOD_SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- made in Inkscape -->\n'
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
            b'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" inkscape:version="1.3">'
            b'<defs><linearGradient id="g"><stop offset="0" stop-color="#123"/></linearGradient></defs>'
            b'<style>.a{fill:url(#g)}</style><title>Logo</title>'
            b'<path class="a" d="M0 0h10v10H0z" style="stroke:#000"/><use xlink:href="#g"/></svg>')


@pytest.mark.parametrize("name", sorted(BAD_SVGS))
def test_svg_is_checked_against_an_allow_list(name):
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(SimpleUploadedFile(name, BAD_SVGS[name]), kinds={"svg", "image"}, max_mb=5)
    assert excinfo.value.messages[0]


def test_a_plain_svg_from_an_editor_is_accepted():
    sniffed = validate_upload(SimpleUploadedFile("logo.svg", GOOD_SVG), kinds={"svg"}, max_mb=5)
    assert sniffed.content_type == "image/svg+xml"


def _gif_with_html() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("P", (8, 8), 3).save(buffer, "GIF")
    return buffer.getvalue() + b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "JPEG", "WEBP"])
def test_raster_images_are_re_encoded_so_appended_data_is_dropped(fmt):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, fmt)
    payload = buffer.getvalue() + b"<html><script>alert(1)</script></html>"
    upload = SimpleUploadedFile(f"x.{fmt.lower()}", payload)
    sniffed = validate_upload(upload, kinds={"image"}, max_mb=5)
    upload.seek(0)
    kept = upload.read()
    assert b"<script" not in kept and sniffed.size == len(kept) == upload.size
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == fmt and image.size == (16, 16)


def test_a_gif_with_html_appended_is_stored_as_a_clean_logo(tenant, members, client_for, settings_page_data):
    client = client_for(tenant, members["tenant_admin"])
    data = {**settings_page_data(tenant), "name": tenant.name, "primary_colour": "#123456", "default_language": "en", "base_currency": "USD",
            "allowed_currencies": "USD", "deal_protection_days": 90, "deal_approval_sla_days": 2,
            "tier_downgrade_grace_days": 60, "agreement_grace_days": 30, "tier_evaluation": "propose",
            "logo": SimpleUploadedFile("logo.gif", _gif_with_html())}
    assert client.post("/staff/settings/", data).status_code == 302
    tenant.refresh_from_db()
    with tenant.logo.open("rb") as handle:
        stored = handle.read()
    assert stored.startswith(b"GIF8") and b"<script" not in stored and b"<html" not in stored


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_uploads_are_refused_by_content(name):
    upload = SimpleUploadedFile(name, BAD_FILES[name])
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(upload, kinds={"pdf", "image", "office"}, max_mb=5)
    assert excinfo.value.messages[0]


def test_huge_upload_is_refused():
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    with pytest.raises(ValidationError, match="too large"):
        validate_upload(upload, kinds={"pdf"}, max_mb=2)


def test_good_files_pass_and_names_are_sanitised():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    sniffed = validate_upload(SimpleUploadedFile("../../etc/pass wd.exe", buffer.getvalue()), kinds={"image"})
    assert sniffed.content_type == "image/png" and sniffed.safe_name == "pass-wd.png"


@pytest.mark.parametrize("name", ["random.pdf", "renamed-exe.pdf", "script.svg", "zero-bytes.pdf"])
def test_bad_logo_upload_through_the_settings_page_gets_a_4xx(tenant, members, client_for, name):
    client = client_for(tenant, members["tenant_admin"])
    data = {"name": tenant.name, "primary_colour": "#123456", "default_language": "en", "base_currency": "USD",
            "allowed_currencies": "USD", "deal_protection_days": 90, "deal_approval_sla_days": 2,
            "tier_downgrade_grace_days": 60, "agreement_grace_days": 30, "tier_evaluation": "propose",
            "logo": SimpleUploadedFile(name, BAD_FILES[name])}
    response = client.post("/staff/settings/", data)
    assert response.status_code == 400
    tenant.refresh_from_db()
    assert not tenant.logo


# --- Sessions belong to the host that signed them in ------------------------------------------

def test_a_session_cookie_of_one_portal_is_refused_on_another(tenant, other_tenant, make_member):
    user = make_member(tenant, "channel_manager", email="both@example.com")
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=other_tenant, user=user, role="channel_manager")
    acme = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    assert acme.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD}).status_code == 302
    assert acme.get("/").status_code == 200
    stolen = acme.cookies["sessionid"].value
    globex = Client(HTTP_HOST=f"{other_tenant.slug}.localhost")
    globex.cookies["sessionid"] = stolen
    response = globex.get("/staff/people/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert globex.cookies["sessionid"].value != stolen  # the borrowed cookie is replaced
    assert acme.get("/staff/people/").status_code == 200  # and the owner's session is untouched


def test_a_session_of_the_base_domain_is_not_a_portal_session(tenant, members):
    base = Client(HTTP_HOST="localhost")
    assert base.post("/accounts/login/", {"login": members["channel_manager"].email,
                                          "password": TEST_PASSWORD}).status_code == 302
    portal = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    portal.cookies["sessionid"] = base.cookies["sessionid"].value
    assert portal.get("/staff/people/").status_code == 302


# --- Headers: nothing a signed-in person saw is kept by a shared cache -------------------------

def test_authenticated_pages_and_exports_are_private_and_not_stored(tenant, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    for path in ("/", "/staff/people/", "/partners/staff/partners/export.csv", "/deals/export.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store", path
    # Branding is the same for everyone and stays cacheable.
    assert client.get("/branding/theme.css")["Cache-Control"] == "public, max-age=300"


def test_a_permissions_policy_denies_what_the_portal_does_not_use(tenant, members, client_for):
    policy = client_for(tenant, members["partner_user"]).get("/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def test_a_post_from_another_tenants_origin_is_refused_in_development_too(tenant, other_tenant, members, settings):
    assert settings.CSRF_TRUSTED_ORIGINS == [] or not any("*" in o for o in settings.CSRF_TRUSTED_ORIGINS)
    import importlib

    import prm.settings as dev

    os.environ["DEBUG"] = "1"
    try:
        importlib.reload(dev)
        assert not any("*" in origin for origin in dev.CSRF_TRUSTED_ORIGINS)
    finally:
        os.environ.pop("DEBUG", None)
        importlib.reload(dev)
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost", enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    data = {"login": members["executive"].email, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token}
    foreign = client.post("/accounts/login/", data, HTTP_ORIGIN=f"http://{other_tenant.slug}.localhost")
    assert foreign.status_code == 403
    same = client.post("/accounts/login/", data, HTTP_ORIGIN=f"http://{tenant.slug}.localhost")
    assert same.status_code == 302
