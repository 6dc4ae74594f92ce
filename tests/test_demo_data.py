"""The demo data passes the portal's own validation: a partner admin can save the demo profile
unchanged, a tenant admin the demo settings, and every demo row passes its model's checks."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django_scopes import scopes_disabled

from prm.tenancy.demo import DEMO_TENANTS, seed_tenant
from prm.tenancy.models import TenantOwnedModel
from prm.tenancy.scoping import tenant_scope
from prm.tenancy.sessions import bind_session
from tests.security.world import rolled_back

# Append-only records written by the system, not edited through forms.
SKIP = {"events.EngagementEvent", "audit.AuditEntry", "analytics.PartnerHealthSnapshot", "analytics.SnapshotSummary"}


def resubmit(form) -> dict:
    """POST data that submits an unbound form's current values unchanged (as a browser would)."""
    from django import forms

    data: dict = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.FileField) or value is None or value is False:
            continue  # no new file; an unticked box is not sent
        if value is True:
            data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        with scopes_disabled():  # not held across the yield: later modules' tests would run unscoped
            tenants = [seed_tenant(spec, log=lambda *_: None) for spec in DEMO_TENANTS]
        yield tenants


def _client(ctx, user) -> Client:
    client = Client(HTTP_HOST=f"{ctx.tenant.slug}.localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    bind_session(client.session, ctx.tenant)
    return client


@pytest.mark.django_db
def test_every_demo_partner_profile_saves_unchanged(demo):
    from partners.forms import ProfileForm
    from partners.models import Partner

    checked = 0
    for ctx in demo:
        with tenant_scope(ctx.tenant):
            for partner in Partner.objects.all():
                form = ProfileForm(data=resubmit(ProfileForm(initial=ProfileForm.initial_for(partner))))
                assert form.is_valid(), (ctx.tenant.slug, partner.name, form.errors.as_data())
                checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_the_demo_settings_page_saves_unchanged(demo):
    for ctx in demo:
        client = _client(ctx, ctx.users["admin"])
        page = client.get("/staff/settings/")
        data = resubmit(page.context["form"])
        for section in page.context["sections"]:
            data.update(resubmit(section.form))
        response = client.post("/staff/settings/", data)
        assert response.status_code == 302, (ctx.tenant.slug, response.context and [
            f.errors for f in [response.context["form"], *[s.form for s in response.context["sections"]]]])


@pytest.mark.django_db
def test_every_demo_row_passes_its_models_checks(demo):
    problems = []
    for ctx in demo:
        with tenant_scope(ctx.tenant):
            for model in apps.get_models():
                if not issubclass(model, TenantOwnedModel) or model._meta.label in SKIP:
                    continue
                for obj in model._default_manager.filter(tenant=ctx.tenant)[:100]:
                    try:
                        obj.full_clean()
                    except ValidationError as exc:
                        problems.append(f"{ctx.tenant.slug} {model._meta.label} {obj}: {exc.message_dict}")
    assert not problems, "\n".join(problems[:20])
