"""The import of a CSV file, for any app's `Importer`: upload with a validation pass and preview,
start (queue the app's task), the import itself in batches with its progress in the cache, and the
error report.

- The file is streamed (never loaded whole) and processed in batches of settings.PRM_IMPORT_BATCH_SIZE
  rows with bulk operations, so memory stays bounded whatever the number of rows.
- Upload → a validation pass fills the preview (counts, creates vs updates, the first rows with their
  errors); nothing is imported yet.
- The import itself runs as a Celery task inside ONE transaction: a fatal error rolls everything
  back and the import is marked failed, so nothing is ever half-imported. Progress is published
  through the cache (the transaction's own writes are invisible to the polling request).
- That transaction holds the import's row lock until it commits. A worker killed mid-import takes its
  transaction and its lock with it and leaves the import `running` with nothing written; the task is
  redelivered (acks_late) and the redelivery, finding the row unlocked, imports the file again.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.audit.services import audit_log
from prm.imports.importer import CREATE, Importer, ImportStats, RowResult
from prm.imports.models import ImportBase, ImportStatus
from prm.imports.reading import Row, batches, check_header, read_csv
from prm.tenancy.models import Tenant
from prm.tenancy.tasks import enqueue_on_commit
from prm.uploads import validate_upload

logger = logging.getLogger(__name__)

PROGRESS_TTL = 3600


def progress_key(model: type[ImportBase], import_id: Any) -> str:
    """The cache key of a running import's count of processed rows."""
    return f"{model._meta.app_label}:import:{import_id}:progress"


def import_progress(import_obj: ImportBase) -> int:
    """Rows processed so far (from the cache while running, from the row once finished)."""
    if import_obj.is_finished:
        return import_obj.processed_rows
    return int(cache.get(progress_key(type(import_obj), import_obj.pk)) or import_obj.processed_rows or 0)


def progress_percent(import_obj: ImportBase, done: int) -> int:
    return min(100, round(100 * done / (import_obj.total_rows or 1)))


# --- Validation and preview -----------------------------------------------------------------------


def preview_pass(importer: Importer, header: list[str], rows: Iterable[Row]) -> dict[str, Any]:
    """One streaming validation pass: counts, creates vs updates, and the first rows for display.

    Returns {"unknown_columns", "total", "valid", "errors", "creates", "rows"}; raises ValidationError
    for missing required columns or too many rows."""
    unknown = check_header(header, importer.columns, importer.required_columns)
    total = valid = errors = creates = 0
    preview: list[dict[str, Any]] = []
    limit = importer.max_rows()
    for batch in batches(rows, settings.PRM_IMPORT_BATCH_SIZE):
        results = [importer.check(n, v) for n, v in batch]
        importer.classify([r for r in results if r.ok])
        for r in results:
            total += 1
            valid += r.ok
            errors += not r.ok
            creates += r.ok and r.action == CREATE
            if len(preview) < importer.preview_rows:
                preview.append(preview_row(r))
        if total > limit:
            raise ValidationError(_("The file has more than %(n)s rows; split it into smaller files.") % {"n": limit})
    return {"unknown_columns": unknown, "total": total, "valid": valid, "errors": errors, "creates": creates,
            "rows": preview}


def preview_row(row: RowResult) -> dict[str, Any]:
    """How a row is kept in the import's preview (JSON)."""
    return {"row": row.number, "values": row.values, "errors": row.errors, "action": row.action if row.ok else ""}


def import_create(importer_class: type[Importer], *, tenant: Tenant, upload: Any, actor: Any, request: Any = None,
                  **fields: Any) -> ImportBase:
    """Validate the uploaded CSV (streaming) and keep it with a preview; nothing is imported yet.

    `fields` are the app's own options on its import model (e.g. send_invitations=True)."""
    try:
        validate_upload(upload, kinds={"text"}, max_mb=importer_class.max_file_mb)
    except ValidationError as exc:
        raise ValidationError([*exc.messages, _("Upload a CSV file saved as “CSV UTF-8” from your spreadsheet.")]) from exc
    importer = importer_class(tenant=tenant)
    try:
        with read_csv(upload, importer_class.aliases) as (header, rows):
            result = preview_pass(importer, header, rows)
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.")) from exc
    except csv.Error as exc:
        raise ValidationError(_("The file is not a readable CSV file (%(error)s).") % {"error": exc}) from exc
    if result["total"] == 0:
        raise ValidationError(_("The file has a header but no rows."))
    upload.seek(0)
    import_obj = importer_class.import_model(
        tenant=tenant, filename=(getattr(upload, "name", "") or importer_class.default_filename)[:200],
        created_by=actor, total_rows=result["total"], valid_rows=result["valid"], error_rows=result["errors"],
        preview={"rows": result["rows"], "unknown_columns": result["unknown_columns"], "creates": result["creates"],
                 "updates": result["valid"] - result["creates"]},
        **fields,
    )
    import_obj.file.save("import.csv", upload, save=False)
    import_obj.save(force_insert=True)
    audit_log(tenant=tenant, actor=actor, action=f"{importer_class.audit_prefix}.upload", obj=import_obj,
              changes={"rows": result["total"], "errors": result["errors"]}, request=request)
    return import_obj


def import_start(importer_class: type[Importer], *, tenant: Tenant, import_obj: ImportBase, actor: Any,
                 request: Any = None) -> ImportBase:
    """Queue the app's import task (once)."""
    model = importer_class.import_model
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=import_obj.pk)
        if locked.status != ImportStatus.VALIDATED:
            raise ValidationError(_("This import has already been started."))
        if locked.valid_rows == 0:
            raise ValidationError(_("No row is valid; fix the file and upload it again."))
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status"])
        audit_log(tenant=tenant, actor=actor, action=f"{importer_class.audit_prefix}.start", obj=locked,
                  request=request)
        enqueue_on_commit(importer_class.task(), str(locked.pk), tenant_id=tenant.pk)
    return locked


# --- The import itself ----------------------------------------------------------------------------


class ImportBusy(Exception):
    """Another worker is importing this file right now (or has just finished it)."""


def hold_running(model: type[ImportBase], import_id: Any) -> bool:
    """Lock a running import's row for the rest of the transaction (its first statement); False when
    it is no longer running. Raises ImportBusy when a live worker holds the lock."""
    running = model.objects.filter(pk=import_id, status=ImportStatus.RUNNING)
    try:
        if not list(running.select_for_update(nowait=True).values_list("pk", flat=True)):
            return False
        # SQLite has no row locks: this write takes its single writer lock for the transaction instead.
        return bool(running.update(started_at=timezone.now()))
    except DatabaseError as exc:
        raise ImportBusy from exc


def import_run(importer_class: type[Importer], *, tenant: Tenant, import_id: Any) -> ImportBase | None:
    """Run a queued import: everything in one transaction, or nothing (marked failed).

    An import left `running` by a worker that died is run again (see the module docstring); one whose
    worker is alive is left to it. A finished or unknown import is returned as it is (redelivery)."""
    model = importer_class.import_model
    name = model._meta.label
    claimed = model.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now())
    import_obj = model.objects.filter(pk=import_id).first()
    if import_obj is None or import_obj.status != ImportStatus.RUNNING:
        return import_obj  # already run (redelivered task) or unknown: nothing to do
    busy = False
    try:
        with transaction.atomic():
            if not hold_running(model, import_obj.pk):
                raise ImportBusy
            if not claimed:
                logger.warning("%s %s: its worker died mid-import; importing it again", name, import_id)
            stats = import_all(importer_class(tenant=tenant, import_obj=import_obj))
            model.objects.filter(pk=import_obj.pk).update(
                status=ImportStatus.DONE, finished_at=timezone.now(), processed_rows=stats.processed,
                created_count=stats.created, updated_count=stats.updated, unchanged_count=stats.unchanged,
                error_rows=stats.errors, valid_rows=stats.processed - stats.errors,
            )
            audit_log(tenant=tenant, actor=import_obj.created_by, action=f"{importer_class.audit_prefix}.done",
                      obj=import_obj, changes={"created": stats.created, "updated": stats.updated,
                                               "unchanged": stats.unchanged, "errors": stats.errors})
    except ImportBusy:
        busy = True  # nothing written; the live worker keeps its progress
    except Exception as exc:  # fatal: the transaction is rolled back, nothing is half-imported
        logger.exception("%s %s failed", name, import_id)
        model.objects.filter(pk=import_obj.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), processed_rows=0,
            created_count=0, updated_count=0, unchanged_count=0,
            error_message=_("The import stopped because of an unexpected error and nothing was imported: %(error)s") % {
                "error": str(exc)[:500] or exc.__class__.__name__},
        )
    finally:
        if not busy:
            cache.delete(progress_key(model, import_obj.pk))
    import_obj.refresh_from_db()
    return import_obj


def import_all(importer: Importer) -> ImportStats:
    """Validate and write the whole file in batches, publishing the progress after each batch."""
    import_obj = importer.import_obj
    assert import_obj is not None, "the import pass needs its import row"
    stats = ImportStats()
    key = progress_key(type(import_obj), import_obj.pk)
    with import_obj.file.open("rb") as handle, read_csv(handle, importer.aliases) as (header, rows):
        check_header(header, importer.columns, importer.required_columns)
        for batch in batches(rows, settings.PRM_IMPORT_BATCH_SIZE):
            results = [importer.check(n, v) for n, v in batch]
            write_errors(importer, [r for r in results if not r.ok], stats)
            importer.write_batch([r for r in results if r.ok], stats)
            stats.processed += len(results)
            cache.set(key, stats.processed, PROGRESS_TTL)
    return stats


def write_errors(importer: Importer, bad: list[RowResult], stats: ImportStats) -> None:
    """Keep the invalid rows of a batch for the error report."""
    if not bad:
        return
    link = importer.error_import_field()
    importer.error_model.objects.bulk_create([
        importer.error_model(tenant=importer.tenant, row_number=r.number, messages=r.errors, values=r.values,
                             **{link: importer.import_obj}) for r in bad
    ])
    stats.errors += len(bad)


# --- Error report ---------------------------------------------------------------------------------


def error_report_header(importer_class: type[Importer]) -> list[str]:
    return ["row", "errors", *importer_class.columns]


def error_report_rows(importer_class: type[Importer], import_obj: ImportBase) -> Iterator[list[Any]]:
    """Rows for the downloadable error report: row number, problems, then the original cells.

    After the import they come from the stored errors; before it (preview), the file is validated
    again on the fly, streaming, so the report is complete whatever the file's size.
    """
    columns = importer_class.columns
    if import_obj.status == ImportStatus.DONE:
        link = importer_class.error_import_field()
        errors = (importer_class.error_model.objects.filter(**{link: import_obj}).order_by("row_number")
                  .iterator(chunk_size=2000))
        for error in errors:
            yield [error.row_number, " ".join(error.messages), *(error.values.get(c, "") for c in columns)]
        return
    importer = importer_class(tenant=import_obj.tenant, import_obj=import_obj)
    with import_obj.file.open("rb") as handle, read_csv(handle, importer_class.aliases) as (_header, rows):
        for number, values in rows:
            row = importer.check(number, values)
            if not row.ok:
                yield [row.number, " ".join(row.errors), *(values.get(c, "") for c in columns)]
