"""The one double-entry ledger behind every incentive balance (SPIF and MDF alike).

Every money movement is a JournalEntry whose lines balance per currency (so total debits equal
total credits). Balances are never stored: they are sums of lines (debit − credit) for an
account and a dimension (fund, allocation, request, program, accrual, partner). Rows are
append-only; a correction is a new, reversing entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incentives.money import DECIMAL_PLACES, MAX_DIGITS
from prm.tenancy.models import TenantOwnedModel, currency_code


class Account(models.TextChoices):
    # MDF, in the fund's currency. "Budget" is the counter-account credited when budget is authorised.
    MDF_BUDGET = "mdf_budget", _("MDF budget authorised")
    MDF_UNALLOCATED = "mdf_unallocated", _("MDF fund unallocated")
    MDF_ALLOCATED = "mdf_allocated", _("MDF fund allocated")
    # MDF, in the allocation's currency. "Allocations granted" is the counter-account of the allocation.
    MDF_GRANTED = "mdf_granted", _("MDF allocations granted")
    MDF_AVAILABLE = "mdf_available", _("MDF allocation available")
    MDF_RESERVED = "mdf_reserved", _("MDF reserved (pre-approved)")
    MDF_PAYABLE = "mdf_payable", _("MDF payable (claims approved)")
    MDF_PAID = "mdf_paid", _("MDF paid (reimbursed)")
    # SPIF, in the program's currency.
    SPIF_BUDGET = "spif_budget", _("SPIF budget authorised")
    SPIF_AVAILABLE = "spif_available", _("SPIF budget available")
    SPIF_ACCRUED = "spif_accrued", _("SPIF accrued (pending approval)")
    SPIF_APPROVED = "spif_approved", _("SPIF approved (payable)")
    SPIF_PAID = "spif_paid", _("SPIF paid")
    SPIF_CLAWBACK = "spif_clawback", _("SPIF to recover (reversed after payment)")


class JournalEntry(TenantOwnedModel):
    is_append_only_log = True

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget")
        ALLOCATE = "allocate", _("Allocate")
        RESERVE = "reserve", _("Reserve")
        RELEASE = "release", _("Release")
        APPROVE = "approve", _("Approve")
        PAY = "pay", _("Pay")
        ACCRUE = "accrue", _("Accrue")
        REVERSE = "reverse", _("Reverse")
        RECOVER = "recover", _("Recover")

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("date"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("by"))
    # The business object behind the movement (request, claim, accrual, batch…), for the export.
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("ledger (journal entries)")
        indexes = [models.Index(fields=["tenant", "occurred_at"], name="incentives_entry_time")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.memo}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Journal entries are append-only; post a reversing entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Journal entries are append-only; post a reversing entry instead")


class JournalLine(TenantOwnedModel):
    is_append_only_log = True

    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(_("account"), max_length=20, choices=Account.choices)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    debit = models.DecimalField(_("debit"), max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, default=0)
    credit = models.DecimalField(_("credit"), max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, default=0)
    # Dimensions: which fund, allocation, request, program, accrual and partner the movement concerns.
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    fund = models.ForeignKey("incentives.MdfFund", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    allocation = models.ForeignKey("incentives.MdfAllocation", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    mdf_request = models.ForeignKey("incentives.MdfRequest", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    program = models.ForeignKey("incentives.SpifProgram", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    accrual = models.ForeignKey("incentives.SpifAccrual", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")

    class Meta:
        ordering = ["entry", "id"]
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        constraints = [
            # One side per line, never negative, never zero.
            models.CheckConstraint(
                condition=(models.Q(debit__gt=0, credit=0) | models.Q(debit=0, credit__gt=0)),
                name="incentives_line_one_side",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "entry"], name="incentives_line_entry"),
            models.Index(fields=["tenant", "allocation", "account"], name="incentives_line_allocation"),
            models.Index(fields=["tenant", "fund", "account"], name="incentives_line_fund"),
            models.Index(fields=["tenant", "mdf_request", "account"], name="incentives_line_request"),
            models.Index(fields=["tenant", "program", "partner", "account"], name="incentives_line_program"),
            models.Index(fields=["tenant", "partner", "account"], name="incentives_line_partner"),
            models.Index(fields=["tenant", "accrual", "account"], name="incentives_line_accrual"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.debit or -self.credit} {self.currency}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Journal lines are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Journal lines are append-only")
