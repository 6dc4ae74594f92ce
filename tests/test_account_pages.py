"""allauth's pages (password, sign-out, e-mail, two-factor) look like the portal: the site layout
with its header, one card with a heading, fields through partials/form_field.html (labels without
allauth's colons, "Remember me" not "Remember Me:"), the portal's buttons and no inline script.

allauth draws these pages with its element templates, which templates/allauth/elements/ override;
a few pages are overridden where their wording needed to change (templates/account/, templates/mfa/)."""

from __future__ import annotations

import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LABEL = re.compile(r"<(label|legend)\b[^>]*>(.*?)</\1>", re.S)
TAG = re.compile(r"<[^>]+>")
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/",
    "/accounts/password/reset/key/zz-not-a-valid-key/",
    "/accounts/signup/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-valid-key/",
    "/accounts/inactive/",
]
SIGNED_IN_PAGES = [
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/accounts/email/",
    "/accounts/2fa/",
]
# Pages of a user with an authenticator app, after confirming their password (allauth asks again
# before anything changes how they sign in).
TWO_FACTOR_PAGES = [
    "/accounts/2fa/",
    "/accounts/2fa/totp/deactivate/",
    "/accounts/2fa/recovery-codes/",
    "/accounts/2fa/recovery-codes/generate/",
    "/accounts/2fa/reauthenticate/",
]


def labels_of(html: str) -> list[str]:
    """The visible text of every label and legend (the required-field asterisk left out)."""
    texts = []
    for _tag, inner in LABEL.findall(html):
        inner = re.sub(r'<span aria-hidden="true">\*</span>', "", inner)
        texts.append(" ".join(TAG.sub(" ", inner).split()))
    return texts


def assert_portal_page(response, *, card: bool = True) -> str:
    """The page is drawn in the portal's look; returns its HTML."""
    assert response.status_code == 200, response.get("Location")
    html = response.content.decode()
    assert 'class="site-header"' in html  # base.html, the portal layout
    if card:
        assert 'class="auth-card-header"' in html or 'class="auth-card"' in html
        assert re.search(r"<h1>\s*\S", html), "a heading"
    assert "Remember Me" not in html and "Messages:" not in html and "Menu:" not in html  # allauth's bare layout
    offenders = [text for text in labels_of(html) if text.endswith(":")]
    assert not offenders, f"labels ending in a colon: {offenders}"
    assert not INLINE_SCRIPT.search(html), "an inline script (CSP)"
    assert " style=" not in html
    return html


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def signed_in_with_password(client, user):
    """A real sign-in (allauth records the method), then the password confirmed again, as the
    two-factor pages ask."""
    assert client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD}).status_code == 302
    response = client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def signed_in_with_totp(client, user):
    """Password and code at the sign-in, then the password confirmed again."""
    assert client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD}).status_code == 302
    assert client.post("/accounts/2fa/authenticate/", {"code": current_code(user.totp_secret)}).status_code == 302
    assert client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD}).status_code == 302
    return client


@pytest.fixture
def totp_user(members):
    user = members["partner_user"]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    user.totp_secret = secret
    return user


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_pages_before_sign_in_are_portal_pages(tenant, client_for, path):
    assert_portal_page(client_for(tenant).get(path))


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_account_pages_of_a_signed_in_member_are_portal_pages(tenant, members, client_for, path):
    html = assert_portal_page(client_for(tenant, members["partner_user"]).get(path))
    assert 'class="primary-nav"' in html  # the member's own navigation stays on screen


def test_fields_are_drawn_by_the_portal_field_partial(tenant, members, client_for):
    html = assert_portal_page(client_for(tenant, members["partner_user"]).get("/accounts/password/change/"))
    for name in ("oldpassword", "password1", "password2"):
        assert f'id="field-{name}"' in html and f'id="id_{name}_errors"' in html
    assert labels_of(html)[-3:] == ["Current Password", "New Password", "New Password (again)"]
    assert '<div class="actions auth-actions">' in html


def test_the_sign_in_page_says_remember_me_without_a_colon(tenant, client_for):
    html = assert_portal_page(client_for(tenant).get("/accounts/login/"))
    assert "Remember me on this device" in labels_of(html)


def test_signup_explains_how_people_get_in(tenant, client_for):
    html = assert_portal_page(client_for(tenant).get("/accounts/signup/"))
    assert "Access to this portal is by invitation" in html and 'href="/partners/apply/"' in html


def test_a_used_reset_link_says_so_and_offers_a_new_one(tenant, client_for):
    html = assert_portal_page(client_for(tenant).get("/accounts/password/reset/key/zz-not-a-valid-key/"))
    assert "This link no longer works" in html and "Bad Token" not in html
    assert 'href="/accounts/password/reset/"' in html


def test_a_valid_reset_link_shows_the_new_password_form(tenant, members, client_for):
    user = members["partner_user"]
    client = client_for(tenant)
    response = client.get(f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-"
                          f"{default_token_generator.make_token(user)}/", follow=True)
    html = assert_portal_page(response)
    assert 'id="field-password1"' in html and 'id="field-password2"' in html


def test_a_reset_request_leads_to_the_done_page(tenant, client_for):
    client = client_for(tenant)
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    html = assert_portal_page(client.get(response["Location"]))
    assert "We have sent you an email" in html


def test_a_changed_password_offers_the_way_back_to_sign_in(tenant, client_for):
    html = assert_portal_page(client_for(tenant).get("/accounts/password/reset/key/done/"))
    assert 'href="/accounts/login/"' in html


def test_setting_up_the_authenticator_app_is_explained_step_by_step(tenant, members, client_for):
    client = signed_in_with_password(client_for(tenant), members["partner_user"])
    html = assert_portal_page(client.get("/accounts/2fa/totp/activate/"))
    assert "Scan this QR code with the app." in html
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="QR code for your authenticator app"', html)
    assert 'id="authenticator_secret"' in html and "readonly" in html  # copyable, unlike allauth's disabled field
    assert 'href="otpauth://' in html  # set up on the phone itself: open the app
    assert 'id="field-code"' in html


def test_staff_sent_to_set_up_the_app_are_told_why(tenant, members, client_for):
    tenant.require_mfa_for_staff = True
    tenant.save()
    client = signed_in_with_password(client_for(tenant), members["channel_manager"])
    html = assert_portal_page(client.get("/accounts/2fa/totp/activate/"))
    assert "asks its staff to sign in with a second factor" in html


@pytest.mark.parametrize("path", TWO_FACTOR_PAGES)
def test_two_factor_pages_are_portal_pages(tenant, totp_user, client_for, path):
    client = signed_in_with_totp(client_for(tenant), totp_user)
    html = assert_portal_page(client.get(path))
    if path == "/accounts/2fa/recovery-codes/":
        assert "Each code works once" in html and 'id="recovery_codes"' in html
    if path == "/accounts/2fa/totp/deactivate/":
        assert 'class="danger"' in html and 'href="/accounts/2fa/"' in html  # a way back beside the red button


def test_recovery_codes_download_as_a_text_file(tenant, totp_user, client_for):
    client = signed_in_with_totp(client_for(tenant), totp_user)
    response = client.get("/accounts/2fa/recovery-codes/download/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert len(response.content.decode().split()) == 10


def test_the_two_factor_step_of_the_sign_in_is_a_portal_page(tenant, totp_user, client_for):
    client = client_for(tenant)
    response = client.post("/accounts/login/", {"login": totp_user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    html = assert_portal_page(client.get("/accounts/2fa/authenticate/"))
    assert 'class="auth-page"' in html and 'class="auth-help"' in html  # beside it: what to do without the phone
    assert "enter the six-digit code it shows" in html and "recovery codes" in html
    assert 'id="field-code"' in html and 'autocomplete="one-time-code"' in html
    assert 'form="logout-from-stage"' in html  # Cancel leaves the half-finished sign-in
    assert not Authenticator.objects.filter(user=totp_user, type="webauthn").exists()


def test_a_wrong_code_shows_its_error_in_the_field_slot(tenant, totp_user, client_for):
    client = client_for(tenant)
    client.post("/accounts/login/", {"login": totp_user.email, "password": TEST_PASSWORD})
    html = assert_portal_page(client.post("/accounts/2fa/authenticate/", {"code": "000000"}))
    assert re.search(r'<div id="id_code_errors" class="field-errors"[^>]*><ul class="errorlist"', html)
    assert "_auth_user_id" not in client.session


def test_german_pages_keep_allauth_s_own_translations(tenant, members, client_for):
    client = client_for(tenant, members["partner_user"])
    client.cookies["django_language"] = "de"
    html = assert_portal_page(client.get("/accounts/2fa/"))
    assert "Zwei-Faktor-Authentifizierung" in html and "Authenticator-App" in html
