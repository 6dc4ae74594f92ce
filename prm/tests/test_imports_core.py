"""The shared CSV import machinery (prm.imports) with a tiny importer of its own: reading, header,
formula refusal, the validation pass with its preview, batches, progress, the import loop and the
preview table. Database-level behaviour (status transitions, all-or-nothing, redelivery, killed
workers) is tested through the partners import (partners/tests/test_imports.py, tests/faults/)."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from prm.imports import runner, views
from prm.imports.importer import UPDATE, Importer, ImportStats, RowResult
from prm.imports.models import ImportStatus
from prm.imports.reading import batches, check_header, looks_like_formula, normalise_header, read_csv, sniff_delimiter


class FakeImport:
    """Stands in for a concrete import model: what the runner reads of one."""

    _meta = SimpleNamespace(app_label="fakeapp")

    def __init__(self, content: bytes = b"", status: str = ImportStatus.RUNNING, processed_rows: int = 0,
                 total_rows: int = 0, preview=None):
        self.pk = "0f0e0d0c"
        self.status, self.processed_rows, self.total_rows = status, processed_rows, total_rows
        self.preview = preview if preview is not None else {}
        self.file = SimpleNamespace(open=lambda mode: io.BytesIO(content))

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class FakeErrors:
    """Stands in for the concrete row-error model: records what bulk_create is given."""

    created: list = []

    def __init__(self, **fields):
        self.fields = fields

    class objects:  # noqa: N801 - the manager's name
        @staticmethod
        def bulk_create(rows):
            FakeErrors.created.extend(r.fields for r in rows)


class ThingImporter(Importer):
    """Things with a unique code and a name; a known code ("old") counts as an update."""

    error_model = FakeErrors
    audit_prefix = "thing_import"
    columns = ["code", "name", "note"]
    required_columns = ("code", "name")
    aliases = {"id": "code", "title": "name"}
    formula_columns = {"name": gettext_lazy("The name “%(value)s” starts with %(char)s like a spreadsheet formula.")}
    preview_columns = [(gettext_lazy("Name"), "name"), ("Code", "code")]
    preview_rows = 3

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen: set[str] = set()
        self.written: list[list[int]] = []
        self.progress_seen: list = []

    @classmethod
    def error_import_field(cls) -> str:
        return "thing_import"

    @classmethod
    def max_rows(cls) -> int:
        return 6

    def validate(self, number, values):
        row = RowResult(number, values)
        code = values.get("code", "")
        if not code:
            row.errors.append("Missing code.")
        elif code in self.seen:
            row.errors.append(f"Duplicate code {code}.")
        self.seen.add(code)
        row.data = {"code": code, "name": values.get("name", "")}
        return row

    def classify(self, results):
        for r in results:
            if r.data["code"] == "old":
                r.action = UPDATE

    def write_batch(self, results, stats):
        assert all(r.ok for r in results)
        self.progress_seen.append(cache.get(runner.progress_key(FakeImport, "0f0e0d0c")))
        self.written.append([r.number for r in results])
        # `action` is the validation pass's (classify); the writer looks the rows up itself.
        stats.created += sum(r.data["code"] != "old" for r in results)
        stats.updated += sum(r.data["code"] == "old" for r in results)


def rows_of(content: bytes, aliases=ThingImporter.aliases):
    with read_csv(io.BytesIO(content), aliases) as (header, rows):
        return header, list(rows)


# --- Reading -------------------------------------------------------------------------------------


def test_a_semicolon_file_with_a_byte_order_mark_and_aliased_headers_is_read_row_by_row():
    content = "\ufeffID; Title ;Note\nA1;Alpha\n\n ; \nB2;'=Beta;'-2+3\n".encode()
    header, rows = rows_of(content)
    assert header == ["code", "name", "note"]
    # Spreadsheet line numbers (header is 1), blank lines skipped, a short row padded, cells stripped,
    # and our export's formula guard taken off again.
    assert rows == [(2, {"code": "A1", "name": "Alpha", "note": ""}), (5, {"code": "B2", "name": "=Beta", "note": "-2+3"})]


def test_the_delimiter_is_the_one_the_header_line_uses_most():
    assert sniff_delimiter("a,b,c\n") == ","
    assert sniff_delimiter("a;b;c\n") == ";"
    assert sniff_delimiter("a\tb\tc\n") == "\t"
    assert sniff_delimiter("a;b,c\n") == ","  # a tie goes to the comma
    assert sniff_delimiter("name\n") == ","
    assert rows_of(b"code\tname\nx\ty, z\n")[1] == [(2, {"code": "x", "name": "y, z"})]


def test_header_names_are_normalised_before_the_aliases_apply():
    assert normalise_header(" Contact-Email ") == "contact_email"
    assert normalise_header("E Mail", {"e_mail": "email"}) == "email"
    assert normalise_header("") == ""


def test_the_reader_leaves_the_uploaded_file_open_for_its_owner():
    handle = io.BytesIO(b"code,name\nx,y\n")
    with read_csv(handle) as (_header, rows):
        list(rows)
    assert not handle.closed and handle.seek(0) == 0


def test_a_file_that_is_not_utf8_fails_while_reading():
    with pytest.raises(UnicodeDecodeError), read_csv(io.BytesIO("code,name\nx,Caf\xe9\n".encode("latin-1"))) as (_h, rows):
        list(rows)


def test_missing_required_columns_are_named_and_unknown_ones_returned():
    assert check_header(["code", "name", "colour", ""], ThingImporter.columns, ThingImporter.required_columns) == ["colour"]
    with pytest.raises(ValidationError) as exc:
        check_header(["note"], ThingImporter.columns, ThingImporter.required_columns)
    assert exc.value.messages == ["The file is missing the column(s): code, name. The first line must name the "
                                  "columns, e.g. code,name,note."]


# --- Validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value,refused", [
    ("=HYPERLINK(\"http://evil.example\")", True), ("+cmd|' /C calc'!A0", True), ("@SUM(A1:A9)", True),
    ("-2+3", True), ("Alpha = Beta", False), ("", False), ("Ärger GmbH", False),
])
def test_formula_looking_cells_are_refused_in_the_declared_columns_before_the_apps_validation(value, refused):
    assert looks_like_formula(value) is refused
    row = ThingImporter(tenant=None).check(2, {"code": "", "name": value, "note": value})
    formula = [e for e in row.errors if "spreadsheet formula" in e]
    assert formula == ([f"The name “{value[:40]}” starts with {value[:1]} like a spreadsheet formula."] if refused else [])
    assert row.errors[-1] == "Missing code."  # the app's own errors follow; the note column is not checked


def test_the_validation_pass_counts_rows_and_keeps_the_first_ones_for_the_preview(settings):
    settings.PRM_IMPORT_BATCH_SIZE = 2
    content = b"code,name,colour\nnew,New\nold,Old\n,Nameless\nnew,Again\nx,=1+1\n"
    with read_csv(io.BytesIO(content), ThingImporter.aliases) as (header, rows):
        result = runner.preview_pass(ThingImporter(tenant=None), header, rows)
    assert {k: v for k, v in result.items() if k != "rows"} == {
        "unknown_columns": ["colour"], "total": 5, "valid": 2, "errors": 3, "creates": 1}
    assert result["rows"] == [
        {"row": 2, "values": {"code": "new", "name": "New", "colour": ""}, "errors": [], "action": "create"},
        {"row": 3, "values": {"code": "old", "name": "Old", "colour": ""}, "errors": [], "action": "update"},
        {"row": 4, "values": {"code": "", "name": "Nameless", "colour": ""}, "errors": ["Missing code."], "action": ""},
    ]


def test_the_validation_pass_refuses_a_file_over_the_row_limit(settings):
    settings.PRM_IMPORT_BATCH_SIZE = 4
    content = b"code,name\n" + b"".join(b"c%d,N\n" % i for i in range(8))
    with pytest.raises(ValidationError, match="more than 6 rows"), \
            read_csv(io.BytesIO(content)) as (header, rows):
        runner.preview_pass(ThingImporter(tenant=None), header, rows)


def test_batches_are_taken_lazily_from_the_rows():
    taken = []

    def numbers():
        for n in range(5):
            taken.append(n)
            yield n

    stream = batches(numbers(), 2)
    assert next(stream) == [0, 1] and taken == [0, 1]
    assert list(stream) == [[2, 3], [4]]
    assert list(batches([], 3)) == []


# --- The import loop and its progress ------------------------------------------------------------


def test_the_import_writes_valid_rows_in_batches_records_the_others_and_publishes_progress(settings):
    settings.PRM_IMPORT_BATCH_SIZE = 2
    FakeErrors.created = []
    imp = FakeImport(b"code,name\na,A\nb,=B\nold,Old\n,None\ne,E\n")
    importer = ThingImporter(tenant="the-tenant", import_obj=imp)
    stats = runner.import_all(importer)
    assert stats == ImportStats(processed=5, created=2, updated=1, unchanged=0, errors=2)
    assert importer.written == [[2], [4], [6]]  # each batch's valid rows, in file order
    assert importer.progress_seen == [None, 2, 4]  # the count published after each batch
    assert cache.get(runner.progress_key(FakeImport, imp.pk)) == 5
    assert [(e["row_number"], e["thing_import"], e["tenant"]) for e in FakeErrors.created] == [
        (3, imp, "the-tenant"), (5, imp, "the-tenant")]
    assert FakeErrors.created[0]["messages"] == ["The name “=B” starts with = like a spreadsheet formula."]
    assert FakeErrors.created[1]["values"] == {"code": "", "name": "None"}


def test_the_import_stops_at_a_file_whose_header_lost_a_required_column():
    importer = ThingImporter(tenant=None, import_obj=FakeImport(b"code\nx\n"))
    with pytest.raises(ValidationError):
        runner.import_all(importer)
    assert importer.written == []


def test_progress_comes_from_the_cache_while_running_and_from_the_row_once_finished():
    running = FakeImport(status=ImportStatus.RUNNING, processed_rows=0, total_rows=8)
    assert runner.progress_key(FakeImport, running.pk) == "fakeapp:import:0f0e0d0c:progress"
    assert runner.import_progress(running) == 0
    cache.set(runner.progress_key(FakeImport, running.pk), 6)
    assert runner.import_progress(running) == 6 and runner.progress_percent(running, 6) == 75
    done = FakeImport(status=ImportStatus.DONE, processed_rows=8, total_rows=8)
    assert runner.import_progress(done) == 8  # the cache is no longer asked
    assert runner.progress_percent(FakeImport(total_rows=0), 0) == 0


def test_the_error_report_has_the_row_the_errors_and_the_importers_columns():
    assert runner.error_report_header(ThingImporter) == ["row", "errors", "code", "name", "note"]


def test_a_stored_error_report_before_the_import_revalidates_the_file():
    imp = FakeImport(b"code,name\na,A\n,B\na,C\n", status=ImportStatus.VALIDATED)
    imp.tenant = None
    assert list(runner.error_report_rows(ThingImporter, imp)) == [
        [3, "Missing code.", "", "B", ""], [4, "Duplicate code a.", "a", "C", ""]]


# --- Preview table -------------------------------------------------------------------------------


def test_the_preview_table_lists_the_importers_columns_with_their_labels():
    preview = {"rows": [
        {"row": 2, "values": {"code": "a", "name": "Alpha"}, "errors": [], "action": "update"},
        {"row": 3, "values": {"name": "<b>Beta</b>"}, "errors": ["Missing code."], "action": ""},
    ]}
    imp = FakeImport(status=ImportStatus.VALIDATED, preview=preview)
    table = views.preview_table(ThingImporter, imp)
    assert [[(str(c["label"]), c["value"]) for c in r["cells"]] for r in table] == [
        [("Name", "Alpha"), ("Code", "a")], [("Name", "<b>Beta</b>"), ("Code", "")]]
    html = render_to_string("partials/import_preview.html", {
        "imp": imp, "preview_table": table, "preview_headings": [h for h, _k in ThingImporter.preview_columns],
        "update_label": ThingImporter.update_label})
    assert '<table class="cards">' in html and '<th scope="col">Code</th>' in html
    assert '<td data-label="Name">&lt;b&gt;Beta&lt;/b&gt;</td>' in html
    assert '<li>Missing code.</li>' in html and '<span class="pill">update</span>' in html
    assert views.preview_table(ThingImporter, FakeImport(preview=[])) == []  # a preview of old rows: a list
