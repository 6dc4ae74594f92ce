"""Test set-up shared by every app.

- Fixtures run with tenant scopes disabled (like pretix); test bodies do not, so a view or
  service that forgets its scope still raises in tests.
- Celery runs eagerly, except in the test that starts a real worker.
"""

from __future__ import annotations

import tempfile

import pytest
from django.test import Client
from django_scopes import scopes_disabled


def pytest_configure(config):
    from django.conf import settings

    settings.PRM_BASE_DOMAIN = "localhost"
    settings.PRM_SCHEME = "http"
    settings.PRM_EVENT_HANDLERS_RAISE = True
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="prm-test-media-")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Per-process cache: rate-limit counters of one test never leak into another run.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # N+1 guard: any request that loads a relation once per row of a list fails the test
    # (django-zeal raises inside the view, so the test client sees the error).
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "zeal.middleware.zeal_middleware"]
    settings.ZEAL_RAISE = True
    settings.ZEAL_SHOW_ALL_CALLERS = False
    from prm.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    _each_task_its_own_nplusone_context()


def _each_task_its_own_nplusone_context() -> None:
    """Eager tasks run inside the request (or test) that sent them; in production each is its own
    unit of work in a worker. The N+1 guard counts each task on its own accordingly: otherwise one
    outbox delivery per recipient, each a task that loads its tenant, looks like an N+1 of the request."""
    from celery.signals import task_postrun, task_prerun
    from zeal.listeners import _nplusone_context, setup, teardown

    tokens: dict[str, list] = {}

    @task_prerun.connect(weak=False)
    def _enter(task_id=None, **kwargs):
        # Only inside a guarded request: a task a test runs directly stays as unguarded as before.
        tokens.setdefault(task_id, []).append(setup() if _nplusone_context.get().enabled else None)

    @task_postrun.connect(weak=False)
    def _leave(task_id=None, **kwargs):
        stack = tokens.get(task_id)
        if stack:
            token = stack.pop()
            if token is not None:
                teardown(token)
            if not stack:
                tokens.pop(task_id, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request to a German tenant leaves German active in the test's thread (a server activates
    the tenant's language on every request); the next test starts in the default language again."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


def host_of(tenant) -> str:
    return f"{tenant.slug}.localhost"


def sign_in(client, user, tenant) -> None:
    """force_login, with the session bound to the tenant's host as a real sign-in there binds it."""
    from prm.tenancy.sessions import bind_session

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    bind_session(session, tenant)


@pytest.fixture
def tenant(db):
    from tests.factories import TenantFactory

    return TenantFactory(slug="acme", name="Acme Cloud")


@pytest.fixture
def other_tenant(db):
    from tests.factories import TenantFactory

    return TenantFactory(slug="globex", name="Globex Security", primary_colour="#0f7b4f")


@pytest.fixture
def partner(tenant):
    from tests.factories import PartnerFactory

    return PartnerFactory(tenant=tenant, name="Northwind Solutions", domain="northwind.example")


@pytest.fixture
def settings_page_data(db):
    """settings_page_data(tenant) -> every app section's current values, as the Settings page would
    post them unchanged; tests override the fields they are about (apps added later need no edit)."""
    from prm.tenancy.app_settings import settings_sections

    def current(tenant) -> dict:
        data = {}
        for section in settings_sections():
            form = section.form_class(instance=section.model.for_tenant(tenant))
            for name in form.fields:
                value = form[name].value()
                if value not in (None, False):
                    data[name] = "on" if value is True else value
        return data

    return current


@pytest.fixture
def make_member(db):
    """make_member(tenant, role, partner=None, email=None) -> user with an active membership."""
    from tests.factories import MembershipFactory, PartnerFactory, UserFactory

    def make(tenant, role, partner=None, email=None):
        with scopes_disabled():
            if role.startswith("partner") and partner is None:
                partner = PartnerFactory(tenant=tenant)
            user = UserFactory(email=email) if email else UserFactory()
            MembershipFactory(tenant=tenant, user=user, role=role, partner=partner)
        return user

    return make


@pytest.fixture
def members(tenant, partner, make_member):
    """One user per role in `tenant`; partner roles belong to `partner`."""
    return {
        role: make_member(tenant, role, partner=partner if role.startswith("partner") else None,
                          email=f"{role}@{tenant.slug}.test")
        for role in ("partner_user", "partner_admin", "channel_manager", "executive", "tenant_admin")
    }


@pytest.fixture
def client_for():
    """client_for(tenant, user=None) -> a test client on the tenant's host, signed in as user."""

    def make(tenant, user=None):
        client = Client(HTTP_HOST=host_of(tenant) if tenant is not None else "localhost")
        if user is not None:
            sign_in(client, user, tenant)
        return client

    return make
