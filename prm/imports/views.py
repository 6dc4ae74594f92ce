"""View helpers of an import's pages; the app's views add the access decorator and call them.

    @manager_required
    @require_GET
    def import_detail(request, import_id):
        return import_views.detail_page(request, LeadImporter, import_id, template="leads/import_detail.html")

The templates get `url_names` (the importer's) and include the shared partials
`partials/import_upload.html`, `partials/import_list.html`, `partials/import_progress.html` and
`partials/import_preview.html`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from prm.csv_safe import csv_response
from prm.forms import add_service_errors, form_status
from prm.imports.importer import Importer
from prm.imports.models import ImportBase, ImportStatus
from prm.imports.runner import (
    error_report_header,
    error_report_rows,
    import_create,
    import_progress,
    import_start,
    progress_percent,
)
from prm.tenancy.request import MemberRequest

RECENT_IMPORTS = 20


def upload_page(request: MemberRequest, importer_class: type[Importer], *, form: forms.Form, template: str,
                options: Sequence[str] = (), extra_context: Mapping[str, Any] | None = None) -> HttpResponse:
    """The upload form with the recent imports. A valid POST (the form has a `file` field) validates
    the file and redirects to its preview; `options` name the form fields passed on to the import
    model. A refused file re-renders the form with the reason and status 400."""
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in options}
        try:
            import_obj = import_create(importer_class, tenant=request.tenant, upload=form.cleaned_data["file"],
                                       actor=request.user, request=request, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(importer_class.url_names["detail"], import_obj.pk)
    imports = importer_class.import_model.objects.select_related("created_by").order_by("-created_at")[:RECENT_IMPORTS]
    context = {"form": form, "imports": imports, "columns": importer_class.columns,
               "required": importer_class.required_columns, "url_names": importer_class.url_names,
               **(extra_context or {})}
    return render(request, template, context, status=form_status(form))


def template_download(importer_class: type[Importer], filename: str, examples: Iterable[Iterable[Any]]
                      ) -> StreamingHttpResponse:
    """A CSV file with the importer's columns and example rows, to fill in."""
    return csv_response(filename, list(importer_class.columns), examples)


def preview_table(importer_class: type[Importer], import_obj: ImportBase) -> list[dict[str, Any]]:
    """The preview's rows, each with its cells ({"label", "value"}) in the order of
    `importer_class.preview_columns`."""
    rows = import_obj.preview.get("rows", []) if isinstance(import_obj.preview, dict) else []
    return [{"row": r["row"], "errors": r["errors"], "action": r["action"],
             "cells": [{"label": heading, "value": r["values"].get(key, "")}
                       for heading, key in importer_class.preview_columns]} for r in rows]


def progress_context(importer_class: type[Importer], import_obj: ImportBase) -> dict[str, Any]:
    done = import_progress(import_obj)
    return {"imp": import_obj, "done": done, "percent": progress_percent(import_obj, done),
            "url_names": importer_class.url_names,
            "preview_headings": [heading for heading, _key in importer_class.preview_columns],
            "preview_table": preview_table(importer_class, import_obj),
            "update_label": importer_class.update_label}


def detail_page(request: MemberRequest, importer_class: type[Importer], import_id: Any, *, template: str,
                extra_context: Mapping[str, Any] | None = None) -> HttpResponse:
    """Preview before the import; progress while it runs (htmx polls `template#import-progress`
    every second); the result after. Another tenant's import is a 404."""
    import_obj = get_object_or_404(importer_class.import_model.objects.select_related("created_by"), pk=import_id)
    context = {**progress_context(importer_class, import_obj), **(extra_context or {})}
    if request.htmx:
        return render(request, f"{template}#import-progress", context)
    return render(request, template, context)


def start(request: MemberRequest, importer_class: type[Importer], import_id: Any) -> HttpResponse:
    """POST: queue the import, then back to its page (which shows the progress, or the result when the
    task has run already)."""
    import_obj = get_object_or_404(importer_class.import_model, pk=import_id)
    try:
        import_start(importer_class, tenant=request.tenant, import_obj=import_obj, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        import_obj.refresh_from_db(fields=["status"])
        if import_obj.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            # When it finished already (tasks run eagerly), the page shows the result instead.
            messages.success(request, _("Import started. You can leave this page; it continues in the background."))
    return redirect(importer_class.url_names["detail"], import_obj.pk)


def error_report(request: MemberRequest, importer_class: type[Importer], import_id: Any) -> StreamingHttpResponse:
    """The rows with errors as a CSV file (streamed)."""
    import_obj = get_object_or_404(importer_class.import_model, pk=import_id)
    return csv_response(f"import-errors-{import_obj.pk}.csv", error_report_header(importer_class),
                        error_report_rows(importer_class, import_obj), tenant=request.tenant)
