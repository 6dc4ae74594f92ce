"""The project's form renderer writes <select> exactly as Django's templates do, only faster."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy

from prm.forms_renderer import FormRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "Apple"), ("b", 'B & "quotes" <b>')])
    grouped = forms.ChoiceField(choices=[("Fruit", [("a", "Apple"), ("p", "Pear")]), ("x", gettext_lazy("Other"))])
    many = forms.MultipleChoiceField(choices=[(1, 1000), (2, 2), (3, "three")], required=False)
    flags = forms.ChoiceField(choices=[("y", "Yes")], widget=forms.Select(
        attrs={"required": True, "disabled": False, "aria-describedby": "help <x>", "data-n": 3}))
    maybe = forms.NullBooleanField()
    typed = forms.TypedChoiceField(choices=[(1, "One"), (2, "Two")], coerce=int)


@pytest.mark.parametrize("data", [None, {"plain": "b", "grouped": "p", "many": ["1", "3"], "flags": "y",
                                         "maybe": "true", "typed": "2"}])
def test_selects_render_byte_for_byte_as_django_templates(data):
    django_form, our_form = Sample(data, renderer=DjangoTemplates()), Sample(data, renderer=FormRenderer())
    for name in Sample.base_fields:
        ours = str(our_form[name])
        assert ours == str(django_form[name]), name
        assert "<select" in ours
    assert 'B &amp; &quot;quotes&quot; &lt;b&gt;' in str(our_form["plain"])
    assert ' required' in str(our_form["flags"]) and "disabled" not in str(our_form["flags"])


def test_a_select_with_a_custom_option_template_still_uses_the_templates():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    form = forms.Form()
    form.fields["c"] = forms.ChoiceField(choices=[("a", "A")], widget=Custom)
    form.renderer = FormRenderer()
    html = str(form["c"])
    assert "<select" in html and "<label" in html  # input_option.html wraps each option in a label


def test_the_project_uses_the_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "prm.forms_renderer.FormRenderer"
    get_default_renderer.cache_clear()
    assert isinstance(get_default_renderer(), FormRenderer)
