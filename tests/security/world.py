"""The crawlers' world: both demo tenants, signed-in clients for every identity, object ids."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django_scopes import scopes_disabled

from prm.tenancy.demo import DEMO_TENANTS, seed_tenant
from prm.tenancy.models import TenantOwnedModel
from prm.tenancy.sessions import bind_session
from tests.factories import UserFactory
from tests.security.crawler import Pattern
from tests.security.url_params import PARAM_VALUES

ROLE_USERS = {"tenant_admin": "admin", "channel_manager": "manager", "executive": "exec",
              "partner_admin": "partner", "partner_user": "rep"}
DENIED = {403, 404}


class World:
    """Both demo tenants, signed-in clients for every identity, and globex's object ids."""

    def __init__(self):
        with scopes_disabled():
            contexts = {spec["slug"]: seed_tenant(spec, log=lambda *_: None) for spec in DEMO_TENANTS}
            self.a, self.b = contexts["acme"].tenant, contexts["globex"].tenant
            self.clients_a = {role: self._client(self.a, contexts["acme"].users[local])
                              for role, local in ROLE_USERS.items()}
            self.clients_b = {role: self._client(self.b, contexts["globex"].users[local])
                              for role, local in ROLE_USERS.items()}
            self.clients_a["outsider"] = self._client(self.a, UserFactory(email="outsider@nowhere.test"))
            self.anonymous_a = Client(HTTP_HOST=f"{self.a.slug}.localhost")
            self.base_as_manager = self._client(None, contexts["acme"].users["manager"])
            self.a_objects: dict[str, list[str]] = {}
            self.b_objects: dict[str, list[str]] = {}
            self.b_markers: set[str] = set()
            for model in apps.get_models():
                if not issubclass(model, TenantOwnedModel):
                    continue
                label = model._meta.label
                manager = model._default_manager
                self.a_objects[label] = [str(pk) for pk in manager.filter(tenant=self.a).values_list("pk", flat=True)[:200]]
                self.b_objects[label] = [str(pk) for pk in manager.filter(tenant=self.b).values_list("pk", flat=True)[:200]]
                if model._meta.pk.get_internal_type() == "UUIDField":
                    self.b_markers.update(str(pk) for pk in manager.filter(tenant=self.b).values_list("pk", flat=True))

    @staticmethod
    def _client(tenant, user) -> Client:
        client = Client(HTTP_HOST=f"{tenant.slug}.localhost" if tenant else "localhost")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        bind_session(client.session, tenant)
        return client

    def candidate_values(self, pattern: Pattern, limit: int = 8, own: bool = False) -> list[dict[str, str]]:
        """Parameter sets to try, each with a different globex object (acme's with own=True)."""
        fixed = {p: PARAM_VALUES[p] for p in pattern.params if p not in pattern.model_params}
        source, tenant = (self.a_objects, "acme") if own else (self.b_objects, "globex")
        pools = {}
        for param, label in pattern.model_params.items():
            objects = source.get(label) or []
            if not objects:
                pytest.fail(f"{pattern.route}: {tenant} has no {label} in the demo data; extend that app's demo.py")
            pools[param] = objects
        if not pools:
            return [fixed]
        return [{**fixed, **{p: objs[min(i, len(objs) - 1)] for p, objs in pools.items()}} for i in range(limit)]


@contextmanager
def rolled_back(django_db_blocker):
    """For module-scoped fixtures: what is built inside is rolled back when the module is done."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Seeded once per test module inside a transaction that is rolled back at the end."""
    with rolled_back(django_db_blocker):
        yield World()
