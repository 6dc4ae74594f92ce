"""The book rule, over every URL: a channel manager whom the tenant confines to their book of
partners sees only those partners' data in every list, filter, dropdown, export, detail page and
back-office page of every app (the URLs are discovered, not hand-picked).

The acme demo portal is confined; the demo manager's book is every other partner (by name). Each
URL pattern is requested as that manager: pages without object parameters must not contain the id
or the name of any partner outside the book, nor the id of any row that belongs to one; object URLs
filled with such rows must answer 403/404; the same URLs filled with rows of the book still answer.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django_scopes import scopes_disabled

from prm.tenancy.models import TenantOwnedModel
from tests.security.crawler import Pattern, discover
from tests.security.url_params import PARAM_VALUES
from tests.security.world import DENIED, rolled_back

# Pages the confined manager must still open for a row of their own book.
MUST_OPEN = {"partners/staff/partners/<uuid:partner_id>/", "deals/<uuid:deal_id>/",
             "incentives/mdf/requests/<uuid:mdf_request_id>/", "analytics/partners/<uuid:partner_id>/",
             "incentives/staff/partners/<uuid:partner_id>/statement/",
             "admin/partners/partner/<path:object_id>/change/", "admin/deals/dealregistration/<path:object_id>/change/"}
PATTERNS = [p for p in discover() if not p.is_public and not p.route.startswith(("static", "media"))]


def partner_path(model, depth: int = 2) -> str | None:
    """The lookup from a row of `model` to the partner it belongs to ("" for partners), or None."""
    if model._meta.label == settings.PRM_PARTNER_MODEL:
        return ""
    fields = [f for f in model._meta.concrete_fields if f.many_to_one and f.name != "tenant"]
    for field in fields:
        if field.related_model._meta.label == settings.PRM_PARTNER_MODEL:
            return field.name
    if depth > 1:
        for field in fields:
            if issubclass(field.related_model, TenantOwnedModel):
                rest = partner_path(field.related_model, depth - 1)
                if rest:
                    return f"{field.name}__{rest}"
    return None


def confine(tenant) -> None:
    """Turn the tenant's book rule on."""
    from partners.models import PartnerSettings
    from partners.selectors import managers_confined_to_book
    from tests.factories.core import set_settings

    set_settings(tenant, PartnerSettings, restrict_managers_to_book=True)
    assert managers_confined_to_book(tenant)


class Book:
    def __init__(self):
        from partners.models import Partner
        from prm.tenancy.demo import DEMO_TENANTS, seed_tenant
        from prm.tenancy.sessions import bind_session

        with scopes_disabled():
            ctx = seed_tenant(next(s for s in DEMO_TENANTS if s["slug"] == "acme"), log=lambda *_: None)
            self.tenant, manager, other = ctx.tenant, ctx.users["manager"], ctx.users["admin"]
            confine(self.tenant)
            partners = list(Partner.objects.filter(tenant=self.tenant).order_by("name"))
            inside = partners[::2]
            Partner.objects.filter(pk__in=[p.pk for p in inside]).update(owner=manager)
            Partner.objects.filter(pk__in=[p.pk for p in partners[1::2]]).update(owner=other)
            self.inside_partners = {str(p.pk) for p in inside}
            # The demo sent its notifications before the tenant confined its managers; from now on
            # only managers who may see a partner hear about it (test_notifications_follow_the_book).
            from prm.notifications.models import Notification

            Notification.objects.filter(tenant=self.tenant, user=manager).delete()
            self.outside_names = {p.name for p in partners[1::2]}
            # Rows of every partner-owned model, by side of the book.
            self.rows: dict[str, dict[bool, list[str]]] = defaultdict(lambda: {True: [], False: []})
            self.markers: dict[str, str] = {}
            for model in apps.get_models():
                if not issubclass(model, TenantOwnedModel):
                    continue
                path = partner_path(model)
                label = model._meta.label
                manager_ = model._default_manager.filter(tenant=self.tenant)
                if path is None:
                    self.rows[label][True] = [str(pk) for pk in manager_.order_by("pk").values_list("pk", flat=True)[:50]]
                    continue
                key = path or "pk"
                for pk, partner_id in manager_.order_by("pk").values_list("pk", key if path else "pk")[:2000]:
                    mine = partner_id is not None and str(partner_id) in self.inside_partners
                    if partner_id is None:
                        continue
                    self.rows[label][mine].append(str(pk))
                    if not mine and model._meta.pk.get_internal_type() == "UUIDField":
                        self.markers[str(pk)] = label
            self.client = Client(HTTP_HOST=f"{self.tenant.slug}.localhost")
            self.client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
            bind_session(self.client.session, self.tenant)

    def values(self, pattern: Pattern, mine: bool) -> dict | None:
        """Parameters for the pattern: rows inside (mine) or outside the book for the partner-owned
        parameters, any row for the others; None if there is no such row."""
        values = {p: PARAM_VALUES[p] for p in pattern.params if p not in pattern.model_params}
        owned = False
        for param, label in pattern.model_params.items():
            side = mine if partner_path(apps.get_model(label)) is not None else True
            owned |= partner_path(apps.get_model(label)) is not None
            rows = self.rows[label][side]
            if not rows:
                return None
            values[param] = rows[0]
        return values if (owned or mine) else None

    def leaks(self, response, url: str) -> list[str]:
        if response.get("Content-Type", "").split(";")[0] not in ("text/html", "application/json", "text/csv"):
            return []
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        found = [f"{label} {m}" for m, label in self.markers.items() if m in text and m not in url]
        found += [name for name in self.outside_names if name in text]
        return found[:5]


@pytest.fixture(scope="module")
def book(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield Book()


def test_the_book_splits_the_demo_data(book):
    """The check below means something only if both sides of the book have deals, MDF and SPIF rows."""
    for label in ("deals.DealRegistration", "incentives.MdfRequest", "incentives.SpifAccrual", "partners.Partner"):
        assert book.rows[label][True] and book.rows[label][False], label


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.route or "/" for p in PATTERNS])
def test_a_confined_manager_sees_only_their_book(book, pattern: Pattern):
    if not pattern.model_params:
        url = pattern.build({p: PARAM_VALUES[p] for p in pattern.params})
        response = book.client.get(url)
        assert response.status_code < 500, f"GET {url} -> {response.status_code}"
        assert not book.leaks(response, url), f"GET {url} shows partners outside the book: {book.leaks(response, url)}"
        return
    outside = book.values(pattern, mine=False)
    if outside is not None:
        url = pattern.build(outside)
        for method in ("get", "post"):
            response = getattr(book.client, method)(url, follow=pattern.name is None and pattern.is_admin)
            assert response.status_code in DENIED | {405}, (
                f"{method.upper()} {url} (a row outside the book) -> {response.status_code}")
    inside = book.values(pattern, mine=True)
    if inside is not None:
        url = pattern.build(inside)
        response = book.client.get(url, follow=pattern.name is None and pattern.is_admin)
        assert response.status_code < 500, f"GET {url} -> {response.status_code}"
        assert not book.leaks(response, url), f"GET {url} shows partners outside the book: {book.leaks(response, url)}"
        if pattern.route in MUST_OPEN:  # positive control: refusals above come from the book rule
            assert response.status_code == 200, (
                f"GET {url} (a row of the book) -> {response.status_code} {response.get('Location', '')}")

