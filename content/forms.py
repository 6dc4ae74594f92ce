"""Forms of the content app: staff asset editing with upload, library filters, the quiz."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from content.merge import MERGE_FIELDS
from content.models import Asset, Category, Course
from content.services.assets import max_upload_mb, validate_asset_upload
from partners.models import PartnerType, Tier
from prm.tenancy.scoping import scopes_disabled

if TYPE_CHECKING:
    from content.selectors.library import LibraryFilters


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# ModelForm classes build their choice fields at import time, outside any tenant scope: build
# them with scopes disabled, and give every choice field a scoped queryset in __init__ (at
# request time, inside the tenant's scope), so no option of another tenant can ever show.
with scopes_disabled():
    class AssetForm(forms.ModelForm):
        """Used by the staff page and (as the base of its form) the admin."""

        file = forms.FileField(
            label=_("File"), required=False,
            help_text=_("PDF, Office documents, images, video, ZIP or text; checked by content, not by name."),
        )
        version_note = forms.CharField(label=_("What changed"), max_length=200, required=False)
        limit_to_types = forms.ModelMultipleChoiceField(
            label=_("Partner types"), queryset=PartnerType.objects.none(), required=False,
            widget=forms.CheckboxSelectMultiple, help_text=_("None selected: every partner type."),
        )

        class Meta:
            model = Asset
            fields = [
                "title", "description", "category", "tags", "language", "kind", "external_url", "html_body",
                "co_brand", "is_featured", "min_tier", "audience_role", "publish_at", "expires_at",
            ]
            widgets = {
                "description": forms.Textarea(attrs={"rows": 3}),
                "html_body": forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
                "publish_at": DateTimeLocalInput(),
                "expires_at": DateTimeLocalInput(),
            }

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["limit_to_types"].queryset = PartnerType.objects.order_by("name")
            self.fields["category"].queryset = Category.objects.order_by("order", "name")
            self.fields["category"].empty_label = _("No category")
            self.fields["min_tier"].queryset = Tier.objects.order_by("rank")
            self.fields["min_tier"].empty_label = _("Every tier")
            self.fields["language"].choices = [("", _("Any language"))] + list(settings.LANGUAGES)
            if not self.instance._state.adding:
                self.fields["limit_to_types"].initial = [t.pk for t in self.instance.partner_types.all()]
                self.fields["file"].label = _("Replace the file (keeps the old version as history)")
            self.fields["file"].help_text = _(
                "PDF, Office documents, images, video, ZIP or text, up to %(mb)d MB; checked by content, not by name."
            ) % {"mb": max_upload_mb()}
            self.fields["html_body"].help_text = _("Merge fields: %(fields)s") % {
                "fields": ", ".join(f"{{{{ {name} }}}}" for name in MERGE_FIELDS)
            }
            for name in ("publish_at", "expires_at"):
                self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]

        def clean_file(self):
            upload = self.cleaned_data.get("file")
            if upload:
                # Co-branding needs a readable PDF; the checkbox is read from the submitted data.
                co_brand = self.data.get(self.add_prefix("co_brand")) in ("on", "true", "1", "True")
                validate_asset_upload(upload, co_brand=co_brand)
            return upload

        def clean(self):
            data = super().clean()
            kind = data.get("kind")
            has_file = bool(data.get("file")) or bool(self.instance.current_version_id)
            if kind == Asset.Kind.FILE and data.get("publish_at") and not has_file and "file" not in self.errors:
                self.add_error("file", _("Upload the file before publishing this asset."))
            if data.get("file") and kind and kind != Asset.Kind.FILE:
                self.add_error("file", _("Choose “File” as the type to upload a file."))
            current = self.instance.current_version if self.instance.current_version_id else None
            if (data.get("co_brand") and kind == Asset.Kind.FILE and not data.get("file") and current is not None
                    and current.content_type != "application/pdf"):
                self.add_error("co_brand", _("Only PDF files can be co-branded; upload a PDF version first."))
            return data


class NewVersionForm(forms.Form):
    file = forms.FileField(label=_("New file"))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)


def parse_library_filters(params) -> LibraryFilters:
    """Tolerant parsing of query parameters: unknown values simply match nothing."""
    from content.selectors.library import LibraryFilters

    kinds = set(Asset.Kind.values)
    languages = {code for code, _name in settings.LANGUAGES}
    kind = params.get("kind", "")
    language = params.get("language", "")
    return LibraryFilters(
        q=(params.get("q") or "")[:200].strip(),
        category=(params.get("category") or "")[:80],
        kind=kind if kind in kinds else "",
        language=language if language in languages else "",
        new_only=params.get("new") in ("1", "on", "true"),
    )


class QuizForm(forms.Form):
    """One radio group per question; choices come from the prefetched course questions."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[str(question.pk)] = forms.ChoiceField(
                label=question.text, widget=forms.RadioSelect,
                choices=[(str(c.pk), c.text) for c in question.choices.all()],
                error_messages={"required": _("Choose an answer.")},
            )


with scopes_disabled():
    class CourseAdminForm(forms.ModelForm):
        limit_to_types = forms.ModelMultipleChoiceField(
            label=_("Partner types"), queryset=PartnerType.objects.none(), required=False,
            widget=forms.CheckboxSelectMultiple, help_text=_("None selected: every partner type."),
        )

        class Meta:
            model = Course
            exclude = ["partner_types"]  # noqa: DJ006  (the admin saves limit_to_types through course_save)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["limit_to_types"].queryset = PartnerType.objects.order_by("name")
            self.fields["min_tier"].queryset = Tier.objects.order_by("rank")
            self.fields["min_tier"].empty_label = _("Every tier")
            if not self.instance._state.adding:
                self.fields["limit_to_types"].initial = [t.pk for t in self.instance.partner_types.all()]
