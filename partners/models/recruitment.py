"""Recruitment: applications from the public form, scored against the ideal partner profile."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partners.choices import REVENUE_BANDS, region_label
from partners.models.partner import Partner
from partners.models.program import PartnerType
from prm.tenancy.models import TenantOwnedModel
from prm.tenancy.scoping import scoped_manager


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApplicationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=PartnerApplication.OPEN_STATUSES)


class PartnerApplication(TenantOwnedModel):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        INFO_REQUESTED = "info_requested", _("More information requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    OPEN_STATUSES = (Status.NEW, Status.INFO_REQUESTED)

    company = models.CharField(_("company"), max_length=200)
    website = models.URLField(_("website"), max_length=300)
    domain = models.CharField(_("domain"), max_length=253, editable=False)
    country = CountryField(_("country"))
    regions = models.JSONField(_("regions served"), default=list)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("desired partner type"),
    )
    employees = models.PositiveIntegerField(_("employees"))
    revenue_band = models.CharField(_("annual revenue"), max_length=10, choices=REVENUE_BANDS)
    contact_name = models.CharField(_("contact name"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    message = models.TextField(_("message"), blank=True)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    fit_score = models.PositiveSmallIntegerField(_("fit score"), default=0)
    # [{"kind": "region", "value": "EMEA", "matched": true, "points": 20}, ...] rendered by fit_reason_lines.
    fit_reasons = models.JSONField(_("fit reasons"), default=list, blank=True)
    info_request = models.TextField(_("information requested"), blank=True)
    info_response = models.TextField(_("applicant's answer"), blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    partner = models.ForeignKey(Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications")
    # Lets the applicant answer a request for information without an account (hash only is stored).
    response_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    submitted_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = scoped_manager(ApplicationQuerySet)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")
        constraints = [
            # The database refuses a second open application for the same company domain, even when
            # two submissions race past the form's duplicate check.
            models.UniqueConstraint(
                fields=["tenant", "domain"], condition=models.Q(status__in=["new", "info_requested"]),
                name="application_one_open_per_domain",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "fit_score"], name="application_queue"),
            models.Index(fields=["tenant", "response_token_hash"], name="application_token"),
        ]

    def __str__(self) -> str:
        return f"{self.company} ({self.domain})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def region_labels(self) -> list[str]:
        return [region_label(code) for code in self.regions or []]

    @property
    def fit_reason_lines(self) -> list[dict]:
        from django.utils.translation import gettext as _

        from partners.services.fit import format_points, reason_text

        lines = [{"text": reason_text(r), "points": r.get("points", 0), "shown": format_points(r.get("points", 0)),
                  "matched": r.get("matched")} for r in self.fit_reasons or []]
        if lines:
            # The starting score the criteria add to and take from, so the lines add up to the score
            # (what the 0–100 bounds cut off shows as the difference).
            base = self.fit_score - sum(line["points"] for line in lines)
            lines.insert(0, {"text": _("Starting score"), "points": 0, "shown": str(base), "matched": None,
                             "base": True})
        return lines

    @property
    def fit_band(self) -> str:
        """CSS class for the score pill."""
        if self.fit_score >= 70:
            return "pill-ok"
        if self.fit_score >= 40:
            return "pill-warn"
        return "pill-bad"

    def new_response_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.response_token_hash = hash_token(token)
        return token
