"""What an app supplies to import a CSV file: a subclass of `Importer`.

The class declares the models, the columns and the Celery task; an instance is made for one pass
over a file (the validation pass at upload, the import itself, the error report) and validates
its rows one by one (remembering what it saw, e.g. to refuse duplicates within the file) and
writes the valid ones in batches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from prm.imports.models import ImportBase, ImportRowErrorBase
from prm.imports.reading import looks_like_formula
from prm.tenancy.models import Tenant

CREATE, UPDATE = "create", "update"


@dataclass
class RowResult:
    """One row of the file: its number, its cells, and the validator's errors or cleaned data."""

    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    action: str = CREATE  # what importing the row would do: CREATE or UPDATE (see Importer.classify)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportStats:
    """Counts of the import so far; the batch writer adds to created, updated and unchanged."""

    processed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0


class Importer:
    """Subclass per importable thing; override what the comments mark as the app's."""

    # --- declarations (the app's) ---------------------------------------------------------------
    import_model: ClassVar[type[ImportBase]]
    error_model: ClassVar[type[ImportRowErrorBase]]
    # Audit actions are "<audit_prefix>.upload", ".start" and ".done".
    audit_prefix: ClassVar[str]
    columns: ClassVar[Sequence[str]]
    required_columns: ClassVar[Sequence[str]] = ()
    # Other header names accepted for a column ({"email": "contact_email"}), after normalisation
    # (lower case, spaces and dashes as underscores).
    aliases: ClassVar[Mapping[str, str]] = {}
    # Columns whose cell may not start like a spreadsheet formula (= + - @), a formula-injection
    # attempt: column → the refusal (gettext_lazy, with %(value)s and %(char)s), e.g. "The name
    # “%(value)s” starts with %(char)s like a spreadsheet formula.". Checked before `validate`.
    formula_columns: ClassVar[Mapping[str, str | Promise]] = {}
    # The preview table: (column heading, column) pairs.
    preview_columns: ClassVar[Sequence[tuple[str | Promise, str]]] = ()
    # The preview's word for a valid row classified UPDATE (e.g. "already imported" where such a row
    # is left unchanged).
    update_label: ClassVar[str | Promise] = gettext_lazy("update")
    # URL names of the app's import pages (for the shared templates): "list", "detail", "start",
    # "errors", and "done" (where the finished import links to).
    url_names: ClassVar[Mapping[str, str]] = {}
    preview_rows: ClassVar[int] = 20
    max_file_mb: ClassVar[int] = 20
    default_filename: ClassVar[str] = "import.csv"

    @classmethod
    def task(cls) -> Any:
        """The app's Celery task (a TenantTask called as task(str(import_id), tenant_id=...)) that
        calls `runner.import_run(cls, ...)`. Usually imported inside the method."""
        raise NotImplementedError

    @classmethod
    def max_rows(cls) -> int:
        return int(getattr(settings, "PRM_IMPORT_MAX_ROWS", 50_000))

    @classmethod
    def error_import_field(cls) -> str:
        """The error model's foreign key to the import model (found by its target)."""
        for f in cls.error_model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is cls.import_model:
                return f.name
        raise LookupError(f"{cls.error_model.__name__} has no foreign key to {cls.import_model.__name__}")

    # --- one pass over a file -------------------------------------------------------------------
    def __init__(self, *, tenant: Tenant, import_obj: ImportBase | None = None) -> None:
        """`import_obj` is None during the validation pass at upload (the import row does not exist yet)."""
        self.tenant = tenant
        self.import_obj = import_obj

    def validate(self, number: int, values: dict[str, str]) -> RowResult:
        """The app's: a RowResult with `errors` (translated messages) or the cleaned `data`."""
        raise NotImplementedError

    def classify(self, results: list[RowResult]) -> None:
        """The app's, optionally: set `action` to UPDATE on valid rows that match an existing object
        (one query per batch). Called during the validation pass for the preview's counts only: during
        the import, the batch writer looks its rows up itself."""

    def write_batch(self, results: list[RowResult], stats: ImportStats) -> None:
        """The app's: write one batch of valid rows (bulk operations) and count them in `stats`
        (created, updated, unchanged). Runs inside the import's transaction; raising rolls the whole
        import back. Invalid rows have been recorded by the runner already."""
        raise NotImplementedError

    # --- used by the runner ---------------------------------------------------------------------
    def check(self, number: int, values: dict[str, str]) -> RowResult:
        """The row validated: formula-looking cells refused, then the app's validation."""
        formula_errors = []
        for column, message in self.formula_columns.items():
            value = values.get(column, "")
            if looks_like_formula(value):
                formula_errors.append(str(message) % {"value": value[:40], "char": value[0]})
        row = self.validate(number, values)
        if formula_errors:
            row.errors[:0] = formula_errors
        return row

