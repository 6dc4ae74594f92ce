"""Bulk CSV import of leads: the leads' importer for prm.imports.

prm.imports does the reading, the validation pass with its preview, the queued task's run in one
transaction with batches and a progress counter, and the error report (see prm/imports/runner.py).
This module supplies what is the leads': the columns, the row validation (the one lead rule of
`leads.services.validate_lead`, lookups of products, industries, sizes and sources, duplicates
through `leads.dedupe.OpenLeads`) and the batch writer, which bulk-creates the batch's leads and
routes them with one set-based `leads_route` call.

A row whose `source_ref` names a lead that exists already was imported before (or came through
the API with that key): it is counted as unchanged and never touches that lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from deals.models import Product
from leads.choices import INDUSTRIES, SIZES
from leads.dedupe import OpenLeads
from leads.models import Lead, LeadImport, LeadImportError
from leads.services import leads_route, validate_lead
from leads.services.create import duplicate_message
from prm.imports import runner
from prm.imports.importer import UPDATE, Importer, ImportStats, RowResult
from prm.imports.reading import looks_like_formula

__all__ = ["ALIASES", "COLUMNS", "REQUIRED_COLUMNS", "LeadImporter", "LeadRow", "error_report_rows",
           "lead_import_create", "lead_import_run", "lead_import_start"]

COLUMNS = ["company", "website", "country", "region", "industry", "company_size", "product", "contact_name",
           "contact_email", "contact_phone", "contact_title", "source", "source_ref", "notes", "value_estimate",
           "currency"]
# A row also needs a country or a website (checked per row: routing needs the territory, dedupe the domain).
REQUIRED_COLUMNS = ("company",)
# Header spellings of CRMs and spreadsheets (after normalisation: lower case, spaces and dashes as _).
ALIASES = {
    "company_name": "company", "account": "company", "account_name": "company", "organisation": "company",
    "organization": "company", "customer": "company",
    "url": "website", "web": "website", "homepage": "website", "domain": "website", "company_website": "website",
    "country_code": "country",
    "sector": "industry", "vertical": "industry",
    "size": "company_size", "employees": "company_size", "headcount": "company_size",
    "product_interest": "product", "product_code": "product",
    "contact": "contact_name", "name": "contact_name", "full_name": "contact_name",
    "email": "contact_email", "e_mail": "contact_email", "email_address": "contact_email",
    "phone": "contact_phone", "telephone": "contact_phone", "phone_number": "contact_phone",
    "title": "contact_title", "job_title": "contact_title",
    "lead_source": "source",
    "reference": "source_ref", "ref": "source_ref", "external_id": "source_ref", "crm_id": "source_ref",
    "lead_id": "source_ref",
    "note": "notes", "comments": "notes", "comment": "notes", "description": "notes",
    "value": "value_estimate", "estimated_value": "value_estimate", "amount": "value_estimate",
    "deal_value": "value_estimate",
}
# validate_lead's field names that differ from this file's columns.
FIELD_COLUMNS = {"company_name": "company"}
# Company sizes given as a head count: the band each number falls in.
SIZE_BANDS = [(50, "1-49"), (250, "50-249"), (1000, "250-999"), (5000, "1000-4999")]
# Lead fields that the importer does not take from the file (set by the batch writer or routing).
NOT_FROM_FILE = ["tenant", "product", "owner", "created_by", "partner", "partner_user", "deal"]


@dataclass(frozen=True)
class FileRow:
    """A row of this file in the duplicate index (next to the tenant's open leads)."""

    number: int


@dataclass
class LeadRow(RowResult):
    already_imported: bool = False  # its source_ref names an existing lead: counted as unchanged


class LeadImporter(Importer):
    import_model = LeadImport
    error_model = LeadImportError
    audit_prefix = "lead_import"
    columns = COLUMNS
    required_columns = REQUIRED_COLUMNS
    aliases = ALIASES
    # =HYPERLINK(...) is a spreadsheet formula, not a company name (a formula-injection attempt).
    # Phone numbers (+49 …) and notes (- bullet points) may start like one and are not checked.
    formula_columns = {
        "company": gettext_lazy("The name “%(value)s” starts with %(char)s like a spreadsheet formula; a company "
                                "name cannot."),
        "contact_name": gettext_lazy("The contact name “%(value)s” starts with %(char)s like a spreadsheet formula."),
        "contact_title": gettext_lazy("The contact title “%(value)s” starts with %(char)s like a spreadsheet "
                                      "formula."),
    }
    update_label = gettext_lazy("already imported")
    preview_columns = [(gettext_lazy("Company"), "company"), (gettext_lazy("Website"), "website"),
                       (gettext_lazy("Country"), "country"), (gettext_lazy("Product"), "product"),
                       (gettext_lazy("Contact"), "contact_email"), (gettext_lazy("Source reference"), "source_ref")]
    url_names = {"list": "leads:import_list", "detail": "leads:import_detail", "start": "leads:import_start",
                 "errors": "leads:import_errors", "done": "leads:list"}
    default_filename = "leads.csv"

    @classmethod
    def task(cls):
        from leads.tasks import lead_import_task

        return lead_import_task

    def __init__(self, *, tenant, import_obj=None):
        super().__init__(tenant=tenant, import_obj=import_obj)
        # Lookups loaded once per pass (one query each), not per row.
        self.products: dict[str, Product] = {}
        for product in Product.objects.filter(tenant=tenant).order_by("-is_active", "name"):
            self.products.setdefault(product.code.lower(), product)
            self.products.setdefault(product.name.lower(), product)
        self.industries = {code: code for code, _label in INDUSTRIES}
        self.industries.update({str(label).lower(): code for code, label in INDUSTRIES})
        self.sizes = {code: code for code, _label in SIZES}
        self.sizes.update({str(label).lower(): code for code, label in SIZES})
        self.sources = {value: value for value in Lead.Source.values}
        self.sources.update({str(label).lower(): value for value, label in Lead.Source.choices})
        # The open leads and every row accepted so far: duplicates of either are refused.
        self.open_leads = OpenLeads(tenant)
        # Source references of existing leads: a set of short strings, the same order of memory as
        # the open-lead index above (both bounded by the tenant's leads, not by the file).
        self.imported_refs = set(Lead.objects.filter(tenant=tenant).exclude(source_ref="")
                                 .values_list("source_ref", flat=True))
        self.seen_refs: dict[str, int] = {}
        # Messages are translated once, not once per row.
        self.msg = {
            "missing_company": _("Missing company."),
            "missing_place": _("Missing country or website: give at least one (routing needs the country)."),
        }

    # --- validation -------------------------------------------------------------------------------

    def _country(self, value: str) -> str | None:
        """An ISO code from a code (DE, DEU) or an English name (Germany); None when unknown."""
        if not value:
            return ""
        code = countries.alpha2(value) if len(value) in (2, 3) else ""
        return code or countries.by_name(value) or None

    def _size(self, value: str) -> str:
        key = value.lower().replace("–", "-").replace(" ", "")
        if key.replace(",", "").isdigit():
            number = int(key.replace(",", ""))
            return next((band for limit, band in SIZE_BANDS if number < limit), "5000+")
        return self.sizes.get(key, self.sizes.get(value.lower(), value))

    def validate(self, number: int, values: dict) -> LeadRow:
        """The row's errors (each naming its column) or the cleaned lead fields. Formula-looking
        cells are refused by prm.imports (formula_columns) before this runs."""
        row = LeadRow(number, values)
        errors = row.errors
        company, website = values.get("company", ""), values.get("website", "")
        if not company:
            errors.append(self.msg["missing_company"])
        country_value = values.get("country", "")
        if not country_value and not website:
            errors.append(self.msg["missing_place"])
        country = self._country(country_value)
        if country is None:
            errors.append(_("Unknown country “%(value)s” (use a two-letter code such as DE, or the English name).")
                          % {"value": country_value})
        product_value = values.get("product", "")
        product = self.products.get(product_value.lower()) if product_value else None
        if product_value and product is None:
            errors.append(_("Unknown product “%(value)s” (use a product code or name of the catalogue).")
                          % {"value": product_value})
        ref = values.get("source_ref", "")
        if ref and ref in self.seen_refs:
            errors.append(_("The source reference “%(ref)s” is repeated (already on row %(row)s).")
                          % {"ref": ref, "row": self.seen_refs[ref]})
        elif ref:
            self.seen_refs[ref] = number
        industry = values.get("industry", "")
        source = values.get("source", "")
        data = {
            "company_name": company, "website": website, "country": country or "", "region": values.get("region", ""),
            "industry": self.industries.get(industry.lower(), industry), "company_size": self._size(
                values.get("company_size", "")), "product": product,
            "contact_name": values.get("contact_name", ""), "contact_email": values.get("contact_email", ""),
            "contact_phone": values.get("contact_phone", ""), "contact_title": values.get("contact_title", ""),
            "source": self.sources.get(source.lower(), source) if source else Lead.Source.IMPORT,
            "source_ref": ref, "notes": values.get("notes", ""), "value_estimate": values.get("value_estimate", ""),
            "currency": values.get("currency", ""),
        }
        try:
            cleaned = validate_lead(tenant=self.tenant, data=data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field == "company_name" and not company:
                    continue  # said above
                errors.extend(self._column_message(field, m) for m in messages)
            return row
        if errors:
            return row
        try:  # the model's own limits (lengths of website, email, notes…): no query
            Lead(**cleaned).clean_fields(exclude=NOT_FROM_FILE)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.extend(self._column_message(field, m) for m in messages)
            return row
        if any(looks_like_formula(values.get(column, "")) for column in self.formula_columns):
            return row  # refused by prm.imports: never a duplicate candidate for later rows
        if ref and ref in self.imported_refs:
            row.already_imported = True
            row.data = cleaned
            return row
        matches = self.open_leads.matches(cleaned["company_name_normalised"], cleaned["domain"])
        existing = [m for m in matches if not isinstance(m["id"], FileRow)]
        if existing:
            errors.append(duplicate_message(existing))
            return row
        if matches:
            errors.append(_("Same company as row %(row)s (%(company)s).") % {
                "row": matches[0]["id"].number, "company": matches[0]["company"]})
            return row
        self.open_leads.add(FileRow(number), company, cleaned["company_name_normalised"], cleaned["domain"],
                            Lead.Status.UNASSIGNED)
        row.data = cleaned
        return row

    @staticmethod
    def _column_message(field: str, message: str) -> str:
        return _("%(column)s: %(message)s") % {"column": FIELD_COLUMNS.get(field, field), "message": message}

    def classify(self, results: list[LeadRow]) -> None:
        for r in results:
            if r.already_imported:
                r.action = UPDATE  # left unchanged: the preview says "already imported"

    # --- writing ----------------------------------------------------------------------------------

    @cached_property
    def actor(self):
        return self.import_obj.created_by if self.import_obj is not None else None

    @cached_property
    def owner(self):
        return (self.import_obj.default_owner if self.import_obj is not None else None) or self.actor

    def write_batch(self, results: list[LeadRow], stats: ImportStats) -> None:
        """Bulk-create the batch's new leads, then route them in one set-based call."""
        import_obj = self.import_obj
        assert import_obj is not None
        now = timezone.now()
        # Looked up again at write time: the API may have used a reference since the file was read.
        refs = [r.data["source_ref"] for r in results if r.data["source_ref"]]
        taken = set(Lead.objects.filter(tenant=self.tenant, source_ref__in=refs)
                    .values_list("source_ref", flat=True)) if refs else set()
        leads = []
        for r in results:
            if r.data["source_ref"] and r.data["source_ref"] in taken:
                stats.unchanged += 1
                continue
            # A microsecond apart: routing (oldest first) and the lead list keep the file's order.
            leads.append(Lead(tenant=self.tenant, created_by=self.actor, owner=self.owner,
                              created_at=now + timedelta(microseconds=len(leads)), **r.data))
        Lead.objects.bulk_create(leads, batch_size=500)
        stats.created += len(leads)
        if leads and import_obj.route_after_import:
            routed = leads_route(tenant=self.tenant, leads=leads, actor=self.actor, now=now, keep_decisions=False)
            LeadImport.objects.filter(pk=import_obj.pk).update(
                assigned_count=F("assigned_count") + routed.assigned,
                unassigned_count=F("unassigned_count") + routed.unassigned)


# --- Upload, start, run, error report ---------------------------------------------------------------


def lead_import_create(*, tenant, upload, actor, route_after_import: bool = True, default_owner=None,
                       request=None) -> LeadImport:
    """Validate the uploaded CSV (streaming) and keep it with a preview; nothing is imported yet."""
    return runner.import_create(LeadImporter, tenant=tenant, upload=upload, actor=actor, request=request,
                                route_after_import=route_after_import, default_owner=default_owner)


def lead_import_start(*, tenant, lead_import: LeadImport, actor, request=None) -> LeadImport:
    """Queue the import task (once)."""
    return runner.import_start(LeadImporter, tenant=tenant, import_obj=lead_import, actor=actor, request=request)


def lead_import_run(*, tenant, import_id) -> LeadImport | None:
    """Run a queued import: everything in one transaction, or nothing (marked failed)."""
    return runner.import_run(LeadImporter, tenant=tenant, import_id=import_id)


def error_report_rows(lead_import: LeadImport):
    """Rows for the downloadable error report: row number, problems, then the original cells."""
    return runner.error_report_rows(LeadImporter, lead_import)
