"""Every tenant-owned table follows the tenancy rules; a model added later without them fails here."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django_scopes import ScopeError

from prm.tenancy.models import Tenant, TenantDomain, TenantOwnedModel

# Platform-level models that reference Tenant without being tenant data themselves.
PLATFORM_MODELS = {TenantDomain}
PROJECT_APPS = {"tenancy", "accounts", "events", "notifications", "audit", "partners", "content", "deals",
                "incentives", "leads", "analytics"}


def project_models():
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in PROJECT_APPS]


def tenant_owned_models():
    return [m for m in project_models() if issubclass(m, TenantOwnedModel)]


def test_every_model_that_points_at_a_tenant_is_tenant_owned():
    offenders = []
    for model in project_models():
        if model is Tenant or model in PLATFORM_MODELS or issubclass(model, TenantOwnedModel):
            continue
        if any(f.is_relation and f.related_model is Tenant for f in model._meta.get_fields() if f.concrete):
            offenders.append(model._meta.label)
    assert not offenders, f"subclass TenantOwnedModel: {offenders}"


@pytest.mark.parametrize("model", tenant_owned_models(), ids=lambda m: m._meta.label)
def test_tenant_owned_model_follows_the_rules(model):
    tenant = model._meta.get_field("tenant")
    assert tenant.related_model is Tenant and not tenant.null, "needs a non-null tenant column"
    assert model._meta.get_field("tenant").column == "tenant_id"
    # The default manager fails closed.
    with pytest.raises(ScopeError):
        model._default_manager.all().count()
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            assert constraint.fields[0] == "tenant", f"{constraint.name} must lead with tenant"
    for index in model._meta.indexes:
        assert index.fields and index.fields[0] == "tenant", f"index {index.name} must lead with tenant"
    for together in model._meta.unique_together:
        assert together[0] == "tenant", "unique_together must lead with tenant"
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name == "tenant":
            continue
        assert not field.unique, f"{field.name}: unique=True lacks the tenant; use a UniqueConstraint(tenant, …)"
        if field.db_index:
            pytest.fail(f"{field.name}: single-column index; it must lead with tenant")
    for field in model._meta.local_many_to_many:
        through = field.remote_field.through
        assert not through._meta.auto_created, f"{field.name}: give the many-to-many a tenant-owned through model"
        assert issubclass(through, TenantOwnedModel), f"{field.name}: through model must be tenant-owned"


def test_uuid_primary_keys_on_url_addressable_models():
    # Sequential ids are allowed only on append-only logs that no URL addresses.
    sequential = {m._meta.label for m in tenant_owned_models() if m._meta.pk.get_internal_type() != "UUIDField"}
    allowed = {"events.EngagementEvent", "audit.AuditEntry", "notifications.EmailOutbox"}
    from tests.security.url_params import PARAM_MODELS

    addressed = set(PARAM_MODELS.values())
    assert not (sequential & addressed), f"URL-addressed models need UUID keys: {sequential & addressed}"
    unexpected = sequential - allowed - _declared_logs()
    assert not unexpected, f"sequential primary keys on {unexpected}: use the UUID key or declare as log"


def _declared_logs() -> set[str]:
    """Apps may declare more append-only logs with `is_append_only_log = True` on the model."""
    return {m._meta.label for m in tenant_owned_models() if getattr(m, "is_append_only_log", False)}
