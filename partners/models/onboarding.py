"""Onboarding paths per partner type: ordered steps that complete themselves from engagement events."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models.partner import Partner
from partners.models.program import PartnerType
from partners.step_targets import target_types as step_target_types
from prm.tenancy.models import TenantOwnedModel


class OnboardingPath(TenantOwnedModel):
    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.CASCADE, null=True, blank=True, related_name="onboarding_paths",
        verbose_name=_("partner type"), help_text=_("Leave empty for the default path of types without their own."),
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    stuck_after_days = models.PositiveSmallIntegerField(
        _("stuck after (days)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Partners without progress for longer are listed as stuck on the onboarding page."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("onboarding path")
        verbose_name_plural = _("onboarding paths")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner_type"], condition=models.Q(partner_type__isnull=False),
                                    name="onboardingpath_one_per_type"),
            models.UniqueConstraint(fields=["tenant"], condition=models.Q(partner_type__isnull=True),
                                    name="onboardingpath_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class OnboardingStep(TenantOwnedModel):
    class Kind(models.TextChoices):
        ACCEPT_AGREEMENT = "accept_agreement", _("Accept the program agreement")
        COMPLETE_PROFILE = "complete_profile", _("Complete the organisation profile")
        INVITE_COLLEAGUE = "invite_colleague", _("Invite a colleague")
        COMPLETE_COURSE = "complete_course", _("Complete a course")
        DOWNLOAD_ASSET = "download_asset", _("Download an asset")
        REGISTER_DEAL = "register_deal", _("Register a first deal")
        MANUAL = "manual", _("Manual step (ticked by a channel manager)")

    # Which engagement event completes each kind (manual steps have none).
    EVENT_KINDS = {
        Kind.ACCEPT_AGREEMENT: "agreement_accepted",
        Kind.COMPLETE_PROFILE: "profile_updated",
        Kind.INVITE_COLLEAGUE: "colleague_invited",
        Kind.COMPLETE_COURSE: "course_completed",
        Kind.DOWNLOAD_ASSET: "content_downloaded",
        Kind.REGISTER_DEAL: "deal_registered",
    }
    # Kinds that may point at one object (a course, an asset) are registered by the app that owns
    # those objects (partners.step_targets); the step stores the target generically (type + id).

    path = models.ForeignKey(OnboardingPath, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    target_type = models.CharField(
        _("target type"), max_length=60, blank=True,
        help_text=_("For course and asset steps: the object type, e.g. content.course. Empty: any."),
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True,
                                 help_text=_("The id of that course or asset. Empty: any."))
    action_url = models.CharField(_("link"), max_length=300, blank=True,
                                  help_text=_("Optional page where the partner does this step (a path such as /content/…)."))

    class Meta:
        ordering = ["path", "order"]
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")
        constraints = [models.UniqueConstraint(fields=["tenant", "path", "order"], name="onboardingstep_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    @property
    def event_kind(self) -> str | None:
        return self.EVENT_KINDS.get(self.kind)

    def clean(self) -> None:
        target_types = step_target_types()
        if self.target_id and self.kind not in target_types:
            raise ValidationError({"target_id": _("Only course and asset steps point at an object.")})
        if self.kind in target_types and self.target_id and not self.target_type:
            self.target_type = target_types[self.kind]
        if self.action_url and not self.action_url.startswith("/"):
            raise ValidationError({"action_url": _("Enter a path inside the portal, starting with /.")})


class PartnerOnboarding(TenantOwnedModel):
    """A partner's run through its path; `last_progress_at` makes "stuck for N days" one indexed filter."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="onboardings")
    path = models.ForeignKey(OnboardingPath, on_delete=models.PROTECT, related_name="onboardings")
    started_at = models.DateTimeField(_("started"))
    last_progress_at = models.DateTimeField(_("last progress"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner onboarding")
        verbose_name_plural = _("partner onboardings")
        constraints = [models.UniqueConstraint(fields=["tenant", "partner"], name="onboarding_one_per_partner")]
        indexes = [models.Index(fields=["tenant", "completed_at", "last_progress_at"], name="onboarding_stuck")]

    def __str__(self) -> str:
        return _("Onboarding started %(date)s") % {"date": f"{self.started_at:%Y-%m-%d}" if self.started_at else "—"}


class StepCompletion(TenantOwnedModel):
    onboarding = models.ForeignKey(PartnerOnboarding, on_delete=models.CASCADE, related_name="completions")
    step = models.ForeignKey(OnboardingStep, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(_("completed"))
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    # The engagement event that completed it (empty for manual ticks).
    event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("completed step")
        verbose_name_plural = _("completed steps")
        constraints = [models.UniqueConstraint(fields=["tenant", "onboarding", "step"], name="stepcompletion_once")]

    def __str__(self) -> str:
        return _("Step completed %(date)s") % {"date": f"{self.completed_at:%Y-%m-%d}" if self.completed_at else "—"}
