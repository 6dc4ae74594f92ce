"""Every table in the project's templates sits in a `.table-wrap`, so on a phone a wide table
scrolls in its own box and the page does not scroll sideways (tests/browser/test_responsive_layout.py
checks the pages themselves)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "staticfiles", "node_modules", "artifacts"}
TAG = re.compile(r"<table\b|</table>")
WRAP_OPENED = re.compile(r'<div class="table-wrap">\s*$')


def unwrapped_tables(text: str) -> list[int]:
    """Offsets of the tables that are not inside another table and not directly in a .table-wrap."""
    depth, found = 0, []
    for tag in TAG.finditer(text):
        if tag.group() == "</table>":
            depth -= 1
            continue
        if depth == 0 and not WRAP_OPENED.search(text, 0, tag.start()):
            found.append(tag.start())
        depth += 1
    return found


def project_templates():
    for path in sorted(ROOT.rglob("*.html")):
        parts = set(path.relative_to(ROOT).parts)
        if "templates" in parts and not parts & SKIP:
            yield path


def test_every_table_in_a_template_scrolls_in_its_own_box():
    templates = list(project_templates())
    assert len(templates) > 50  # the scan found the apps' templates
    offenders = []
    for path in templates:
        text = path.read_text()
        offenders += [f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, offset) + 1}"
                      for offset in unwrapped_tables(text)]
    assert not offenders, "wrap these tables in <div class=\"table-wrap\">: " + ", ".join(offenders)


def test_the_check_tells_wrapped_from_unwrapped_tables():
    assert unwrapped_tables('<div class="table-wrap">\n  <table><tr><td><table></table></td></tr></table></div>') == []
    assert unwrapped_tables("<section><table></table></section>") == [9]
    assert unwrapped_tables('<div class="table-wrap"><table></table></div><p></p><table></table>') == [52]
