"""Security hardening: headers, cookies, CSRF, session rotation, rate limits, upload fuzzing."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

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
