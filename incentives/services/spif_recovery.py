"""SPIF money recovered from a partner: paid accruals reversed later ("to recover") paid back or netted."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incentives.models import Account, JournalEntry, SpifProgram
from incentives.money import clean_amount
from incentives.money import format_money as money_label
from incentives.services import ledger
from incentives.services._common import check_same_tenant, notify_partner, url
from prm.audit.services import audit_log


def clawback_outstanding(program: SpifProgram, partner) -> Decimal:
    """What the partner still owes the program: reversed payments not yet recorded as recovered."""
    return ledger.balance(Account.SPIF_CLAWBACK, program=program, partner=partner)


def spif_recover(*, tenant, program: SpifProgram, partner, amount, note: str = "", actor,
                 request=None) -> JournalEntry:
    """Record that `amount` of the partner's clawback in `program` was recovered (paid back or netted).

    The program row lock (the same one accruals and reversals take) serialises recoveries, so two
    managers recording the same repayment at once cannot recover it twice.
    """
    check_same_tenant(tenant, program, partner)
    note = (note or "").strip()[:300]
    with transaction.atomic():
        program = SpifProgram.objects.select_for_update().get(pk=program.pk)
        amount = clean_amount(amount, program.currency)
        outstanding = clawback_outstanding(program, partner)
        if outstanding <= 0:
            raise ValidationError({"amount": _("Nothing is left to recover from %(partner)s in this program.") % {
                "partner": partner.name}})
        if amount > outstanding:
            raise ValidationError({"amount": _("At most %(amount)s is left to recover from %(partner)s.") % {
                "amount": money_label(outstanding, program.currency), "partner": partner.name}})
        # The paid accrual was charged to the program budget; money coming back refunds that budget,
        # so it can be earned again, just as a reversal before payment returns it to "available".
        memo = _("Recovered: %(program)s, %(partner)s") % {"program": program.name, "partner": partner.name}
        entry = ledger.post(tenant=tenant, kind=JournalEntry.Kind.RECOVER, actor=actor, obj=program,
                            legs=ledger.move(amount, program.currency, debit=Account.SPIF_AVAILABLE,
                                             credit=Account.SPIF_CLAWBACK, program=program, partner=partner),
                            memo=f"{memo} ({note})" if note else memo)
        left = outstanding - amount
        audit_log(tenant=tenant, actor=actor, action="spif.recover", obj=program, request=request,
                  changes={"partner": str(partner.pk), "amount": str(amount), "currency": program.currency,
                           "outstanding_before": str(outstanding), "note": note})
        body = _("%(amount)s of the SPIF paid in %(program)s was recorded as recovered. Still to be recovered: "
                 "%(left)s.") % {"amount": money_label(amount, program.currency), "program": program.name,
                                 "left": money_label(left, program.currency)}
        notify_partner(tenant, partner, _("SPIF amount recovered: %(amount)s") % {
            "amount": money_label(amount, program.currency)}, f"{body}\n{note}" if note else body,
            url(tenant, "incentives:home", request=request))
    return entry
