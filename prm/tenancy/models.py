"""Tenants, their domains and memberships, and the base class of every tenant-owned model."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy.roles import MANAGER_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from prm.tenancy.scoping import scoped_manager
from prm.uploads import image_validator

RESERVED_SLUGS = frozenset({"www", "admin", "api", "static", "media", "mail", "app", "portal", "status"})

HEX_COLOUR = r"^#[0-9a-fA-F]{6}$"
hex_colour = RegexValidator(HEX_COLOUR, _("Enter a colour as #RRGGBB."))
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for body text
# The page background behind cards (--prm-canvas in static/css/portal.css): links sit on it too.
PAGE_CANVAS = "#f4f6f9"


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, background: str = "#ffffff") -> float:
    """WCAG contrast ratio of two #RRGGBB colours (1 to 21)."""
    a, b = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def contrast_with_white(colour: str) -> float:
    return contrast(colour)


def readable_on_white(value: str) -> None:
    """The brand colour is the portal's links (on white cards and the grey page) and the background
    of white button text: it must read on the lighter of the two backgrounds' worst case."""
    if not re.match(HEX_COLOUR, value or ""):
        return
    ratio = min(contrast(value), contrast(value, PAGE_CANVAS))
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _("Links and buttons in %(colour)s would be hard to read (contrast %(ratio)s:1 with the page, "
              "at least %(minimum)s:1 is needed). Choose a darker colour."),
            code="low_contrast", params={"colour": value, "ratio": f"{ratio:.1f}", "minimum": MIN_CONTRAST})
currency_code = RegexValidator(r"^[A-Z]{3}$", _("Enter a three-letter ISO currency code, e.g. EUR."))


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved."), params={"slug": value})


# Where prm.tenancy.app_settings.TenantSettings.for_tenant() memoises each app's settings row on a
# Tenant instance ({model label: row}).
SETTINGS_MEMO = "_app_settings"


def tenant_logo_path(instance: Tenant, filename: str) -> str:
    return f"tenants/{instance.slug}/logo/{uuid.uuid4().hex}"


class Tenant(models.Model):
    """A vendor running a partner program. Platform-level: not itself tenant-scoped."""

    slug = models.SlugField(
        _("slug"), max_length=40, unique=True, validators=[validate_slug_not_reserved],
        help_text=_("The portal lives at <slug>.<base domain>."),
    )
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    base_currency = models.CharField(_("base currency"), max_length=3, default="USD", validators=[currency_code])
    allowed_currencies = models.CharField(
        _("allowed currencies"), max_length=200, default="USD,EUR,GBP",
        help_text=_("Comma-separated ISO codes partners may register deals in."),
    )
    # Branding
    logo = models.ImageField(_("logo"), upload_to=tenant_logo_path, blank=True, validators=[image_validator(2)])
    primary_colour = models.CharField(_("primary colour"), max_length=7, default="#1f5fbf", validators=[hex_colour, readable_on_white])
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    support_email = models.EmailField(_("support email"), blank=True)
    # Platform settings. Each feature app keeps its own settings in its own model (a subclass of
    # prm.tenancy.app_settings.TenantSettings), edited on the same Settings page.
    require_mfa_for_staff = models.BooleanField(
        _("require MFA for staff"), default=False,
        help_text=_("Channel managers, executives and tenant admins must set up two-factor authentication."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop(SETTINGS_MEMO, None)  # the apps' settings rows are read again too

    @property
    def currencies(self) -> list[str]:
        codes = [c.strip().upper() for c in self.allowed_currencies.split(",") if c.strip()]
        if self.base_currency not in codes:
            codes.insert(0, self.base_currency)
        return codes

    def clean(self) -> None:
        for code in self.currencies:
            try:
                currency_code(code)
            except ValidationError:
                raise ValidationError({"allowed_currencies": _("“%(code)s” is not an ISO currency code.") % {"code": code}}) from None


class TenantDomain(models.Model):
    """An extra host name (custom domain) that serves a tenant's portal. Platform-level."""

    domain = models.CharField(_("domain"), max_length=253, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="domains")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("custom domain")
        verbose_name_plural = _("custom domains")

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)


class TenantOwnedModel(models.Model):
    """Base for every row that belongs to one tenant.

    - `tenant` is a non-null column on the row itself (Citus distribution column);
    - the default manager raises without an active tenant scope;
    - the primary key is a random UUID, so URLs never expose sequential ids
      (`public_id` is an alias). High-volume append-only tables that are never addressed in URLs
      override `id` with a BigAutoField.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", editable=False)

    objects: ClassVar[models.Manager[Self]] = scoped_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_related_tenants()
        super().save(*args, **kwargs)

    @property
    def public_id(self):
        return self.pk

    def _check_related_tenants(self) -> None:
        """Refuse to link rows of different tenants (scoped managers do not stop create()).

        Only related objects already loaded are compared, so this costs no query; services
        validate explicitly where they accept ids from outside.
        """
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.ForeignObject) or field.name == "tenant":  # foreign keys
                continue
            if not issubclass(field.related_model, TenantOwnedModel):
                continue
            related = field.get_cached_value(self, default=None)
            if isinstance(related, TenantOwnedModel) and related.tenant_id != self.tenant_id:
                raise ValueError(
                    f"{self._meta.label}.{field.name} points to another tenant's {related._meta.label}"
                )


def _tenant_leading_fk_indexes(sender, **kwargs) -> None:
    """Keep every index of a tenant-owned table leading with `tenant` (Citus-ready).

    A ForeignKey (or a field with db_index=True, such as a SlugField) would get its own
    single-column index; on tenant-owned models that index is replaced by a composite
    (tenant, field) index, unless the model already declares an index or unique constraint that
    starts with those two columns. Connected before the first tenant-owned model is defined.
    """
    if not issubclass(sender, TenantOwnedModel) or sender._meta.abstract or sender._meta.proxy:
        return
    meta = sender._meta
    leading = {tuple(ix.fields[:2]) for ix in meta.indexes if ix.fields}
    leading |= {tuple(c.fields[:2]) for c in meta.constraints if getattr(c, "fields", None)}
    meta.indexes = list(meta.indexes)  # never append to a list shared through Meta inheritance
    for field in meta.local_concrete_fields:
        if field.name == "tenant" or field.primary_key or field.one_to_one or field.unique or not field.db_index:
            continue
        field.db_index = False
        if ("tenant", field.name) in leading:
            continue
        digest = hashlib.md5(f"{meta.label_lower}.{field.name}".encode()).hexdigest()[:6]
        name = f"{meta.model_name[:10]}_{field.name[:10]}_{digest}"
        index = models.Index(fields=["tenant", field.name], name=name)
        meta.indexes.append(index)
        leading.add(("tenant", field.name))


models.signals.class_prepared.connect(_tenant_leading_fk_indexes)


class Membership(TenantOwnedModel):
    """Grants a (global) user access to one tenant with one role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        settings.PRM_PARTNER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="memberships", verbose_name=_("partner organisation"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_tenant_user"),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=sorted(PARTNER_ROLES), partner__isnull=False)
                    | models.Q(role__in=sorted(STAFF_ROLES), partner__isnull=True)
                ),
                name="membership_partner_roles_have_partner",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner", "role"], name="membership_tenant_partner")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant_id} ({self.role})"

    @property
    def is_partner(self) -> bool:
        return self.role in PARTNER_ROLES

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def can_manage(self) -> bool:
        """Staff who may change data (channel managers and tenant admins)."""
        return self.role in MANAGER_ROLES

    @property
    def is_tenant_admin(self) -> bool:
        return self.role == Role.TENANT_ADMIN

    def clean(self) -> None:
        if self.role in PARTNER_ROLES and not self.partner_id:
            raise ValidationError({"partner": _("Partner roles need a partner organisation.")})
        if self.role in STAFF_ROLES and self.partner_id:
            raise ValidationError({"partner": _("Staff roles do not belong to a partner organisation.")})
