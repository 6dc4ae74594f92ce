"""Reference data: exchange rates and the house-account list (CSV import)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from deals.models import CurrencyRate, DealRegistration, HouseAccount
from deals.normalise import normalise_company_name
from prm.audit.services import audit_log
from prm.domains import is_free_mail, registrable_domain

MAX_IMPORT_ROWS = 20000


def currency_rate_saved(*, tenant, rate: CurrencyRate) -> int:
    """Fill base amounts that were waiting for a rate in this currency (set-based update)."""
    if rate.currency == tenant.base_currency:
        return 0
    waiting = DealRegistration.objects.filter(
        tenant=tenant, currency=rate.currency, base_amount__isnull=True, amount__isnull=False,
        submitted_at__date__gte=rate.valid_from,
    )
    updated = waiting.update(base_amount=F("amount") * rate.rate)
    DealRegistration.objects.filter(
        tenant=tenant, currency=rate.currency, status=DealRegistration.Status.WON,
        won_base_amount__isnull=True, won_amount__isnull=False, closed_on__gte=rate.valid_from,
    ).update(won_base_amount=F("won_amount") * rate.rate)
    return updated


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def house_accounts_import(*, tenant, file, actor, request=None) -> ImportResult:
    """Import `name,domain,note` rows (header optional). All or nothing: any bad row → no change.

    Rows matching an existing account by normalised name are updated, others created.
    """
    raw = file.read()
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")) from None
    rows = list(csv.reader(io.StringIO(raw)))
    if rows and [c.strip().lower() for c in rows[0][:2]] in (["name", "domain"], ["name"]):
        rows = rows[1:]
    if not rows:
        raise ValidationError(_("The file has no rows. Expected columns: name, domain, note."))
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationError(_("At most %(n)d rows per import.") % {"n": MAX_IMPORT_ROWS})
    result = ImportResult()
    parsed: dict[str, tuple[str, str, str]] = {}
    for number, row in enumerate(rows, start=1):
        if not any(c.strip() for c in row):
            continue
        name = row[0].strip()[:200]
        domain_raw = row[1].strip() if len(row) > 1 else ""
        note = row[2].strip()[:200] if len(row) > 2 else ""
        norm = normalise_company_name(name)
        if not norm:
            result.errors.append(_("Row %(n)d: the customer name is missing.") % {"n": number})
            continue
        domain = registrable_domain(domain_raw) if domain_raw else ""
        if domain_raw and (not domain or is_free_mail(domain)):
            result.errors.append(_("Row %(n)d: “%(d)s” is not a company domain.") % {"n": number, "d": domain_raw[:80]})
            continue
        parsed[norm] = (name, domain, note)
    if result.errors:
        raise ValidationError(result.errors[:20])
    with transaction.atomic():
        existing = {h.name_normalised: h for h in HouseAccount.objects.filter(tenant=tenant, name_normalised__in=list(parsed))}
        new, changed = [], []
        for norm, (name, domain, note) in parsed.items():
            if norm in existing:
                account = existing[norm]
                account.name, account.domain, account.note = name, domain, note
                changed.append(account)
            else:
                new.append(HouseAccount(tenant=tenant, name=name, name_normalised=norm, domain=domain, note=note))
        HouseAccount.objects.bulk_create(new, batch_size=1000)
        HouseAccount.objects.bulk_update(changed, ["name", "domain", "note"], batch_size=1000)
        result.created, result.updated = len(new), len(changed)
        audit_log(tenant=tenant, actor=actor, action="deal.house_accounts_import", request=request,
                  changes={"created": result.created, "updated": result.updated})
    return result


def house_account_delete(*, tenant, account: HouseAccount, actor, request=None) -> None:
    audit_log(tenant=tenant, actor=actor, action="deal.house_account_delete", obj=account, request=request)
    account.delete()
