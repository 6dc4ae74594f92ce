"""Django's `{# … #}` comment ends at the line's end: one that spans lines is rendered as text (the
onboarding checklist showed its own comment to every new partner). Multi-line comments use
`{% comment %}…{% endcomment %}`."""

import re

from prm.tests.test_template_tables import ROOT, project_templates

MULTILINE_HASH_COMMENT = re.compile(r"\{#(?:(?!#\}).)*\n", re.S)


def multiline_comments(text: str) -> list[int]:
    """Line numbers where a `{#` comment opens without closing on the same line."""
    return [text.count("\n", 0, m.start()) + 1 for m in MULTILINE_HASH_COMMENT.finditer(text)]


def test_the_check_finds_a_comment_that_spans_lines():
    assert multiline_comments("ok {# one line #}\n{# starts here\n ends here #}\n") == [2]
    assert multiline_comments("{% comment %}\nmany\nlines{% endcomment %}{# fine #}") == []


def test_no_template_has_a_hash_comment_over_several_lines():
    templates = list(project_templates())
    assert len(templates) > 50
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in templates
                 for line in multiline_comments(path.read_text())]
    assert not offenders, f"use {{% comment %}} for comments over several lines: {offenders}"
