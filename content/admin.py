"""Back office for the content library and training (tenant-aware admin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from content.forms import AssetForm, CourseAdminForm
from content.models import Asset, AssetVersion, Category, Certification, Choice, Course, Module, Question, QuizAttempt
from content.services import asset_save, certification_revoke
from content.services.training import course_save
from prm.tenancy.admin import TenantModelAdmin, TenantStackedInline, TenantTabularInline
from prm.tenancy.admin_display import date_column


@admin.register(Category)
class CategoryAdmin(TenantModelAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class AssetVersionInline(TenantTabularInline):
    model = AssetVersion
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["number", "original_name", "content_type", "size", "note", "uploaded_by", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("versions (upload a new file above to add one)")


@admin.register(Asset)
class AssetAdmin(TenantModelAdmin):
    form = AssetForm
    # Fits a laptop screen in German too: the language is a filter (and usually in the title).
    list_display = ["title", "kind", "category", "min_tier", "is_featured", date_column(Asset, "publish_at"),
                    date_column(Asset, "expires_at"), "version"]
    list_filter = ["kind", "category", "is_featured", "language", "min_tier"]
    search_fields = ["title", "tags", "description"]
    list_select_related = ["category", "min_tier", "current_version"]
    inlines = [AssetVersionInline]
    # The shared form uses one datetime-local input per date (not the admin's split widget).
    formfield_overrides = {models.DateTimeField: {"form_class": forms.DateTimeField}}
    fieldsets = [
        (None, {"fields": ["title", "description", "category", "tags", "language", "is_featured"]}),
        (_("Content"), {"fields": ["kind", "file", "version_note", "external_url", "html_body", "co_brand"]}),
        (_("Audience"), {"fields": ["min_tier", "limit_to_types", "audience_role"]}),
        (_("Publication"), {"fields": ["publish_at", "expires_at"]}),
    ]

    @admin.display(description=_("version"), ordering="current_version__number")
    def version(self, obj):
        # The number only: the file's name is long, and it is on the asset's page.
        return f"v{obj.current_version.number}" if obj.current_version else None

    def save_model(self, request, obj, form, change):
        # The service validates the upload, versions the file and sets the partner-type rules.
        asset_save(tenant=request.tenant, asset=obj, actor=request.user,
                   partner_types=form.cleaned_data.get("limit_to_types", []), upload=form.cleaned_data.get("file"),
                   version_note=form.cleaned_data.get("version_note", ""), request=request)


class ModuleInline(TenantStackedInline):
    model = Module
    extra = 0
    fields = ["order", "title", "kind", "body", "video_url", "asset"]


class QuestionInline(TenantTabularInline):
    model = Question
    extra = 0
    fields = ["order", "text"]
    show_change_link = True


@admin.register(Course)
class CourseAdmin(TenantModelAdmin):
    form = CourseAdminForm
    list_display = ["title", "min_tier", "validity_months", "passing_score", "max_attempts",
                    date_column(Course, "publish_at"), date_column(Course, "expires_at")]
    list_filter = ["min_tier"]
    search_fields = ["title", "description"]
    inlines = [ModuleInline, QuestionInline]
    fieldsets = [
        (None, {"fields": ["title", "description", "certification_name"]}),
        (_("Quiz and certification"), {"fields": ["passing_score", "max_attempts", "validity_months"]}),
        (_("Audience"), {"fields": ["min_tier", "limit_to_types", "audience_role"]}),
        (_("Publication"), {"fields": ["publish_at", "expires_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        course_save(tenant=request.tenant, course=obj, partner_types=form.cleaned_data.get("limit_to_types", []),
                    actor=request.user, request=request)


class ChoiceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if len(kept) < 2:
            raise forms.ValidationError(_("A question needs at least two answers."))
        if not any(c.get("is_correct") for c in kept):
            raise forms.ValidationError(_("Mark at least one answer as correct."))


class ChoiceInline(TenantTabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 3
    fields = ["order", "text", "is_correct"]


@admin.register(Question)
class QuestionAdmin(TenantModelAdmin):
    list_display = ["text", "course", "order"]
    list_filter = ["course"]
    search_fields = ["text"]
    inlines = [ChoiceInline]


@admin.register(Certification)
class CertificationAdmin(TenantModelAdmin):
    list_display = ["course", "user", "partner", date_column(Certification, "issued_at"),
                    date_column(Certification, "expires_at"), "status"]
    list_filter = ["status", "course"]
    search_fields = ["user__email", "user__full_name", "partner__name", "course__title"]
    list_select_related = ["course", "user", "partner"]
    readonly_fields = ["course", "user", "partner", "issued_at", "expires_at", "status", "score", "reminded_at"]
    actions = ["revoke"]

    def has_add_permission(self, request, *args):
        return False  # certifications are earned by passing a course

    @admin.action(description=_("Revoke the selected certifications"))
    def revoke(self, request, queryset):
        for cert in queryset:
            certification_revoke(tenant=request.tenant, certification=cert, actor=request.user, request=request)
        self.message_user(request, ngettext("%(n)d certification revoked.", "%(n)d certifications revoked.",
                                            queryset.count()) % {"n": queryset.count()}, messages.SUCCESS)


@admin.register(QuizAttempt)
class QuizAttemptAdmin(TenantModelAdmin):
    """Read-only history; deleting attempts gives a partner user fresh attempts."""

    list_display = ["course", "user", "partner", "score", "passed", date_column(QuizAttempt, "created_at")]
    list_filter = ["passed", "course"]
    search_fields = ["user__email", "partner__name"]
    list_select_related = ["course", "user", "partner"]
    readonly_fields = ["course", "user", "partner", "score", "passed", "answers", "created_at"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
