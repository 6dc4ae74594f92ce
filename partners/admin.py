"""Back office: program configuration (tenant admins) and the application queue (channel managers)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partners.models import (
    Agreement,
    IdealPartnerProfile,
    IdealProfileCriterion,
    OnboardingPath,
    OnboardingStep,
    Partner,
    PartnerApplication,
    PartnerImport,
    PartnerType,
    Tier,
    TierChange,
)
from partners.services.agreements import agreement_publish, agreement_save_draft
from partners.services.recruitment import application_approve, application_decline, application_request_info
from partners.step_targets import step_target, step_targets, target_of_type
from prm.domains import registrable_domain
from prm.tenancy.admin import AdminOnlyMixin, TenantModelAdmin, TenantTabularInline
from prm.tenancy.admin_display import date_column, money_column


@admin.register(PartnerType)
class PartnerTypeAdmin(AdminOnlyMixin, TenantModelAdmin):
    list_display = ["name", "code", "transacts"]
    search_fields = ["name", "code"]


@admin.register(Tier)
class TierAdmin(AdminOnlyMixin, TenantModelAdmin):
    list_display = ["rank", "name", money_column(Tier, "min_won_revenue_12m", "tenant__base_currency"),
                    "min_active_certifications", "min_health_score", "discount_percent", "mdf_eligible",
                    "deal_protection_days"]
    list_display_links = ["rank", "name"]
    list_select_related = ["tenant"]  # the base currency of the revenue column
    ordering = ["rank"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "rank", "colour", "description"]}),
        (_("Requirements"), {"fields": ["min_won_revenue_12m", "min_active_certifications", "min_health_score"],
                             "description": _("What a partner must reach to hold this tier. Content audiences use the tier's rank as “minimum tier”.")}),
        (_("Benefits"), {"fields": ["discount_percent", "mdf_eligible", "deal_protection_days"]}),
    ]


class CriterionInline(TenantTabularInline):
    model = IdealProfileCriterion
    extra = 1
    fields = ["order", "kind", "region", "specialty", "partner_type", "revenue_band", "min_employees",
              "max_employees", "points_match", "points_miss"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner_type":
            kwargs["queryset"] = PartnerType.objects.filter(tenant=request.tenant)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(IdealPartnerProfile)
class IdealPartnerProfileAdmin(AdminOnlyMixin, TenantModelAdmin):
    list_display = ["name", "base_score"]
    inlines = [CriterionInline]

    def has_add_permission(self, request, *args):
        # One profile per tenant.
        return super().has_add_permission(request, *args) and not IdealPartnerProfile.objects.filter(
            tenant=request.tenant).exists()


class OnboardingStepForm(forms.ModelForm):
    target = forms.ChoiceField(label=_("Course or asset"), required=False)

    class Meta:
        model = OnboardingStep
        fields = ["order", "kind", "title", "description", "target", "target_type", "target_id", "action_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The apps owning step targets (content: courses, assets) register them; see partners.step_targets.
        choices = [("", "—")]
        for target in step_targets():
            choices += [(f"{target.object_type}:{obj.pk}", f"{target.verbose_name}: {obj}")
                        for obj in target.choices()[:500]]
        self.fields["target"].choices = choices
        if self.instance.target_id:
            self.initial["target"] = f"{self.instance.target_type}:{self.instance.target_id}"
        if len(choices) == 1:
            self.fields["target"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target:
            target_type, _sep, target_id = target.partition(":")
            data["target_type"], data["target_id"] = target_type, target_id
            self.instance.target_type, self.instance.target_id = target_type, target_id
        kind = data.get("kind")
        expected = step_target(kind) if kind else None
        target_type = data.get("target_type") or (expected.object_type if expected else "")
        target_id = data.get("target_id")
        if target_id and expected is not None:
            if target_type != expected.object_type:
                self.add_error("target", _("This kind of step needs a target of type %(type)s.") % {
                    "type": expected.object_type})
            named = target_of_type(target_type)
            if named is not None and not named.exists(target_id):
                self.add_error("target_id", _("No such object in this portal."))
        return data


class OnboardingStepInline(TenantTabularInline):
    model = OnboardingStep
    form = OnboardingStepForm
    extra = 1
    ordering = ["order"]


@admin.register(OnboardingPath)
class OnboardingPathAdmin(AdminOnlyMixin, TenantModelAdmin):
    list_display = ["name", "partner_type", "stuck_after_days"]
    inlines = [OnboardingStepInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner_type":
            kwargs["queryset"] = PartnerType.objects.filter(tenant=request.tenant)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Agreement)
class AgreementAdmin(AdminOnlyMixin, TenantModelAdmin):
    list_display = ["title", "partner_type", "version", date_column(Agreement, "published_at"),
                    date_column(Agreement, "reacceptance_due_at")]
    list_filter = ["partner_type"]
    readonly_fields = ["version", "content_hash", "published_at", "published_by", "reacceptance_due_at"]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ["partner_type", "title", "body", "summary_of_changes", *self.readonly_fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # A published version is evidence of what partners accepted: view only.
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_published)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner_type":
            kwargs["queryset"] = PartnerType.objects.filter(tenant=request.tenant)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Version numbering and immutability live in the service.
        agreement_save_draft(tenant=request.tenant, agreement=obj, actor=request.user, request=request)

    @admin.action(description=_("Publish the selected drafts (partners must accept them)"), permissions=["change"])
    def publish(self, request, queryset):
        for agreement in queryset.order_by("version"):
            try:
                agreement_publish(tenant=request.tenant, agreement=agreement, actor=request.user, request=request)
            except ValidationError as exc:
                self.message_user(request, f"{agreement}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("%(agreement)s published.") % {"agreement": agreement}, messages.SUCCESS)


class TierChangeInline(TenantTabularInline):
    """Tier history, read-only: changes are made with a reason on the partner's staff page."""

    model = TierChange
    fk_name = "partner"
    extra = 0
    fields = ["effective_from", "from_tier", "to_tier", "status", "reason", "changed_by"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-effective_from"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_tier", "to_tier", "changed_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(TenantModelAdmin):
    list_display = ["name", "partner_type", "tier", "status", "country", "owner"]
    list_filter = ["status", "partner_type", "tier"]
    search_fields = ["name", "domain", "contact_email"]
    autocomplete_fields = ["partner_type", "tier"]
    readonly_fields = ["domain", "joined_at", "activated_at"]
    exclude = ["logo"]
    inlines = [TierChangeInline]

    def get_readonly_fields(self, request, obj=None):
        # Tier changes need a reason and history: they are made on the partner's staff page.
        return [*self.readonly_fields, "tier"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        obj.domain = registrable_domain(obj.website) if obj.website else ""
        super().save_model(request, obj, form, change)


class ApplicationActionForm(ActionForm):
    message = forms.CharField(label=_("Reason or question"), required=False, max_length=2000)


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(TenantModelAdmin):
    list_display = ["company", "domain", "country", "partner_type", "fit_score", "status",
                    date_column(PartnerApplication, "created_at")]
    list_filter = ["status", "partner_type", "country"]
    search_fields = ["company", "domain", "contact_email", "contact_name"]
    ordering = ["-created_at"]
    action_form = ApplicationActionForm
    actions = ["approve", "decline", "request_info"]
    readonly_fields = [f.name for f in PartnerApplication._meta.fields if f.name not in ("id", "tenant")] + ["fit_explained"]
    exclude = ["response_token_hash", "submitted_ip"]

    def has_add_permission(self, request, *args):
        return False  # applications come from the public form

    @admin.display(description=_("Why this score"))
    def fit_explained(self, obj):
        return "; ".join(f"{line['text']} {line['shown']}" for line in obj.fit_reason_lines) or "—"

    def _each(self, request, queryset, run, done: str):
        ok = 0
        for application in queryset:
            try:
                run(application)
                ok += 1
            except ValidationError as exc:
                self.message_user(request, f"{application.company}: {' '.join(exc.messages)}", messages.ERROR)
        if ok:
            self.message_user(request, done % {"n": ok}, messages.SUCCESS)

    @admin.action(description=_("Approve (creates the partner and invites the contact)"), permissions=["change"])
    def approve(self, request, queryset):
        self._each(request, queryset, lambda a: application_approve(
            tenant=request.tenant, application=a, actor=request.user, request=request),
            _("%(n)s application(s) approved."))

    @admin.action(description=_("Decline (the reason above is emailed)"), permissions=["change"])
    def decline(self, request, queryset):
        reason = request.POST.get("message", "")
        self._each(request, queryset, lambda a: application_decline(
            tenant=request.tenant, application=a, actor=request.user, reason=reason, request=request),
            _("%(n)s application(s) declined."))

    @admin.action(description=_("Ask for more information (the question above is emailed)"), permissions=["change"])
    def request_info(self, request, queryset):
        question = request.POST.get("message", "")
        self._each(request, queryset, lambda a: application_request_info(
            tenant=request.tenant, application=a, actor=request.user, question=question, request=request),
            _("Question sent for %(n)s application(s)."))


@admin.register(PartnerImport)
class PartnerImportAdmin(TenantModelAdmin):
    list_display = ["filename", "status", "total_rows", "created_count", "updated_count", "error_rows", "created_by",
                    date_column(PartnerImport, "created_at")]
    list_filter = ["status"]
    exclude = ["file", "preview"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
