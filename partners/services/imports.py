"""Bulk CSV import of partners with their first contact: the partners' importer for prm.imports.

prm.imports does the reading, the validation pass with its preview, the queued task's run in one
transaction with batches and a progress counter, and the error report (see prm/imports/runner.py).
This module supplies what is the partners': the columns, the row validation (lookups of types,
tiers, regions, duplicate domains) and the batch writer.

Rows are upserted by the website's registrable domain: re-importing a file updates instead of
duplicating, and a file with nothing new leaves every partner unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from prm.domains import registrable_domain
from prm.imports import reading, runner
from prm.imports.importer import UPDATE, Importer, ImportStats, RowResult
from prm.imports.reading import FORMULA_PREFIXES

__all__ = [
    "ALIASES", "COLUMNS", "ERROR_REPORT_HEADER", "FORMULA_PREFIXES", "MAX_FILE_MB", "PREVIEW_ROWS",
    "REQUIRED_COLUMNS", "UPDATE_FIELDS", "ImportStats", "PartnerImporter", "PartnerRow", "RowResult", "RowValidator",
    "check_header", "error_report_rows", "import_progress", "max_rows", "partner_import_create", "partner_import_run",
    "partner_import_start", "read_csv",
]

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
ERROR_REPORT_HEADER = ["row", "errors"] + COLUMNS

_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


def max_rows() -> int:
    return getattr(settings, "PRM_PARTNER_IMPORT_MAX_ROWS", 50_000)


def _progress_key(import_id) -> str:
    return runner.progress_key(PartnerImport, import_id)


import_progress = runner.import_progress


@contextmanager
def read_csv(binary) -> Iterator[tuple[list[str], Iterator[tuple[int, dict]]]]:
    """prm.imports.reading.read_csv with the partner columns' aliases."""
    with reading.read_csv(binary, ALIASES) as result:
        yield result


def check_header(header: list[str]) -> list[str]:
    """Unknown columns (ignored); raises for missing required ones."""
    return reading.check_header(header, COLUMNS, REQUIRED_COLUMNS)


# --- Validation -----------------------------------------------------------------------


@dataclass
class PartnerRow(RowResult):
    domain: str = ""  # the website's registrable domain: the key rows are matched by


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

    def validate(self, number: int, values: dict) -> PartnerRow:
        """The row's errors or cleaned data. Formula-looking names are refused by prm.imports
        (PartnerImporter.formula_columns) before this runs."""
        row = PartnerRow(number, values)
        errors, data = row.errors, row.data
        name = values.get("name", "")
        if not name:
            errors.append(self.msg["missing_name"])
        elif len(name) > 200:
            errors.append(_("Name is longer than 200 characters."))
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
        data["contact_name"] = values.get("contact_name", "")[:150]
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


# --- The importer ---------------------------------------------------------------------


class PartnerImporter(Importer):
    import_model = PartnerImport
    error_model = PartnerImportError
    audit_prefix = "partner_import"
    columns = COLUMNS
    required_columns = REQUIRED_COLUMNS
    aliases = ALIASES
    # =HYPERLINK(...) is a spreadsheet formula, not a company name (a formula-injection attempt).
    formula_columns = {
        "name": gettext_lazy("The name “%(value)s” starts with %(char)s like a spreadsheet formula; a company name "
                             "cannot."),
        "contact_name": gettext_lazy("The contact name “%(value)s” starts with %(char)s like a spreadsheet formula."),
    }
    preview_columns = [(gettext_lazy("Name"), "name"), (gettext_lazy("Website"), "website"),
                       (gettext_lazy("Country"), "country"), (gettext_lazy("Type"), "partner_type"),
                       (gettext_lazy("Contact"), "contact_email")]
    url_names = {"list": "partners:import_list", "detail": "partners:import_detail", "start": "partners:import_start",
                 "errors": "partners:import_errors", "done": "partners:staff_list"}
    preview_rows = PREVIEW_ROWS
    max_file_mb = MAX_FILE_MB
    default_filename = "partners.csv"

    @classmethod
    def task(cls):
        from partners.tasks import partner_import_task

        return partner_import_task

    @classmethod
    def max_rows(cls) -> int:
        return max_rows()

    def __init__(self, *, tenant, import_obj=None):
        super().__init__(tenant=tenant, import_obj=import_obj)
        self.validator = RowValidator(tenant)
        self.now = timezone.now()

    @cached_property
    def paths(self) -> dict:
        return _paths_by_type(self.tenant)

    def validate(self, number: int, values: dict) -> PartnerRow:
        return self.validator.validate(number, values)

    def classify(self, results: list[PartnerRow]) -> None:
        domains = [r.domain for r in results]
        existing = set(Partner.objects.filter(tenant=self.tenant, domain__in=domains).values_list("domain", flat=True))
        for r in results:
            if r.domain in existing:
                r.action = UPDATE

    def write_batch(self, results: list[PartnerRow], stats: ImportStats) -> None:
        # Looked up at call time: tests and the fault-injection victim wrap _import_batch.
        _import_batch(self.tenant, self.import_obj, results, stats, self.paths, self.now, self.validator.entry_tier)


# --- Upload, start, run, error report ---------------------------------------------------


def partner_import_create(*, tenant, upload, actor, send_invitations: bool = False, request=None) -> PartnerImport:
    """Validate the uploaded CSV (streaming) and keep it with a preview; nothing is imported yet."""
    return runner.import_create(PartnerImporter, tenant=tenant, upload=upload, actor=actor, request=request,
                                send_invitations=send_invitations)


def partner_import_start(*, tenant, partner_import: PartnerImport, actor, request=None) -> PartnerImport:
    """Queue the import task (once)."""
    return runner.import_start(PartnerImporter, tenant=tenant, import_obj=partner_import, actor=actor, request=request)


def partner_import_run(*, tenant, import_id) -> PartnerImport | None:
    """Run a queued import: everything in one transaction, or nothing (marked failed)."""
    return runner.import_run(PartnerImporter, tenant=tenant, import_id=import_id)


def error_report_rows(partner_import: PartnerImport):
    """Rows for the downloadable error report: row number, problems, then the original cells."""
    return runner.error_report_rows(PartnerImporter, partner_import)


# --- Writing a batch ------------------------------------------------------------------


def _paths_by_type(tenant) -> dict:
    paths = {}
    for path in OnboardingPath.objects.filter(tenant=tenant):
        paths[path.partner_type_id] = path
    return paths


def _import_batch(tenant, partner_import, results: list[PartnerRow], stats: ImportStats, paths: dict, now,
                  entry_tier: Tier | None) -> None:
    """Upsert one batch of valid rows by domain (the invalid ones are recorded by prm.imports)."""
    good = [r for r in results if r.ok]
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
