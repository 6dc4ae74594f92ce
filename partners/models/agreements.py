"""Versioned program agreements and their recorded e-acceptances."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models.partner import Partner
from partners.models.program import PartnerType
from prm.tenancy.models import TenantOwnedModel


def content_hash(title: str, body: str) -> str:
    """SHA-256 of exactly what the partner was shown (normalised line endings)."""
    text = f"{title.strip()}\n\n{body.strip()}".replace("\r\n", "\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Agreement(TenantOwnedModel):
    """One version of the program agreement for a partner type (or for every type when empty).

    Drafts are editable; publishing freezes the text, fixes its hash and the re-acceptance
    deadline of partners who accepted an earlier version.
    """

    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.PROTECT, null=True, blank=True, related_name="agreements",
        verbose_name=_("partner type"), help_text=_("Empty: applies to every type without its own agreement."),
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Drafts can be edited; publish a version (admin action) to make it current."))
    summary_of_changes = models.TextField(_("what changed"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", editable=False)
    # Partners who accepted an earlier version keep access until then (tenant's grace days at publication).
    reacceptance_due_at = models.DateTimeField(_("re-acceptance due"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner_type__name", "-version"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner_type", "version"],
                                    condition=models.Q(partner_type__isnull=False), name="agreement_type_version"),
            models.UniqueConstraint(fields=["tenant", "version"],
                                    condition=models.Q(partner_type__isnull=True), name="agreement_default_version"),
        ]
        indexes = [models.Index(fields=["tenant", "partner_type", "published_at"], name="agreement_current")]

    def __str__(self) -> str:
        return _("%(title)s (version %(version)s)") % {"title": self.title, "version": self.version}

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def clean(self) -> None:
        if self.pk and self.is_published:
            original = type(self).objects.filter(pk=self.pk).values("title", "body", "partner_type_id").first()
            if original and (original["title"], original["body"], original["partner_type_id"]) != (
                self.title, self.body, self.partner_type_id
            ):
                raise ValidationError(_("A published agreement cannot be changed. Create a new version instead."))


class AgreementAcceptance(TenantOwnedModel):
    """Evidence of e-acceptance: who, when, from where, and the hash of the exact text accepted."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="acceptances")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="agreement_acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("accepted by"))
    accepted_at = models.DateTimeField(_("accepted"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        constraints = [models.UniqueConstraint(fields=["tenant", "agreement", "partner"], name="acceptance_once")]
        indexes = [models.Index(fields=["tenant", "partner", "accepted_at"], name="acceptance_partner")]

    def __str__(self) -> str:
        return _("Acceptance of %(date)s") % {"date": f"{self.accepted_at:%Y-%m-%d %H:%M}" if self.accepted_at else "—"}
