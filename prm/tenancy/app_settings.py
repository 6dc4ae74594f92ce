"""Each app's program settings: one row per tenant in the app's own model, all edited on the one
Settings page (/staff/settings/).

The core keeps what is the platform's on `Tenant` (name, branding, language, support email,
currencies, MFA for staff). What a feature is configured with lives with the feature, in a subclass
of `TenantSettings`, and the app adds its part of the Settings page from its AppConfig.ready()::

    class ExampleSettings(TenantSettings):
        reminder_days = models.PositiveIntegerField(_("reminder after (days)"), default=7)

        class Meta(TenantSettings.Meta):   # inherit Meta: it holds the one-row-per-tenant constraint
            verbose_name = _("example settings")

    ExampleSettings.for_tenant(tenant).reminder_days           # one query per request at most

    # apps.py, in ready():
    register_settings_section("example", _("Examples"), ExampleSettingsForm, order=40)

The page validates the tenant's form and every section together, answers 400 with the errors
inline when any is invalid, and saves all of them in one transaction with one audit entry.
Field names are unique across the page (checked here), so sections need no prefix.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.signals import class_prepared, post_save

from prm.tenancy.models import SETTINGS_MEMO, Tenant, TenantOwnedModel
from prm.tenancy.scoping import tenant_scope

if TYPE_CHECKING:
    from django import forms

__all__ = [
    "BoundSection",
    "SettingsSection",
    "TenantSettings",
    "bind_sections",
    "register_settings_section",
    "settings_models",
    "settings_sections",
]


class TenantSettings(TenantOwnedModel):
    """Base of an app's settings: exactly one row per tenant, created with the defaults on first use.

    `for_tenant(tenant)` memoises the row on the Tenant instance; the middleware loads one Tenant
    object per request, so a request pays at most one query per settings model, and the next
    request sees a change at once.
    """

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["tenant"], name="%(app_label)s_%(class)s_one_per_tenant")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def for_tenant(cls, tenant: Tenant) -> Self:
        """The tenant's row (created with the defaults if it is missing), memoised on `tenant`."""
        memo = tenant.__dict__.setdefault(SETTINGS_MEMO, {})
        row = memo.get(cls._meta.label_lower)
        if row is None:
            # Explicitly this tenant's row, whichever scope the caller runs in (tasks, fixtures).
            with tenant_scope(tenant):
                row, _created = cls.objects.get_or_create(tenant=tenant)
            cls.remember(tenant, row)
        return row

    @classmethod
    def remember(cls, tenant: Tenant, row: TenantSettings) -> None:
        """Make `row` what `for_tenant(tenant)` returns (after the Settings page saved it)."""
        row.tenant = tenant  # the same object: following the key costs no query
        tenant.__dict__.setdefault(SETTINGS_MEMO, {})[cls._meta.label_lower] = row

    @classmethod
    def forget(cls, tenant: Tenant) -> None:
        """Drop the memoised row: the next `for_tenant(tenant)` reads it again."""
        tenant.__dict__.get(SETTINGS_MEMO, {}).pop(cls._meta.label_lower, None)


def settings_models() -> list[type[TenantSettings]]:
    """Every installed app's settings model."""
    return [m for m in apps.get_models() if issubclass(m, TenantSettings)]


def _require_one_row_per_tenant(sender, **kwargs) -> None:
    """A settings model whose Meta does not inherit TenantSettings.Meta would lose the constraint."""
    if not issubclass(sender, TenantSettings) or sender._meta.abstract or sender._meta.proxy:
        return
    if not any(isinstance(c, models.UniqueConstraint) and tuple(c.fields) == ("tenant",) and c.condition is None
               for c in sender._meta.constraints):
        raise ImproperlyConfigured(
            f"{sender._meta.label}: declare `class Meta(TenantSettings.Meta)` so the table keeps its "
            "one-row-per-tenant constraint")


class_prepared.connect(_require_one_row_per_tenant)


def _create_settings_rows(sender, instance: Tenant, created: bool, raw: bool = False, **kwargs) -> None:
    """A new tenant starts with every app's settings row (the defaults), so its first requests
    read them like any other tenant's: one query each, no write."""
    if not created or raw:
        return
    with tenant_scope(instance):
        for model in settings_models():
            row, _created = model.objects.get_or_create(tenant=instance)
            model.remember(instance, row)


post_save.connect(_create_settings_rows, sender=Tenant, dispatch_uid="prm.tenancy.app_settings.create_rows")


# --- The Settings page's sections ----------------------------------------------------------------


@dataclass(frozen=True)
class SettingsSection:
    """An app's part of the Settings page: a ModelForm of its TenantSettings model and a heading."""

    key: str
    heading: str
    form_class: type[forms.ModelForm]
    order: int = 50

    @property
    def model(self) -> type[TenantSettings]:
        return self.form_class._meta.model


@dataclass
class BoundSection:
    """A section with its form, bound to a copy of the tenant's row (an invalid post leaves the
    memoised row as it was)."""

    section: SettingsSection
    form: forms.ModelForm

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def heading(self) -> str:
        return self.section.heading


_sections: dict[str, SettingsSection] = {}


def register_settings_section(key: str, heading: str, form_class: type[forms.ModelForm], *, order: int = 50) -> None:
    """Add an app's section to the Settings page (call from AppConfig.ready(); idempotent)."""
    section = SettingsSection(key, heading, form_class, order)
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    if model is None or not issubclass(model, TenantSettings):
        raise ImproperlyConfigured(f"settings section {key!r}: its form must be a ModelForm of a TenantSettings model")
    if _sections.get(key) == section:
        return
    from prm.tenancy.forms import TenantSettingsForm

    taken = {name: "the tenant's own settings" for name in TenantSettingsForm.base_fields}
    for other in _sections.values():
        if other.key != key:
            taken.update({name: f"section {other.key!r}" for name in other.form_class.base_fields})
    for name in form_class.base_fields:
        if name in taken:
            raise ImproperlyConfigured(f"settings section {key!r}: field {name!r} is already on the page ({taken[name]})")
    _sections[key] = section


def settings_sections() -> list[SettingsSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def bind_sections(tenant: Tenant, data=None, files=None) -> list[BoundSection]:
    """Every section's form for `tenant`, bound to `data` when the page was posted."""
    return [BoundSection(s, s.form_class(data, files, instance=copy.copy(s.model.for_tenant(tenant))))
            for s in settings_sections()]
