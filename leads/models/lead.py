"""Leads and their assignments: one Lead row for its whole life, one LeadAssignment per offer."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from leads.choices import INDUSTRIES, SIZES
from partners.choices import REGIONS
from prm.tenancy.models import TenantOwnedModel, currency_code
from prm.tenancy.scoping import scoped_manager

MAX_VALUE = Decimal("1000000000")


class LeadQuerySet(models.QuerySet):
    def open(self):
        """Leads still in play (not converted, not lost)."""
        return self.filter(status__in=Lead.OPEN_STATUSES)

    def held(self):
        """Leads a partner holds: they count against its declared capacity."""
        return self.filter(status__in=Lead.HELD_STATUSES, partner__isnull=False)


class Lead(TenantOwnedModel):
    """A vendor's prospect offered to partners. Reassignment moves this row (with its history),
    it never copies it."""

    class Status(models.TextChoices):
        UNASSIGNED = "unassigned", _("Unassigned")
        ASSIGNED = "assigned", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        WORKING = "working", _("Working")
        CONVERTED = "converted", _("Converted to a deal")
        LOST = "lost", _("Lost")

    class Source(models.TextChoices):
        WEBSITE = "website", _("Website form")
        EVENT = "event", _("Event")
        CAMPAIGN = "campaign", _("Campaign")
        INBOUND = "inbound", _("Inbound call or email")
        IMPORT = "import", _("Import")
        API = "api", _("API")
        COMMUNITY = "community", _("Community")
        OTHER = "other", _("Other")

    class DealOutcome(models.TextChoices):
        OPEN = "", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    OPEN_STATUSES = ("unassigned", "assigned", "accepted", "working")
    HELD_STATUSES = ("assigned", "accepted", "working")
    # The partner owns the lead (and sees its contact) from acceptance on.
    OWNED_STATUSES = ("accepted", "working", "converted", "lost")
    CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "contact_title")

    # Prospect
    company_name = models.CharField(_("company"), max_length=200)
    company_name_normalised = models.CharField(max_length=200, editable=False)
    website = models.CharField(_("website"), max_length=300, blank=True)
    domain = models.CharField(_("domain"), max_length=253, blank=True, editable=False)
    country = CountryField(_("country"), blank=True)
    region = models.CharField(_("region"), max_length=8, choices=REGIONS, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=INDUSTRIES, blank=True)
    company_size = models.CharField(_("company size"), max_length=12, choices=SIZES, blank=True)
    product = models.ForeignKey("deals.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("product interest"))
    # Contact: withheld from partners until they accept (Lead.shows_contact_to).
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_title = models.CharField(_("contact title"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.OTHER)
    # The caller's own key (API idempotency key, CRM id, import row): the same key finds the same lead.
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    value_estimate = models.DecimalField(
        _("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_VALUE)],
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("lead owner"),
                              help_text=_("The channel manager who hears when nobody takes the lead."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Where it is now
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNASSIGNED)
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="leads", verbose_name=_("partner"))
    partner_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("assigned to"))
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    accept_by = models.DateTimeField(_("accept by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the owner"), null=True, blank=True)
    lost_reason = models.TextField(_("lost reason"), blank=True)
    # Conversion: the deal registration it became, and that deal's outcome (from the deal events).
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    deal = models.ForeignKey("deals.DealRegistration", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("deal registration"))
    deal_outcome = models.CharField(_("deal outcome"), max_length=4, choices=DealOutcome.choices, blank=True)
    won_at = models.DateTimeField(_("won"), null=True, blank=True)

    objects = scoped_manager(LeadQuerySet)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "source_ref"], condition=~models.Q(source_ref=""),
                                    name="leads_lead_unique_source_ref"),
            # Converting twice never makes a second deal.
            models.UniqueConstraint(fields=["tenant", "deal"], condition=models.Q(deal__isnull=False),
                                    name="leads_lead_one_per_deal"),
            models.CheckConstraint(
                condition=~models.Q(status="assigned") | models.Q(partner__isnull=False, accept_by__isnull=False),
                name="leads_lead_assigned_has_partner_and_deadline"),
            models.CheckConstraint(condition=~models.Q(status="unassigned") | models.Q(partner__isnull=True),
                                   name="leads_lead_unassigned_has_no_partner"),
            models.CheckConstraint(condition=models.Q(value_estimate__isnull=True) | models.Q(value_estimate__gte=0),
                                   name="leads_lead_value_not_negative"),
        ]
        indexes = [
            # The accept-window sweep: offers past their deadline, oldest first.
            models.Index(fields=["tenant", "accept_by"], name="leads_lead_offer_deadline",
                         condition=models.Q(status="assigned")),
            models.Index(fields=["tenant", "partner", "status"], name="leads_lead_partner_status"),
            models.Index(fields=["tenant", "status", "created_at"], name="leads_lead_status_time"),
            models.Index(fields=["tenant", "domain"], name="leads_lead_domain"),
            models.Index(fields=["tenant", "company_name_normalised"], name="leads_lead_name"),
        ]

    def __str__(self) -> str:
        return self.company_name

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def effective_region(self) -> str:
        from leads.choices import region_for_country

        return self.region or region_for_country(self.country.code if self.country else "")

    # --- The one rule for contact details: pages, exports and the API all ask here -----------------

    def shows_contact_to(self, viewer) -> bool:
        """Staff see the contact; a partner only once its organisation accepted the lead."""
        if not viewer.is_partner:
            return True
        return (self.partner_id is not None and self.partner_id == viewer.partner_id
                and self.accepted_at is not None and self.status in self.OWNED_STATUSES)

    def contact_for(self, viewer) -> dict[str, str]:
        """{field: value} of the contact, each '' when withheld from this viewer."""
        shown = self.shows_contact_to(viewer)
        return {name: (getattr(self, name) if shown else "") for name in self.CONTACT_FIELDS}


class LeadAssignment(TenantOwnedModel):
    """One routing decision for a lead: the rule, the candidates considered, who was chosen and why,
    the deadline, and what the partner did. A decision that found nobody is kept too (partner
    empty, outcome "unassigned"), so "why is this lead with nobody?" has an answer."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        REASSIGNED = "reassigned", _("Reassigned by staff")
        UNASSIGNED = "unassigned", _("Nobody eligible")

    class Strategy(models.TextChoices):
        NAMED = "named", _("Named partner")
        ROUND_ROBIN = "round_robin", _("Round robin")
        PERFORMANCE = "performance", _("Performance-weighted")
        MANUAL = "manual", _("Assigned by staff")
        NONE = "", _("None")

    # Outcomes that end an offer: the partner counts as "tried" and is never offered the lead again.
    RETURNED_OUTCOMES = ("declined", "expired", "reassigned")
    LIVE_OUTCOMES = ("pending", "accepted")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments")
    seq = models.PositiveIntegerField()
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="lead_assignments", verbose_name=_("partner"))
    rule = models.ForeignKey("leads.LeadRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("rule"))
    rule_name = models.CharField(_("rule"), max_length=120, blank=True)  # kept if the rule is deleted
    strategy = models.CharField(_("strategy"), max_length=12, choices=Strategy.choices, blank=True)
    # Why the chosen one won (a code and its figures, rendered in the reader's language by leads.routing.explain).
    reason = models.CharField(_("reason"), max_length=24)
    reason_data = models.JSONField(default=dict, blank=True)
    # The candidates considered: counts by eligibility and the best few with their figures.
    candidates = models.JSONField(default=dict, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("assigned by"))
    created_at = models.DateTimeField(_("offered"), default=timezone.now)
    accept_by = models.DateTimeField(_("accept by"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        ordering = ["lead", "seq"]
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "lead", "seq"], name="leads_assignment_unique_seq"),
            # At most one live offer per lead: two partners can never both hold it.
            models.UniqueConstraint(fields=["tenant", "lead"], condition=models.Q(outcome__in=["pending", "accepted"]),
                                    name="leads_assignment_one_live"),
            models.CheckConstraint(condition=models.Q(outcome="unassigned") | models.Q(partner__isnull=False),
                                   name="leads_assignment_has_partner"),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "created_at"], name="leads_assignment_partner_time"),
            models.Index(fields=["tenant", "created_at"], name="leads_assignment_time"),
            models.Index(fields=["tenant", "accept_by"], name="leads_assignment_reminders",
                         condition=models.Q(outcome="pending", reminded_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} #{self.seq} {self.outcome}"

    @property
    def why(self) -> str:
        """Why this partner (or nobody) was chosen, in the active language."""
        from leads.routing.explain import explain

        return explain(self.reason, self.reason_data)

    @property
    def accepted_in_window(self) -> bool:
        return (self.outcome == self.Outcome.ACCEPTED and self.decided_at is not None
                and (self.accept_by is None or self.decided_at <= self.accept_by))
