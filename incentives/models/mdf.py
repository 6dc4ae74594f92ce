"""Market development funds: funds per period, allocations to partners, requests, claims, proof."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incentives.models.spif import money_field
from incentives.money import RATE_PLACES, minor_unit
from prm.tenancy.models import TenantOwnedModel, currency_code


class MdfFund(TenantOwnedModel):
    """A budget for co-marketing in one period and currency."""

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("period starts"))
    end_date = models.DateField(_("period ends"), help_text=_("Activities must start within the period."))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    budget = money_field(_("budget"), validators=[MinValueValidator(Decimal("0.001"))])
    coop_rate = models.DecimalField(
        _("co-op rate %"), max_digits=6, decimal_places=3, default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("100"))],
        help_text=_("The vendor reimburses at most this share of an activity's actual cost."),
    )
    claim_deadline_days = models.PositiveSmallIntegerField(
        _("claim deadline (days after the activity)"), default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    is_active = models.BooleanField(_("open for requests"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("MDF fund")
        verbose_name_plural = _("MDF funds")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="incentives_fund_unique_name"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="incentives_fund_period"),
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="incentives_fund_budget_positive"),
            models.CheckConstraint(condition=models.Q(coop_rate__gt=0, coop_rate__lte=100), name="incentives_fund_coop"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The period cannot end before it starts.")
        if self.budget is not None and self.currency and self.budget != round(self.budget, minor_unit(self.currency)):
            errors["budget"] = _("At most %(places)d decimal places in %(currency)s.") % {
                "places": minor_unit(self.currency), "currency": self.currency}
        if errors:
            raise ValidationError(errors)


class MdfTierRule(TenantOwnedModel):
    """"Every MDF-eligible partner of this tier gets this much": used to generate allocations."""

    fund = models.ForeignKey(MdfFund, on_delete=models.CASCADE, related_name="tier_rules")
    tier = models.ForeignKey("partners.Tier", on_delete=models.CASCADE, related_name="+", verbose_name=_("tier"))
    amount = money_field(_("allocation per partner"), validators=[MinValueValidator(Decimal("0.001"))],
                         help_text=_("In the fund's currency."))

    class Meta:
        ordering = ["fund", "tier__rank"]
        verbose_name = _("allocation rule")
        verbose_name_plural = _("allocation rules per tier")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "fund", "tier"], name="incentives_tierrule_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="incentives_tierrule_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.tier_id}: {self.amount}"


class MdfAllocation(TenantOwnedModel):
    """A partner's share of a fund. In another currency than the fund's, the exchange rate is fixed here."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual")
        TIER_RULE = "tier_rule", _("Tier rule")

    fund = models.ForeignKey(MdfFund, on_delete=models.PROTECT, related_name="allocations")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+", verbose_name=_("partner"))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    amount = money_field(_("amount"))
    rate = models.DecimalField(_("exchange rate to the fund currency"), max_digits=18, decimal_places=RATE_PLACES,
                               help_text=_("Fund-currency units per unit of the allocation's currency (fixed when made)."))
    fund_amount = money_field(_("amount in the fund currency"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["fund", "partner__name"]
        verbose_name = _("MDF allocation")
        verbose_name_plural = _("MDF allocations")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "fund", "partner"], name="incentives_allocation_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0, fund_amount__gt=0, rate__gt=0),
                                   name="incentives_allocation_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "partner", "fund"], name="incentives_allocation_partner")]

    def __str__(self) -> str:
        return f"{self.fund} – {self.partner_id}"


class MdfRequest(TenantOwnedModel):
    """A partner's plan for a marketing activity; pre-approval reserves money on its allocation."""

    class ActivityType(models.TextChoices):
        EVENT = "event", _("Event")
        WEBINAR = "webinar", _("Webinar")
        DIGITAL = "digital_campaign", _("Digital campaign")
        SYNDICATION = "content_syndication", _("Content syndication")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting pre-approval")
        APPROVED = "approved", _("Pre-approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Withdrawn")
        CLAIMED = "claimed", _("Claim submitted")
        CLOSED = "closed", _("Closed")
        EXPIRED = "expired", _("Claim deadline missed")

    allocation = models.ForeignKey(MdfAllocation, on_delete=models.PROTECT, related_name="requests")
    fund = models.ForeignKey(MdfFund, on_delete=models.PROTECT, related_name="requests")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+", verbose_name=_("partner"))
    activity_type = models.CharField(_("activity type"), max_length=20, choices=ActivityType.choices)
    title = models.CharField(_("activity"), max_length=200)
    description = models.TextField(_("description"))
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    requested_amount = money_field(_("requested amount"))
    expected_leads = models.PositiveIntegerField(_("expected leads"), default=0)
    campaign_code = models.CharField(
        _("campaign code"), max_length=20, editable=False,
        help_text=_("Mention it in a deal registration's notes to attribute the deal to this activity."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    approved_amount = money_field(_("pre-approved amount"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    claim_due = models.DateField(_("claim due"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    # The form's nonce: a double-click posts it twice and the second finds the first.
    submission_nonce = models.UUIDField(default=uuid.uuid4, editable=False)
    deals = models.ManyToManyField("deals.DealRegistration", through="MdfRequestDeal", related_name="+", blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("MDF request")
        verbose_name_plural = _("MDF requests")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "submission_nonce"], name="incentives_request_nonce"),
            models.UniqueConstraint(fields=["tenant", "campaign_code"], name="incentives_request_campaign_code"),
            models.CheckConstraint(condition=models.Q(requested_amount__gt=0), name="incentives_request_positive"),
            models.CheckConstraint(condition=models.Q(approved_amount__isnull=True) | models.Q(approved_amount__gt=0),
                                   name="incentives_request_approved_positive"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="incentives_request_dates"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "submitted_at"], name="incentives_request_status"),
            models.Index(fields=["tenant", "partner", "status"], name="incentives_request_partner"),
            models.Index(fields=["tenant", "status", "claim_due"], name="incentives_request_due"),
        ]

    def __str__(self) -> str:
        return self.title


class MdfRequestDeal(TenantOwnedModel):
    """A deal attributed to an MDF activity (for ROI): linked by hand or through the campaign code."""

    class Source(models.TextChoices):
        EXPLICIT = "explicit", _("Linked by hand")
        CAMPAIGN_CODE = "campaign_code", _("Campaign code in the registration")

    mdf_request = models.ForeignKey(MdfRequest, on_delete=models.CASCADE, related_name="deal_links")
    deal = models.ForeignKey("deals.DealRegistration", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=15, choices=Source.choices, default=Source.EXPLICIT)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attributed deal")
        verbose_name_plural = _("attributed deals")
        constraints = [models.UniqueConstraint(fields=["tenant", "mdf_request", "deal"],
                                               name="incentives_requestdeal_unique")]
        indexes = [models.Index(fields=["tenant", "deal"], name="incentives_requestdeal_deal")]


class MdfClaim(TenantOwnedModel):
    """After the activity: actual cost, results and proof. One claim per request."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        APPROVED = "approved", _("Approved, awaiting reimbursement")
        REJECTED = "rejected", _("Rejected")
        REIMBURSED = "reimbursed", _("Reimbursed")

    mdf_request = models.ForeignKey(MdfRequest, on_delete=models.PROTECT, related_name="claims")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    actual_cost = money_field(_("actual cost"))
    leads_generated = models.PositiveIntegerField(_("leads generated"), default=0)
    results = models.TextField(_("results"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    approved_amount = money_field(_("approved amount"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    reimbursed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    reimbursed_at = models.DateTimeField(_("reimbursed"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("MDF claim")
        verbose_name_plural = _("MDF claims")
        constraints = [
            # Double submission is refused by the database too.
            models.UniqueConstraint(fields=["tenant", "mdf_request"], name="incentives_claim_once"),
            models.CheckConstraint(condition=models.Q(actual_cost__gt=0), name="incentives_claim_cost_positive"),
            models.CheckConstraint(condition=models.Q(approved_amount__isnull=True) | models.Q(approved_amount__gt=0),
                                   name="incentives_claim_approved_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "status", "submitted_at"], name="incentives_claim_status")]

    def __str__(self) -> str:
        return f"{self.mdf_request_id}: {self.actual_cost} {self.currency}"


def proof_path(instance: ProofFile, filename: str) -> str:
    # Random, extension from the sniffed type only: the partner's file name never reaches the disk.
    return f"tenants/{instance.tenant_id}/mdf-proof/{instance.claim_id}/{uuid.uuid4().hex}.{instance.extension}"


class ProofFile(TenantOwnedModel):
    """Proof of performance (invoice, photo, attendee list). Private; streamed by an access-checked view."""

    claim = models.ForeignKey(MdfClaim, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(upload_to=proof_path, max_length=300)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("proof of performance")
        verbose_name_plural = _("proof of performance")

    def __str__(self) -> str:
        return self.name
