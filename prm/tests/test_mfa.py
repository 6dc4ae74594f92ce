import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def test_login_asks_for_a_code_once_totp_is_enabled(tenant, members, client_for):
    user = members["channel_manager"]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = client_for(tenant)
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 200 and "_auth_user_id" not in client.session
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_tenant_requiring_mfa_sends_staff_without_it_to_set_up(tenant, members, client_for):
    tenant.require_mfa_for_staff = True
    tenant.save()
    staff = client_for(tenant, members["channel_manager"])
    response = staff.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    assert staff.get("/admin/").status_code == 302
    # Set-up itself stays reachable (allauth may first ask to re-enter the password): no loop.
    setup = staff.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 200 or setup["Location"].startswith("/accounts/reauthenticate/")
    # Partners are not staff: not forced.
    assert client_for(tenant, members["partner_user"]).get("/").status_code == 200


def test_staff_with_totp_pass_the_tenant_requirement(tenant, members, client_for):
    tenant.require_mfa_for_staff = True
    tenant.save()
    TOTP.activate(members["tenant_admin"], generate_totp_secret())
    assert client_for(tenant, members["tenant_admin"]).get("/").status_code == 200


def test_failed_logins_are_rate_limited(tenant, members, client_for):
    client = client_for(tenant)
    statuses = [client.post("/accounts/login/", {"login": members["executive"].email, "password": "wrong"}).status_code
                for _ in range(7)]
    assert statuses[-1] == 429 or b"Too many failed login attempts" in client.post(
        "/accounts/login/", {"login": members["executive"].email, "password": "wrong"}).content
