"""The Settings page and the apps' settings rows (prm.tenancy.app_settings), tested through whatever
sections the installed apps register: the core names no app."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.test.utils import isolate_apps

from prm.audit.models import AuditEntry
from prm.tenancy.app_settings import (
    TenantSettings,
    bind_sections,
    register_settings_section,
    settings_models,
    settings_sections,
)
from prm.tenancy.forms import TenantSettingsForm
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import tenant_scope
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db
URL = "/staff/settings/"


def page_data(tenant, **changes) -> dict:
    """What the page posts when nothing is changed, then `changes` on top."""
    data = {}
    for form in (TenantSettingsForm(instance=tenant), *(b.form for b in bind_sections(tenant))):
        for field in form:
            value = field.value()
            if field.name == "logo" or value is None:
                continue
            if isinstance(field.field, forms.BooleanField):
                if value:
                    data[field.name] = "on"
            else:
                data[field.name] = value
    data.update(changes)
    return data


def fieldset(html: str, key: str) -> str:
    start = html.index(f'<fieldset id="settings-{key}">')
    return html[start:html.index("</fieldset>", start)]


def integer_field():
    """(section, field name) of the first whole-number setting of any section."""
    return next((s, name) for s in settings_sections() for name, f in s.form_class.base_fields.items()
                if isinstance(f, forms.IntegerField))


def stored(tenant, section, name):
    with tenant_scope(tenant):
        return getattr(section.model.objects.get(tenant=tenant), name)


def test_the_page_shows_the_portal_fieldset_then_each_apps_section_with_its_heading(tenant, members, client_for):
    sections = settings_sections()
    assert sections, "the apps register their sections in ready()"
    html = client_for(tenant, members["tenant_admin"]).get(URL).content.decode()
    legends = re.findall(r'<fieldset id="settings-([\w-]+)">\s*<legend>([^<]+)</legend>', html)
    assert legends == [("portal", "Portal and branding"), *((s.key, str(s.heading)) for s in sections)]
    assert html.count('<button type="submit">Save settings</button>') == 1  # one Save for all of them
    portal = fieldset(html, "portal")
    assert all(f'name="{name}"' in portal for name in TenantSettingsForm.base_fields)
    for section in sections:
        names = [f'name="{name}"' for name in section.form_class.base_fields]
        part = fieldset(html, section.key)
        assert all(n in part for n in names), section.key
        assert [part.index(n) for n in names] == sorted(part.index(n) for n in names), "fields keep their order"


def test_one_save_stores_every_section_and_writes_one_audit_entry_with_what_changed(tenant, members, client_for):
    client = client_for(tenant, members["tenant_admin"])
    changes, expected = {"name": "Acme Renamed"}, {}
    for section in settings_sections():
        row = section.model.for_tenant(tenant)
        name, field = next((n, f) for n, f in section.form_class.base_fields.items()
                           if isinstance(f, forms.IntegerField | forms.BooleanField))
        if isinstance(field, forms.BooleanField):
            expected[section.key] = (name, not getattr(row, name))
        else:
            expected[section.key] = (name, getattr(row, name) + 1)
        changes[name] = expected[section.key][1]
    assert client.post(URL, page_data(tenant, **changes)).status_code == 302  # a checkbox reads "False" as off
    tenant.refresh_from_db()
    assert tenant.name == "Acme Renamed"
    for section in settings_sections():
        name, value = expected[section.key]
        assert stored(tenant, section, name) == value, section.key
    with tenant_scope(tenant):
        (entry,) = AuditEntry.objects.filter(action="tenant.settings")
    assert sorted(entry.changes["changed"]) == sorted(changes)
    assert entry.changes["before"]["name"] == "Acme Cloud" and entry.changes["after"]["name"] == "Acme Renamed"
    # Nothing changed: the page saves again without complaint.
    assert client.post(URL, page_data(tenant)).status_code == 302


def test_an_invalid_section_refuses_the_whole_page_inline_and_saves_nothing(tenant, members, client_for):
    section, name = integer_field()
    before = stored(tenant, section, name)
    response = client_for(tenant, members["tenant_admin"]).post(
        URL, page_data(tenant, name="Acme Renamed", **{name: "many"}))
    assert response.status_code == 400
    part = fieldset(response.content.decode(), section.key)
    assert f'<div class="form-field field-error" id="field-{name}">' in part and "Enter a whole number." in part
    tenant.refresh_from_db()
    assert tenant.name == "Acme Cloud" and stored(tenant, section, name) == before
    with tenant_scope(tenant):
        assert not AuditEntry.objects.filter(action="tenant.settings").exists()


def test_an_invalid_tenant_field_saves_no_section_either(tenant, members, client_for):
    section, name = integer_field()
    before = stored(tenant, section, name)
    response = client_for(tenant, members["tenant_admin"]).post(
        URL, page_data(tenant, primary_colour="red", **{name: before + 1}))
    assert response.status_code == 400 and "Enter a colour as #RRGGBB." in fieldset(response.content.decode(), "portal")
    assert stored(tenant, section, name) == before


def test_an_invalid_post_leaves_the_memoised_rows_as_they_were(tenant):
    section, name = integer_field()
    row = section.model.for_tenant(tenant)
    before = getattr(row, name)
    (bound,) = [b for b in bind_sections(tenant, page_data(tenant, **{name: -5})) if b.key == section.key]
    assert not bound.form.is_valid()
    assert section.model.for_tenant(tenant) is row and getattr(row, name) == before


def test_settings_are_read_once_per_tenant_object(tenant, django_assert_num_queries):
    fresh = Tenant.objects.get(pk=tenant.pk)  # what the middleware loads for a request
    models = settings_models()
    with django_assert_num_queries(len(models)):
        for _round in range(3):
            rows = [model.for_tenant(fresh) for model in models]
    assert all(row.tenant is fresh for row in rows)
    fresh.refresh_from_db()
    with django_assert_num_queries(len(models)):  # refresh_from_db reads the settings again too
        for model in models:
            model.for_tenant(fresh)


def test_a_new_tenant_starts_with_every_settings_row_and_a_missing_row_is_created_with_the_defaults():
    tenant = TenantFactory(slug="newcomer")
    with tenant_scope(tenant):
        for model in settings_models():
            assert model.objects.filter(tenant=tenant).count() == 1, model
            model.objects.filter(tenant=tenant).delete()
    fresh = Tenant.objects.get(pk=tenant.pk)
    for model in settings_models():
        row = model.for_tenant(fresh)
        assert row.pk is not None
        for field in model._meta.concrete_fields:
            if field.has_default() and not field.primary_key:
                assert getattr(row, field.attname) == field.get_default(), (model, field.name)


def test_settings_models_keep_one_row_per_tenant():
    for model in settings_models():
        assert [c.fields for c in model._meta.constraints] == [("tenant",)], model


def test_sections_cannot_clash_and_need_a_settings_model():
    section = settings_sections()[0]
    register_settings_section(section.key, section.heading, section.form_class, order=section.order)  # idempotent
    assert settings_sections()[0] == section
    with pytest.raises(ImproperlyConfigured, match="already on the page"):
        register_settings_section("copy", "Copy", section.form_class)

    class PortalForm(forms.ModelForm):
        class Meta:
            model = Tenant
            fields = ["support_email"]

    with pytest.raises(ImproperlyConfigured, match="TenantSettings model"):
        register_settings_section("portal-again", "Portal", PortalForm)
    assert "copy" not in {s.key for s in settings_sections()}


@isolate_apps("prm.tenancy")
def test_a_settings_model_must_inherit_the_meta_that_holds_its_constraint():
    with pytest.raises(ImproperlyConfigured, match="class Meta\\(TenantSettings.Meta\\)"):
        class LooseSettings(TenantSettings):
            class Meta:
                app_label = "tenancy"

    class TidySettings(TenantSettings):
        class Meta(TenantSettings.Meta):
            app_label = "tenancy"

    assert [c.name for c in TidySettings._meta.constraints] == ["tenancy_tidysettings_one_per_tenant"]
