"""The content library: categories, assets with audience rules, file versions, library visits."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models.audience import AudienceRules, PublishedQuerySet
from prm.tenancy.models import TenantOwnedModel
from prm.tenancy.scoping import scoped_manager


class Category(TenantOwnedModel):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["tenant", "slug"], name="content_category_unique_slug")]

    def __str__(self) -> str:
        return self.name


class AssetQuerySet(PublishedQuerySet):
    pass


class Asset(AudienceRules, TenantOwnedModel):
    """A piece of sales or marketing content: an uploaded file, an external link or an HTML template."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("External link")
        HTML = "html", _("HTML one-pager / email template")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="assets",
        verbose_name=_("category"),
    )
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated keywords."))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True,
        help_text=_("Empty: language-neutral."),
    )
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.FILE)
    external_url = models.URLField(_("link"), max_length=500, blank=True)
    html_body = models.TextField(
        _("HTML template"), blank=True,
        help_text=_("Merge fields such as {{ partner_name }} are filled in for each partner."),
    )
    co_brand = models.BooleanField(
        _("co-brand"), default=False,
        help_text=_("Stamp PDFs with the downloading partner's logo, name and contact."),
    )
    is_featured = models.BooleanField(_("featured"), default=False)
    # Partners always get the current version; older versions stay as history.
    current_version = models.ForeignKey(
        "content.AssetVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False,
    )
    partner_types = models.ManyToManyField(
        "partners.PartnerType", through="content.AssetPartnerType", blank=True, related_name="+",
        verbose_name=_("partner types"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped_manager(AssetQuerySet)

    class Meta:
        ordering = ["-publish_at", "title"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        indexes = [
            models.Index(fields=["tenant", "publish_at"], name="content_asset_publish"),
            models.Index(fields=["tenant", "is_featured", "publish_at"], name="content_asset_featured"),
            # The full-text GIN index exists on PostgreSQL only (see migration 0002).
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def is_pdf(self) -> bool:
        return self.current_version is not None and self.current_version.content_type == "application/pdf"

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.LINK and not self.external_url:
            errors["external_url"] = _("Enter the link partners should open.")
        if self.kind == self.Kind.HTML:
            if not self.html_body.strip():
                errors["html_body"] = _("Enter the HTML of the one-pager or email template.")
            else:
                from content.merge import validate_merge_template

                try:
                    validate_merge_template(self.html_body)
                except ValidationError as exc:
                    errors["html_body"] = exc.messages
        if self.co_brand and self.kind != self.Kind.FILE:
            errors["co_brand"] = _("Only uploaded PDF files can be co-branded; HTML templates are always personalised.")
        if self.publish_at and self.expires_at and self.expires_at <= self.publish_at:
            errors["expires_at"] = _("The expiry must come after the publication date.")
        if errors:
            raise ValidationError(errors)


class AssetPartnerType(TenantOwnedModel):
    """Audience rule: the asset is limited to these partner types (none listed: every type)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="audience_types")
    partner_type = models.ForeignKey("partners.PartnerType", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("partner type of an asset")
        verbose_name_plural = _("partner types of assets")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "asset", "partner_type"], name="content_assettype_unique"),
        ]


def asset_file_path(instance: AssetVersion, filename: str) -> str:
    # Never the uploader's name on disk: a random name under the tenant and asset.
    return f"tenants/{instance.tenant_id}/content/{instance.asset_id}/{uuid.uuid4().hex}.{instance.extension}"


class AssetVersion(TenantOwnedModel):
    """One uploaded file of an asset. Replacing the file adds a version; history is kept."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=asset_file_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("asset version")
        verbose_name_plural = _("asset versions")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "asset", "number"], name="content_assetversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.number})"

    @property
    def extension(self) -> str:
        return self.original_name.rsplit(".", 1)[-1] if "." in self.original_name else "bin"


class LibraryVisit(TenantOwnedModel):
    """When a member last opened the library, for "new since your last visit"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_visit_at = models.DateTimeField()
    previous_visit_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("library visit")
        verbose_name_plural = _("library visits")
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="content_libraryvisit_unique_user")]
