"""Bulk CSV import of partners with their first contact.

- The file is streamed (never loaded whole) and processed in batches with bulk operations, so
  memory stays bounded whatever the number of rows.
- Upload → a validation pass fills the preview (counts, first rows with their errors).
- The import itself runs as a Celery task inside ONE transaction: a fatal error rolls everything
  back and the import is marked failed, so nothing is ever half-imported. Progress is published
  through the cache (the transaction's own writes are invisible to the polling request).
- That transaction holds the import's row lock until it commits. A worker killed mid-import takes its
  transaction and its lock with it and leaves the import `running` with nothing written; the task is
  redelivered (acks_late) and the redelivery, finding the row unlocked, imports the file again.
- Rows are upserted by the website's registrable domain: re-importing a file updates instead of
  duplicating, and a file with nothing new leaves every partner unchanged.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from partners.choices import MAX_SPECIALTIES, REVENUE_BAND_CODES, normalise_specialties, parse_regions, region_lookup
from partners.models import (
    OnboardingPath,
    Partner,
    PartnerImport,
    PartnerImportError,
    PartnerOnboarding,
    PartnerType,
    Tier,
    TierChange,
)
from prm.audit.services import audit_log
from prm.csv_safe import restore
from prm.domains import registrable_domain
from prm.tenancy.tasks import enqueue_on_commit
from prm.uploads import validate_upload

logger = logging.getLogger(__name__)

COLUMNS = ["name", "website", "country", "partner_type", "tier", "status", "regions", "specialties", "employees",
           "revenue_band", "description", "contact_name", "contact_email"]
REQUIRED_COLUMNS = ("name", "website", "country", "partner_type", "contact_email")
ALIASES = {"company": "name", "organisation": "name", "organization": "name", "type": "partner_type",
           "email": "contact_email", "contact": "contact_name", "url": "website", "region": "regions"}
PREVIEW_ROWS = 20
MAX_FILE_MB = 20
# Fields an import overwrites on an existing partner when the cell is not empty.
UPDATE_FIELDS = ["name", "website", "country", "partner_type", "tier", "regions", "specialties", "employees",
                 "revenue_band", "description", "contact_name", "contact_email"]

_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


def max_rows() -> int:
    return getattr(settings, "PRM_PARTNER_IMPORT_MAX_ROWS", 50_000)


def _progress_key(import_id) -> str:
    return f"partners:import:{import_id}:progress"


def import_progress(partner_import: PartnerImport) -> int:
    """Rows processed so far (from the cache while running, from the row once finished)."""
    if partner_import.is_finished:
        return partner_import.processed_rows
    return int(cache.get(_progress_key(partner_import.pk)) or partner_import.processed_rows or 0)


# --- Reading --------------------------------------------------------------------------


FORMULA_PREFIXES = ("=", "+", "@", "-")


def _cell(value: str) -> str:
    """Strip a cell, and undo prm.csv_safe's formula guard (a ' before = + - @ at the start or after
    a separator) so that re-importing an export gives back the original value instead of growing quotes."""
    return restore(value.strip())


def _normalise_header(name: str) -> str:
    key = (name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


@contextmanager
def read_csv(binary) -> Iterator[tuple[list[str], Iterator[tuple[int, dict]]]]:
    """Yield (normalised header, iterator of (row number, {column: value})), streaming a binary file.

    Row numbers are spreadsheet line numbers (the header is row 1). Semicolon-separated files
    (spreadsheet exports in many locales) are detected from the header line. The text wrapper
    is detached afterwards so the underlying file stays open for its owner.
    """
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        header = [_normalise_header(h) for h in next(csv.reader([first], delimiter=delimiter), [])]
        reader = csv.reader(text, delimiter=delimiter)

        def rows() -> Iterator[tuple[int, dict]]:
            for number, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue  # blank line
                yield number, {col: (_cell(cells[i]) if i < len(cells) else "") for i, col in enumerate(header) if col}

        yield header, rows()
    finally:
        text.detach()


def check_header(header: list[str]) -> list[str]:
    """Unknown columns (ignored); raises for missing required ones."""
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(_("The file is missing the column(s): %(cols)s. The first line must name the columns, e.g. %(example)s.") % {
            "cols": ", ".join(missing), "example": ",".join(COLUMNS)})
    return [c for c in header if c and c not in COLUMNS]


# --- Validation -----------------------------------------------------------------------


@dataclass
class RowResult:
    number: int
    values: dict
    errors: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    domain: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


class RowValidator:
    """Validates rows one by one; remembers domains seen so far to refuse duplicates in the file."""

    def __init__(self, tenant):
        self.types: dict[str, PartnerType] = {}
        for t in PartnerType.objects.filter(tenant=tenant):
            self.types[t.code.lower()] = t
            self.types[t.name.lower()] = t
        self.tiers: dict[str, Tier] = {}
        for t in Tier.objects.filter(tenant=tenant):
            self.tiers[t.name.lower()] = t
            self.tiers[str(t.rank)] = t
        self.statuses = {s.value: s.value for s in Partner.Status}
        self.statuses.update({str(s.label).lower(): s.value for s in Partner.Status})
        self.seen: dict[str, int] = {}
        self.regions = region_lookup()
        # Messages are translated once, not once per row.
        self.msg = {
            "missing_name": _("Missing name."), "missing_website": _("Missing website."),
            "missing_country": _("Missing country."), "missing_email": _("Missing contact email."),
        }
        ranked = sorted({t.pk: t for t in self.tiers.values()}.values(), key=lambda t: t.rank)
        self.entry_tier: Tier | None = ranked[0] if ranked else None

    def validate(self, number: int, values: dict) -> RowResult:
        row = RowResult(number, values)
        errors, data = row.errors, row.data
        name = values.get("name", "")
        if not name:
            errors.append(self.msg["missing_name"])
        elif len(name) > 200:
            errors.append(_("Name is longer than 200 characters."))
        elif name.startswith(FORMULA_PREFIXES):
            # =HYPERLINK(...) is a spreadsheet formula, not a company name (a formula-injection attempt).
            errors.append(_("The name “%(value)s” starts with %(char)s like a spreadsheet formula; a company name "
                            "cannot.") % {"value": name[:40], "char": name[0]})
        data["name"] = name[:200]

        website = values.get("website", "")
        if not website:
            errors.append(self.msg["missing_website"])
        else:
            if "://" not in website:
                website = "https://" + website
            domain = registrable_domain(website)
            try:
                _url(website)
            except ValidationError:
                domain = ""
            if not domain:
                errors.append(_("Website “%(value)s” has no domain name.") % {"value": values.get("website")})
            elif domain in self.seen:
                errors.append(_("Duplicate domain %(domain)s (already on row %(row)s).") % {"domain": domain, "row": self.seen[domain]})
            else:
                self.seen[domain] = number
                row.domain = domain
        data["website"] = website[:200]

        country = values.get("country", "")
        code = countries.alpha2(country) if len(country) in (2, 3) else ""
        code = code or (countries.by_name(country) if country else "")
        if not country:
            errors.append(self.msg["missing_country"])
        elif not code:
            errors.append(_("Unknown country “%(value)s” (use a two-letter code such as DE).") % {"value": country})
        data["country"] = code

        type_value = values.get("partner_type", "")
        partner_type = self.types.get(type_value.lower())
        if partner_type is None:
            errors.append(_("Unknown partner type “%(value)s” (use one of: %(choices)s).") % {
                "value": type_value, "choices": ", ".join(sorted({t.code for t in self.types.values()}))})
        data["partner_type"] = partner_type

        tier_value = values.get("tier", "")
        data["tier"] = None
        if tier_value:
            data["tier"] = self.tiers.get(tier_value.lower())
            if data["tier"] is None:
                errors.append(_("Unknown tier “%(value)s”.") % {"value": tier_value})

        status_value = values.get("status", "")
        data["status"] = Partner.Status.ACTIVE
        if status_value:
            data["status"] = self.statuses.get(status_value.lower())
            if data["status"] is None:
                errors.append(_("Unknown status “%(value)s”.") % {"value": status_value})

        regions, unknown = parse_regions(values.get("regions", ""), self.regions)
        if unknown:
            errors.append(_("Unknown region(s): %(values)s (use NA, LATAM, EMEA, APAC).") % {"values": ", ".join(unknown)})
        data["regions"] = regions

        specialties = normalise_specialties(values.get("specialties", ""))
        if len(specialties) > MAX_SPECIALTIES or any(len(s) > 40 for s in specialties):
            errors.append(_("At most %(n)s specialties of up to 40 characters each.") % {"n": MAX_SPECIALTIES})
        data["specialties"] = specialties

        employees = values.get("employees", "").replace(",", "").replace(" ", "")
        data["employees"] = None
        if employees:
            if employees.isdigit() and int(employees) < 10_000_000:
                data["employees"] = int(employees)
            else:
                errors.append(_("Employees must be a whole number, not “%(value)s”.") % {"value": values.get("employees")})

        band = values.get("revenue_band", "")
        if band and band not in REVENUE_BAND_CODES:
            errors.append(_("Unknown revenue band “%(value)s”.") % {"value": band})
        data["revenue_band"] = band

        data["description"] = values.get("description", "")[:5000]
        contact = values.get("contact_name", "")
        if contact.startswith(FORMULA_PREFIXES):
            errors.append(_("The contact name “%(value)s” starts with %(char)s like a spreadsheet formula.") % {
                "value": contact[:40], "char": contact[0]})
        data["contact_name"] = contact[:150]
        email = values.get("contact_email", "").lower()
        if not email:
            errors.append(self.msg["missing_email"])
        else:
            try:
                _email(email)
            except ValidationError:
                errors.append(_("Invalid contact email “%(value)s”.") % {"value": values.get("contact_email")})
        data["contact_email"] = email
        return row


def _batches(iterator, size: int):
    while True:
        batch = list(islice(iterator, size))
        if not batch:
            return
        yield batch


# --- Upload and preview ---------------------------------------------------------------


def partner_import_create(*, tenant, upload, actor, send_invitations: bool = False, request=None) -> PartnerImport:
    """Validate the uploaded CSV (streaming) and keep it with a preview; nothing is imported yet."""
    try:
        validate_upload(upload, kinds={"text"}, max_mb=MAX_FILE_MB)
    except ValidationError as exc:
        raise ValidationError([*exc.messages, _("Upload a CSV file saved as “CSV UTF-8” from your spreadsheet.")]) from exc
    try:
        with read_csv(upload) as (header, rows):
            unknown, total, valid, errors, creates, preview = _preview(tenant, header, rows)
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.")) from exc
    except csv.Error as exc:
        raise ValidationError(_("The file is not a readable CSV file (%(error)s).") % {"error": exc}) from exc
    if total == 0:
        raise ValidationError(_("The file has a header but no rows."))
    upload.seek(0)
    partner_import = PartnerImport(
        tenant=tenant, filename=(getattr(upload, "name", "") or "partners.csv")[:200], created_by=actor,
        send_invitations=send_invitations, total_rows=total, valid_rows=valid, error_rows=errors,
        preview={"rows": preview, "unknown_columns": unknown, "creates": creates, "updates": valid - creates},
    )
    partner_import.file.save("import.csv", upload, save=False)
    partner_import.save(force_insert=True)
    audit_log(tenant=tenant, actor=actor, action="partner_import.upload", obj=partner_import,
              changes={"rows": total, "errors": errors}, request=request)
    return partner_import


def _preview(tenant, header, rows):
    """One streaming validation pass: counts, creates vs updates, and the first rows for display."""
    unknown = check_header(header)
    validator = RowValidator(tenant)
    total = valid = errors = creates = 0
    preview = []
    for batch in _batches(rows, settings.PRM_IMPORT_BATCH_SIZE):
        results = [validator.validate(n, v) for n, v in batch]
        domains = [r.domain for r in results if r.ok]
        existing = set(Partner.objects.filter(tenant=tenant, domain__in=domains).values_list("domain", flat=True))
        for r in results:
            total += 1
            valid += r.ok
            errors += not r.ok
            creates += r.ok and r.domain not in existing
            if len(preview) < PREVIEW_ROWS:
                preview.append({"row": r.number, "values": r.values, "errors": r.errors,
                                "action": ("" if not r.ok else "update" if r.domain in existing else "create")})
        if total > max_rows():
            raise ValidationError(_("The file has more than %(n)s rows; split it into smaller files.") % {"n": max_rows()})
    return unknown, total, valid, errors, creates, preview


def partner_import_start(*, tenant, partner_import: PartnerImport, actor, request=None) -> PartnerImport:
    """Queue the import task (once)."""
    from partners.tasks import partner_import_task

    with transaction.atomic():
        locked = PartnerImport.objects.select_for_update().get(pk=partner_import.pk)
        if locked.status != PartnerImport.Status.VALIDATED:
            raise ValidationError(_("This import has already been started."))
        if locked.valid_rows == 0:
            raise ValidationError(_("No row is valid; fix the file and upload it again."))
        locked.status = PartnerImport.Status.QUEUED
        locked.save(update_fields=["status"])
        audit_log(tenant=tenant, actor=actor, action="partner_import.start", obj=locked, request=request)
        enqueue_on_commit(partner_import_task, str(locked.pk), tenant_id=tenant.pk)
    return locked


# --- The import itself ----------------------------------------------------------------


@dataclass
class ImportStats:
    processed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0


class _Busy(Exception):
    """Another worker is importing this file right now (or has just finished it)."""


def _hold(import_id) -> bool:
    """Lock a running import's row for the rest of the transaction (its first statement); False when
    it is no longer running. Raises _Busy when a live worker holds the lock."""
    running = PartnerImport.objects.filter(pk=import_id, status=PartnerImport.Status.RUNNING)
    try:
        if not list(running.select_for_update(nowait=True).values_list("pk", flat=True)):
            return False
        # SQLite has no row locks: this write takes its single writer lock for the transaction instead.
        return bool(running.update(started_at=timezone.now()))
    except DatabaseError as exc:
        raise _Busy from exc


def partner_import_run(*, tenant, import_id) -> PartnerImport | None:
    """Run a queued import: everything in one transaction, or nothing (marked failed).

    An import left `running` by a worker that died is run again (see the module docstring); one whose
    worker is alive is left to it."""
    claimed = PartnerImport.objects.filter(
        pk=import_id, status__in=[PartnerImport.Status.QUEUED]
    ).update(status=PartnerImport.Status.RUNNING, started_at=timezone.now())
    partner_import = PartnerImport.objects.filter(pk=import_id).first()
    if partner_import is None or partner_import.status != PartnerImport.Status.RUNNING:
        return partner_import  # already run (redelivered task) or unknown: nothing to do
    busy = False
    try:
        with transaction.atomic():
            if not _hold(partner_import.pk):
                raise _Busy
            if not claimed:
                logger.warning("partner import %s: its worker died mid-import; importing it again", import_id)
            stats = _import(tenant, partner_import)
            PartnerImport.objects.filter(pk=partner_import.pk).update(
                status=PartnerImport.Status.DONE, finished_at=timezone.now(), processed_rows=stats.processed,
                created_count=stats.created, updated_count=stats.updated, unchanged_count=stats.unchanged,
                error_rows=stats.errors, valid_rows=stats.processed - stats.errors,
            )
            audit_log(tenant=tenant, actor=partner_import.created_by, action="partner_import.done", obj=partner_import,
                      changes={"created": stats.created, "updated": stats.updated, "unchanged": stats.unchanged,
                               "errors": stats.errors})
    except _Busy:
        busy = True  # nothing written; the live worker keeps its progress
    except Exception as exc:  # fatal: the transaction is rolled back, nothing is half-imported
        logger.exception("partner import %s failed", import_id)
        PartnerImport.objects.filter(pk=partner_import.pk).update(
            status=PartnerImport.Status.FAILED, finished_at=timezone.now(), processed_rows=0,
            created_count=0, updated_count=0, unchanged_count=0,
            error_message=_("The import stopped because of an unexpected error and nothing was imported: %(error)s") % {
                "error": str(exc)[:500] or exc.__class__.__name__},
        )
    finally:
        if not busy:
            cache.delete(_progress_key(partner_import.pk))
    partner_import.refresh_from_db()
    return partner_import


def _import(tenant, partner_import: PartnerImport) -> ImportStats:
    stats = ImportStats()
    validator = RowValidator(tenant)
    paths = _paths_by_type(tenant)
    now = timezone.now()
    with partner_import.file.open("rb") as handle, read_csv(handle) as (header, rows):
        check_header(header)
        for batch in _batches(rows, settings.PRM_IMPORT_BATCH_SIZE):
            results = [validator.validate(n, v) for n, v in batch]
            _import_batch(tenant, partner_import, results, stats, paths, now, validator.entry_tier)
            stats.processed += len(results)
            cache.set(_progress_key(partner_import.pk), stats.processed, 3600)
    return stats


def _paths_by_type(tenant) -> dict:
    paths = {}
    for path in OnboardingPath.objects.filter(tenant=tenant):
        paths[path.partner_type_id] = path
    return paths


def _import_batch(tenant, partner_import, results: list[RowResult], stats: ImportStats, paths: dict, now,
                  entry_tier: Tier | None) -> None:
    bad = [r for r in results if not r.ok]
    good = [r for r in results if r.ok]
    if bad:
        PartnerImportError.objects.bulk_create([
            PartnerImportError(tenant=tenant, partner_import=partner_import, row_number=r.number,
                               messages=r.errors, values=r.values) for r in bad
        ])
        stats.errors += len(bad)
    existing = {p.domain: p for p in Partner.objects.filter(tenant=tenant, domain__in=[r.domain for r in good])}
    reason = _("Imported from %(file)s") % {"file": partner_import.filename}
    actor = partner_import.created_by
    new_partners, changed, tier_changes = [], [], []
    for r in good:
        d = r.data
        partner = existing.get(r.domain)
        if partner is None:
            partner = Partner(
                tenant=tenant, domain=r.domain, status=d["status"], owner=actor,
                activated_at=now if d["status"] == Partner.Status.ACTIVE else None,
                **{f: d[f] if d[f] is not None else _default(f) for f in UPDATE_FIELDS},
            )
            if partner.tier_id is None:
                partner.tier = entry_tier
            new_partners.append(partner)
            if partner.tier_id:
                tier_changes.append(TierChange(
                    tenant=tenant, partner=partner, from_tier=None, to_tier=partner.tier, reason=reason,
                    source=TierChange.Source.IMPORT, status=TierChange.Status.APPLIED, effective_from=now,
                    applied_at=now, changed_by=actor))
            continue
        dirty = False
        old_tier = partner.tier
        for f in UPDATE_FIELDS:
            value = d[f]
            if value in (None, "", []) and f not in ("name", "website", "country", "partner_type", "contact_email"):
                continue  # empty optional cell: keep what the partner has
            if getattr(partner, f) != value:
                setattr(partner, f, value)
                dirty = True
        if dirty:
            changed.append(partner)
            if partner.tier_id != (old_tier.pk if old_tier else None):
                tier_changes.append(TierChange(
                    tenant=tenant, partner=partner, from_tier=old_tier, to_tier=partner.tier, reason=reason,
                    source=TierChange.Source.IMPORT, status=TierChange.Status.APPLIED, effective_from=now,
                    applied_at=now, changed_by=actor))
        else:
            stats.unchanged += 1
    Partner.objects.bulk_create(new_partners)
    if changed:
        Partner.objects.bulk_update(changed, UPDATE_FIELDS)
    TierChange.objects.bulk_create(tier_changes)
    onboarding = []
    for partner in new_partners:
        path = paths.get(partner.partner_type_id) or paths.get(None)
        if partner.status == Partner.Status.ONBOARDING and path is not None:
            onboarding.append(PartnerOnboarding(tenant=tenant, partner=partner, path=path, started_at=now,
                                                last_progress_at=now))
    PartnerOnboarding.objects.bulk_create(onboarding)
    stats.created += len(new_partners)
    stats.updated += len(changed)
    if partner_import.send_invitations:
        _invite(tenant, partner_import, new_partners)


def _default(field_name: str):
    return {"regions": [], "specialties": [], "employees": None, "tier": None}.get(field_name, "")


def _invite(tenant, partner_import, partners: list[Partner]) -> None:
    from prm.accounts.services import invitation_create
    from prm.tenancy.roles import Role

    for partner in partners:
        try:
            with transaction.atomic():
                invitation_create(tenant=tenant, email=partner.contact_email, role=Role.PARTNER_ADMIN,
                                  partner=partner, invited_by=partner_import.created_by)
        except ValidationError:
            continue  # already a member of this portal: nothing to invite


def error_report_rows(partner_import: PartnerImport):
    """Rows for the downloadable error report: row number, problems, then the original cells.

    After the import they come from the stored errors; before it (preview), the file is validated
    again on the fly, streaming, so the report is complete whatever the file's size.
    """
    if partner_import.status == PartnerImport.Status.DONE:
        errors = (PartnerImportError.objects.filter(partner_import=partner_import).order_by("row_number")
                  .iterator(chunk_size=2000))
        for error in errors:
            yield [error.row_number, " ".join(error.messages)] + [error.values.get(c, "") for c in COLUMNS]
        return
    validator = RowValidator(partner_import.tenant)
    with partner_import.file.open("rb") as handle, read_csv(handle) as (_header, rows):
        for number, values in rows:
            row = validator.validate(number, values)
            if not row.ok:
                yield [row.number, " ".join(row.errors)] + [values.get(c, "") for c in COLUMNS]


ERROR_REPORT_HEADER = ["row", "errors"] + COLUMNS
