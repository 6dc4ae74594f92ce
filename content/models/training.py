"""Training: courses with modules and a quiz; passing awards a Certification that expires."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models.audience import AudienceRules, PublishedQuerySet
from prm.tenancy.models import TenantOwnedModel
from prm.tenancy.scoping import scoped_manager


class Course(AudienceRules, TenantOwnedModel):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    certification_name = models.CharField(
        _("certification name"), max_length=200, blank=True, help_text=_("Empty: the course title."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("certification valid for (months)"), default=12, validators=[MaxValueValidator(120)],
        help_text=_("0: the certification never expires."),
    )
    passing_score = models.PositiveSmallIntegerField(
        _("passing score (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("quiz attempts allowed"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Per certification: a renewal starts a fresh count."),
    )
    partner_types = models.ManyToManyField(
        "partners.PartnerType", through="content.CoursePartnerType", blank=True, related_name="+",
        verbose_name=_("partner types"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager(PublishedQuerySet)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    @property
    def certificate_title(self) -> str:
        return self.certification_name or self.title

    def clean(self) -> None:
        if self.publish_at and self.expires_at and self.expires_at <= self.publish_at:
            raise ValidationError({"expires_at": _("The expiry must come after the publication date.")})


class CoursePartnerType(TenantOwnedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="audience_types")
    partner_type = models.ForeignKey("partners.PartnerType", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("partner type of a course")
        verbose_name_plural = _("partner types of courses")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "course", "partner_type"], name="content_coursetype_unique"),
        ]


class Module(TenantOwnedModel):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        VIDEO = "video", _("Video link")
        ASSET = "asset", _("Library asset")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(_("text"), blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    asset = models.ForeignKey(
        "content.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("asset"),
    )

    class Meta:
        ordering = ["course", "order"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "course", "order"], name="content_module_unique_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.kind == self.Kind.TEXT and not self.body.strip():
            raise ValidationError({"body": _("Enter the text of this module.")})
        if self.kind == self.Kind.VIDEO and not self.video_url:
            raise ValidationError({"video_url": _("Enter the link to the video.")})
        if self.kind == self.Kind.ASSET and not self.asset_id:
            raise ValidationError({"asset": _("Choose the library asset of this module.")})


class Question(TenantOwnedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.CharField(_("question"), max_length=500)

    class Meta:
        ordering = ["course", "order"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "course", "order"], name="content_question_unique_order"),
        ]

    def __str__(self) -> str:
        return self.text


class Choice(TenantOwnedModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.CharField(_("answer"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question", "order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return self.text


class ModuleCompletion(TenantOwnedModel):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="completions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("module completion")
        verbose_name_plural = _("module completions")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "module", "user"], name="content_modulecompletion_unique"),
        ]


class QuizAttempt(TenantOwnedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        indexes = [models.Index(fields=["tenant", "course", "user", "created_at"], name="content_attempt_user")]


class CertificationQuerySet(models.QuerySet):
    def valid_on(self, moment):
        """Certifications in force at `moment` (issued before it, not yet expired, not revoked)."""
        return self.filter(issued_at__lte=moment).exclude(status=Certification.Status.REVOKED).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=moment)
        )


class Certification(TenantOwnedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)

    objects = scoped_manager(CertificationQuerySet)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            # One active certification per person and course; a renewal ends the previous one.
            models.UniqueConstraint(
                fields=["tenant", "course", "user"], condition=models.Q(status="active"),
                name="content_certification_one_active",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "status"], name="content_cert_partner_status"),
            models.Index(fields=["tenant", "status", "expires_at"], name="content_cert_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.course} — {self.user}"

    @property
    def code(self) -> str:
        """A short reference printed on the certificate."""
        return self.pk.hex[:10].upper()
