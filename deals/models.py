"""Deal registrations, their catalogue and reference data, attribution and tamper-evident history."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from prm.tenancy.app_settings import TenantSettings
from prm.tenancy.models import TenantOwnedModel, currency_code
from prm.tenancy.scoping import scoped_manager

# Larger amounts are almost certainly typos (or need a conversation, not a form).
MAX_AMOUNT = Decimal("1000000000")


class Product(TenantOwnedModel):
    """The tenant's product catalogue that partners pick from when registering a deal."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="deals_product_unique_code")]

    def __str__(self) -> str:
        return self.name


class CurrencyRate(TenantOwnedModel):
    """How many units of the tenant's base currency one unit of `currency` is worth from a date."""

    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    rate = models.DecimalField(
        _("rate to base currency"), max_digits=18, decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text=_("Units of the base currency for one unit of this currency."),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "currency", "valid_from"], name="deals_rate_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_from})"


class HouseAccount(TenantOwnedModel):
    """A customer the vendor sells to directly: partners cannot get protection on it."""

    name = models.CharField(_("customer name"), max_length=200)
    name_normalised = models.CharField(max_length=200, editable=False)
    domain = models.CharField(_("domain"), max_length=253, blank=True, help_text=_("Registrable domain, e.g. acme.co.uk."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("house account")
        verbose_name_plural = _("house accounts")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name_normalised"], name="deals_house_unique_name"),
        ]
        indexes = [models.Index(fields=["tenant", "domain"], name="deals_house_domain")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from deals.normalise import normalise_company_name
        from prm.domains import registrable_domain

        self.name_normalised = normalise_company_name(self.name)
        self.domain = registrable_domain(self.domain) if self.domain else ""
        super().save(*args, **kwargs)


class DealQuerySet(models.QuerySet):
    def active(self, today=None):
        """Registrations that block others: awaiting a decision, or protected and not expired."""
        today = today or timezone.localdate()
        return self.filter(
            models.Q(status__in=DealRegistration.PENDING_STATUSES)
            | models.Q(status=DealRegistration.Status.APPROVED, protected_until__gte=today)
        )

    def pending(self):
        return self.filter(status__in=DealRegistration.PENDING_STATUSES)


class DealRegistration(TenantOwnedModel):
    class Kind(models.TextChoices):
        DEAL = "deal", _("Deal registration")
        REFERRAL = "referral", _("Referral")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        INFO_REQUESTED = "info_requested", _("More information requested")
        APPROVED = "approved", _("Approved (protected)")
        REJECTED = "rejected", _("Rejected")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        EXPIRED = "expired", _("Expired")

    class Stage(models.TextChoices):
        PROSPECTING = "prospecting", _("Prospecting")
        QUALIFIED = "qualified", _("Qualified")
        PROPOSAL = "proposal", _("Proposal")
        NEGOTIATION = "negotiation", _("Negotiation")
        COMMIT = "commit", _("Commit")

    class Origin(models.TextChoices):
        """Who found the customer: analytics separates partner-sourced from vendor-sourced revenue."""
        PARTNER = "partner", _("Partner-sourced")
        VENDOR_LEAD = "vendor_lead", _("Vendor-sourced lead")

    PENDING_STATUSES = ("submitted", "info_requested")
    CLOSED_STATUSES = ("won", "lost")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DEAL)
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, default=Origin.PARTNER,
                              db_default=Origin.PARTNER)  # bulk SQL writers (benchmarks) need not name it
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="deal_registrations", verbose_name=_("partner")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    # Customer
    customer_name = models.CharField(_("customer company"), max_length=200)
    customer_name_normalised = models.CharField(max_length=200, editable=False)
    website = models.CharField(_("website"), max_length=300, blank=True)
    customer_domain = models.CharField(_("customer domain"), max_length=253, blank=True, editable=False)
    customer_key = models.CharField(max_length=260, editable=False)
    country = CountryField(_("country"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_title = models.CharField(_("contact title"), max_length=120, blank=True)
    # Opportunity
    products = models.ManyToManyField(Product, through="DealProduct", related_name="+", blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_AMOUNT)],
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    base_amount = models.DecimalField(
        _("amount in base currency"), max_digits=16, decimal_places=2, null=True, blank=True,
        help_text=_("Empty while the admin has not entered an exchange rate for the currency."),
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    stage = models.CharField(_("sales stage"), max_length=12, choices=Stage.choices, default=Stage.QUALIFIED)
    notes = models.TextField(_("notes"), blank=True)
    # Review
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    sla_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    sla_escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    info_request = models.TextField(_("information requested"), blank=True)
    # Protection
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    # Outcome
    won_amount = models.DecimalField(_("final amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    won_base_amount = models.DecimalField(
        _("final amount in base currency"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    lost_reason = models.TextField(_("lost reason"), blank=True)
    # Idempotency: the form's nonce; a double-click posts it twice, the second finds the first.
    submission_nonce = models.UUIDField(default=uuid.uuid4, editable=False)
    # Head of the tamper-evident history chain (detects deleted trailing entries).
    history_head = models.CharField(max_length=64, blank=True, editable=False)
    history_count = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped_manager(DealQuerySet)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "submission_nonce"], name="deals_deal_unique_nonce"),
            # Exclusive protection: the database itself refuses a second protected registration for
            # the same customer key; the approval service also locks and re-checks similar names.
            models.UniqueConstraint(
                fields=["tenant", "customer_key"], condition=models.Q(status="approved"),
                name="deals_deal_one_protected_per_customer",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0), name="deals_deal_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(protected_until__isnull=False),
                name="deals_deal_approved_has_protection",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "submitted_at"], name="deals_deal_status_time"),
            # The review queue: pending registrations oldest first, read a page at a time.
            models.Index(fields=["tenant", "submitted_at", "id"], name="deals_deal_pending_queue",
                         condition=models.Q(status__in=["submitted", "info_requested"])),
            models.Index(fields=["tenant", "customer_domain"], name="deals_deal_domain"),
            models.Index(fields=["tenant", "partner", "status"], name="deals_deal_partner_status"),
            models.Index(fields=["tenant", "status", "protected_until"], name="deals_deal_protection"),
            models.Index(fields=["tenant", "status", "closed_on"], name="deals_deal_closed"),
        ]

    def __str__(self) -> str:
        return self.customer_name

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING_STATUSES

    @property
    def is_referral(self) -> bool:
        return self.kind == self.Kind.REFERRAL

    @property
    def is_protected(self) -> bool:
        return self.status == self.Status.APPROVED and self.protected_until is not None and (
            self.protected_until >= timezone.localdate()
        )


class DealProduct(TenantOwnedModel):
    deal = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="deal_products")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("deal product")
        constraints = [models.UniqueConstraint(fields=["tenant", "deal", "product"], name="deals_dealproduct_unique")]


class DealPartner(TenantOwnedModel):
    """A partner credited on a deal with a role; analytics reports sourced versus influenced revenue.

    The registering partner is recorded as `sourced` when the deal is registered; staff add others.
    """

    class Role(models.TextChoices):
        SOURCED = "sourced", _("Sourced")
        INFLUENCED = "influenced", _("Influenced")
        FULFILLED = "fulfilled", _("Fulfilled")

    deal = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="deal_partners")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+", verbose_name=_("partner"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("deal partner")
        verbose_name_plural = _("deal partners")
        constraints = [models.UniqueConstraint(fields=["tenant", "deal", "partner"], name="deals_dealpartner_unique")]

    def __str__(self) -> str:
        return f"{self.partner_id} ({self.role})"


class DealExtension(TenantOwnedModel):
    """A partner's request for more protection time; staff approve or decline it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    deal = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("extra days"), validators=[MinValueValidator(1), MaxValueValidator(180)])
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("protection extension")
        verbose_name_plural = _("protection extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "deal"], condition=models.Q(status="pending"), name="deals_extension_one_pending"
            ),
        ]


class DealAppeal(TenantOwnedModel):
    """A partner's one appeal against a rejection; a tenant admin upholds or reverses it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Rejection upheld")
        REVERSED = "reversed", _("Rejection reversed")

    deal = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="appeals")
    comment = models.TextField(_("why the decision should change"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        # "Once": a second appeal for the same deal is refused by the database too.
        constraints = [models.UniqueConstraint(fields=["tenant", "deal"], name="deals_appeal_once")]


HISTORY_ACTIONS = {
    "registered": _("Registered"),
    "conflicts_detected": _("Possible conflicts detected"),
    "conflicts_at_decision": _("Conflicts reviewed at decision"),
    "approved": _("Approved"),
    "auto_approved": _("Approved automatically (review deadline passed)"),
    "rejected": _("Rejected"),
    "info_requested": _("More information requested"),
    "info_provided": _("Information provided"),
    "updated": _("Updated"),
    "stage_changed": _("Sales stage changed"),
    "won": _("Won"),
    "lost": _("Lost"),
    "won_reverted": _("Win reverted"),
    "expired": _("Protection expired"),
    "extension_requested": _("Extension requested"),
    "extension_approved": _("Extension approved"),
    "extension_declined": _("Extension declined"),
    "appealed": _("Appealed"),
    "appeal_upheld": _("Appeal decided: rejection upheld"),
    "appeal_reversed": _("Appeal decided: rejection reversed, approved"),
    "partner_added": _("Partner credited"),
    "partner_removed": _("Partner credit removed"),
}


class DealHistory(TenantOwnedModel):
    """Append-only, hash-chained record of every change to a registration.

    Each entry's hash covers its content and the previous entry's hash; the deal row keeps the
    head hash and the count, so an edited, removed or re-ordered entry breaks verification
    (`manage.py verify_deal_history`).
    """

    id = models.BigAutoField(primary_key=True)
    is_append_only_log = True  # never addressed by URL; rows are only ever inserted
    deal = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="history")
    seq = models.PositiveIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # Internal entries (conflict evidence, other partners' attribution) are hidden from partners.
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["deal", "seq"]
        verbose_name = _("deal history entry")
        verbose_name_plural = _("deal history")
        constraints = [models.UniqueConstraint(fields=["tenant", "deal", "seq"], name="deals_history_unique_seq")]

    def __str__(self) -> str:
        return f"{self.deal_id} #{self.seq} {self.action}"

    @property
    def action_label(self) -> str:
        return str(HISTORY_ACTIONS.get(self.action, self.action))

    def status_label(self, value: str) -> str:
        return str(DealRegistration.Status(value).label) if value in DealRegistration.Status.values else value

    @property
    def from_label(self) -> str:
        return self.status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return self.status_label(self.to_status)

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Deal history is append-only")
        super().save(*args, **kwargs)


class CustomerLock(TenantOwnedModel):
    """One row per customer key; approvals lock the rows of every key involved (select_for_update)
    so two managers approving conflicting registrations at once are serialised."""

    id = models.BigAutoField(primary_key=True)
    is_append_only_log = True  # one row inserted per customer key, never updated nor addressed by URL
    key = models.CharField(max_length=260)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="deals_customerlock_unique_key")]


class DealSettings(TenantSettings):
    """How the tenant runs deal registration (the Settings page's "Deal registration" section).

    Read with `DealSettings.for_tenant(tenant)`: one row per tenant, memoised for the request."""

    deal_protection_days = models.PositiveIntegerField(
        _("deal protection days"), default=settings.PRM_DEFAULT_PROTECTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    deal_approval_sla_days = models.PositiveIntegerField(
        _("deal approval SLA (business days)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    auto_approve_on_sla_breach = models.BooleanField(
        _("auto-approve unconflicted deals when the SLA is missed"), default=False
    )
    deal_contact_required = models.BooleanField(
        _("require customer contact details on deals"), default=True
    )

    class Meta(TenantSettings.Meta):
        verbose_name = _("deal settings")
        verbose_name_plural = _("deal settings")
