"""The project's form renderer: Django's, with <select> elements built in Python.

Django renders every <option> through two template includes; a country list (250 options) then
costs about 20 ms per form on the deal registration page, more than the rest of the page. This
renderer writes the same markup as Django's `select.html`, `select_option.html` and `attrs.html`
(test_forms_renderer pins it, byte for byte) without the template engine. Anything else, and any
select whose templates were customised, goes through the templates as usual.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: False omits the attribute, True writes it bare."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


def _text(value) -> str:
    """As {{ value }} in a template: localised, then escaped."""
    return conditional_escape(localize(value))


def render_select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            parts.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                         f'{_text(option["label"])}</option>\n')  # the option template ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT_TEMPLATE else None
        if widget is not None and all(
            option.get("template_name") == OPTION_TEMPLATE
            for _name, choices, _index in widget["optgroups"] for option in choices
        ):
            return mark_safe(render_select(widget))
        return super().render(template_name, context, request=request)
