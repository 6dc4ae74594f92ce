"""The tenant-aware admin: the channel managers' back office.

One AdminSite serves two audiences:
- on a tenant host, members with a manager role see only tenant-owned models, confined to the
  host's tenant (querysets, choices, autocompletes, filters, saves);
- on the bare base domain, platform superusers manage tenants and users.

Apps register their models on `django.contrib.admin.site` as usual (it is this site); a
ModelAdmin that is not a TenantModelAdmin automatically becomes platform-only.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from prm.tenancy.roles import MANAGER_ROLES, Role

if TYPE_CHECKING:
    from django.db.models import Model

    # What the mixins below are mixed into, as the type checker sees them: a ModelAdmin (the
    # inlines share every method they extend; render_change_form is only called on a ModelAdmin).
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


def _role(request: HttpRequest) -> str | None:
    membership = getattr(request, "membership", None)
    return membership.role if membership is not None else None


class PortalAdminSite(admin.AdminSite):
    site_title = _("PRM back office")
    index_title = _("Back office")
    enable_nav_sidebar = True

    def has_permission(self, request: HttpRequest) -> bool:
        if not request.user.is_active:
            return False
        if getattr(request, "tenant", None) is None:
            return request.user.is_superuser
        return _role(request) in MANAGER_ROLES

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        context["site_header"] = tenant.name if tenant else _("PRM platform administration")
        return context

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def wrapper(request, *args, **kwargs):
            # Signed in without a manager role here: a branded 403 straight away.
            if request.user.is_authenticated and not self.has_permission(request):
                from prm.tenancy.views import render_error

                no_membership = getattr(request, "tenant", None) is not None and getattr(request, "membership", None) is None
                return render_error(request, 403, reason="no_membership" if no_membership else "role")
            return inner(request, *args, **kwargs)

        return wrapper

    def login(self, request, extra_context=None):
        """Sign-in goes through allauth (its rate limits and MFA apply to the admin too)."""
        if request.user.is_authenticated:
            # Signed in but not allowed here: a clear 403, not a login loop.
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")

    def get_urls(self):
        # "View on site" resolves any object of any tenant by content type and id; not needed here.
        return [u for u in super().get_urls() if getattr(u, "name", None) != "view_on_site"]

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, TenantAdminMixin):
            admin_class = type(admin_class.__name__, (PlatformAdminMixin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)


class PlatformAdminMixin(_AdminBase):
    """Platform models (tenants, users): base domain only, superusers only."""

    def _allowed(self, request) -> bool:
        return getattr(request, "tenant", None) is None and request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class TenantAdminMixin(_AdminBase):
    """Confines a ModelAdmin or inline to the request's tenant and decides access by role."""

    view_roles: frozenset[str] = MANAGER_ROLES
    change_roles: frozenset[str] = MANAGER_ROLES
    # Data of the whole program (the ledger): staff confined to a book of partners do not see it.
    program_wide: bool = False

    def _role_in(self, request, roles) -> bool:
        if self.program_wide and getattr(getattr(request, "viewer", None), "confined", False):
            return False
        return getattr(request, "tenant", None) is not None and _role(request) in roles

    def has_module_permission(self, request):
        return self._role_in(request, self.view_roles)

    def has_view_permission(self, request, obj=None):
        return self._role_in(request, self.view_roles | self.change_roles)

    def has_add_permission(self, request, *args):
        return self._role_in(request, self.change_roles)

    def has_change_permission(self, request, obj=None):
        return self._role_in(request, self.change_roles)

    def has_delete_permission(self, request, obj=None):
        return self._role_in(request, self.change_roles)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Stock admin redirects with "does not exist"; another tenant's object is simply not found.
        raise Http404

    def get_queryset(self, request):
        # The scoped manager already confines the query; the explicit filter is belt and braces.
        queryset = super().get_queryset(request).filter(tenant=request.tenant)
        viewer = getattr(request, "viewer", None)
        if viewer is not None and viewer.confined:
            # Staff confined to a book of partners see only their book's rows here too.
            field = _book_field(self.model)
            if field is not _NOT_PARTNER_OWNED:
                queryset = viewer.scope(queryset, field, unowned=field is not None and
                                        self.model._meta.get_field(field.split("__")[0]).null)
        if isinstance(self, admin.options.InlineModelAdmin):
            # Each inline row shows its read-only foreign keys: fetch them with the rows.
            shown = [name for name in self.get_readonly_fields(request)
                     if isinstance(name, str) and _foreign_key(self.model, name) is not None]
            queryset = queryset.select_related(*shown)
        return queryset

    def get_exclude(self, request, obj=None):
        return tuple(super().get_exclude(request, obj) or ()) + ("tenant",)

    def get_deleted_objects(self, objs, request):
        """The delete confirmation names the row being deleted and counts, per kind, what goes with
        it; Django's own page names every dependent row (a partner takes thousands of events with
        it: one query per row for the names, and a page nobody reads). Protected rows, which block
        the deletion, are counted per kind the same way."""
        from django.contrib.admin.utils import NestedObjects
        from django.db import router
        from django.utils.text import capfirst

        collector = NestedObjects(using=router.db_for_write(self.model), origin=objs)
        collector.collect(objs)
        perms_needed, model_count = set(), {}
        # Keyed by model class (django-stubs types the keys as str).
        model_objs = cast("dict[type[Model], set[Model]]", collector.model_objs)
        for model, instances in model_objs.items():
            model_count[model._meta.verbose_name_plural] = len(instances)
            model_admin = self.admin_site._registry.get(model)
            if model_admin is not None and not model_admin.has_delete_permission(request):
                perms_needed.add(model._meta.verbose_name)
        chosen = list(objs[:2])
        to_delete = [f"{capfirst(self.model._meta.verbose_name)}: {chosen[0]}"] if len(chosen) == 1 else []
        blocking: dict[str, int] = {}
        for row in collector.protected:
            name = str(capfirst(row._meta.verbose_name_plural))
            blocking[name] = blocking.get(name, 0) + 1
        protected = [f"{name}: {n}" for name, n in sorted(blocking.items())]
        return to_delete, model_count, perms_needed, protected

    # A read-only foreign key to a platform model (a user) is shown as text. The stock admin links it
    # to that object's page, which only platform superusers may open (a dead 403 link here). Done
    # where the page is drawn, so it holds however a ModelAdmin or inline lists its fields.
    def render_change_form(self, request, context, *args, **kwargs):
        main = context.get("adminform")
        for form in [main, *context.get("inline_admin_formsets", [])]:
            if form is None:
                continue
            model = self.model if form is main else form.formset.model
            text = _platform_links_as_text(model, self.admin_site, form.readonly_fields)
            if text:
                form.readonly_fields = [text.get(name, name) for name in form.readonly_fields]
                form.fieldsets = [(title, {**options, "fields": _swap(options["fields"], text)})
                                  for title, options in form.fieldsets]
        return super().render_change_form(request, context, *args, **kwargs)

    # Users are global: a choice list of users must only offer members of this tenant. A choice
    # list of partners offers a confined manager only their book.
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is get_user_model():
            kwargs["queryset"] = _tenant_users(request)
        viewer = getattr(request, "viewer", None)
        if viewer is not None and viewer.confined and _is_partner_model(db_field.related_model):
            kwargs["queryset"] = viewer.scope(db_field.related_model._default_manager.all(), field=None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is get_user_model():
            kwargs["queryset"] = _tenant_users(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


_NOT_PARTNER_OWNED = object()


def _is_partner_model(model) -> bool:
    return model is not None and model._meta.label == settings.PRM_PARTNER_MODEL


def _book_field(model):
    """How a model's rows belong to a partner, for the book rule: None for the partner model itself,
    the name of its foreign key to the partner model, or _NOT_PARTNER_OWNED (program data)."""
    if _is_partner_model(model):
        return None
    for field in model._meta.concrete_fields:
        if field.many_to_one and _is_partner_model(field.related_model):
            return field.name
    return _NOT_PARTNER_OWNED


def _platform_links_as_text(model, admin_site, names) -> dict:
    """{field name: display function} for the read-only foreign keys among `names` whose model has
    no tenant admin: the function shows the related object as plain text."""
    text = {}
    for name in names:
        field = _foreign_key(model, name) if isinstance(name, str) else None
        if field is None or isinstance(admin_site._registry.get(field.related_model), TenantAdminMixin):
            continue

        @admin.display(description=field.verbose_name)
        def as_text(obj, name=name):
            return getattr(obj, name, None) or "-"

        as_text.__name__ = name
        text[name] = as_text
    return text


def _foreign_key(model, name: str):
    """The forward foreign key (or one-to-one) field `name` of `model`, else None."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if (field.many_to_one or field.one_to_one) and field.concrete else None


def _swap(fields, text: dict):
    """A fieldset's field list with the names in `text` replaced (rows of several fields too)."""
    return [type(f)(text.get(n, n) for n in f) if isinstance(f, list | tuple) else text.get(f, f) for f in fields]


def _tenant_users(request):
    from prm.tenancy.models import Membership

    member_ids = Membership.objects.filter(tenant=request.tenant, is_active=True).values("user_id")
    return get_user_model().objects.filter(pk__in=member_ids).order_by("email")


class TenantModelAdmin(TenantAdminMixin, admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        if not change:
            obj.tenant = request.tenant
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if hasattr(instance, "tenant_id") and not instance.tenant_id:
                instance.tenant = request.tenant
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    def get_list_select_related(self, request):
        """Join the foreign keys shown as columns, so change lists never query once per row."""
        explicit = super().get_list_select_related(request)
        if explicit not in (False, True):
            return explicit
        relations = []
        for name in self.get_list_display(request):
            try:
                field = self.model._meta.get_field(name) if isinstance(name, str) else None
            except FieldDoesNotExist:
                continue
            if field is not None and field.many_to_one:
                relations.append(name)
        return relations or explicit

    def get_list_filter(self, request):
        return [f for f in super().get_list_filter(request) if f != "tenant"]

    # Every back-office change also lands in the tenant's audit log.
    def log_addition(self, request, obj, message):
        self._audit(request, obj, "admin.add", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "admin.change", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "admin.delete", "")
        return super().log_deletions(request, queryset)

    def _audit(self, request, obj, action, message) -> None:
        from prm.audit.services import audit_log

        audit_log(tenant=request.tenant, actor=request.user, action=action, obj=obj,
                  changes={"message": message} if message else None, request=request)


class TenantTabularInline(TenantAdminMixin, admin.TabularInline):
    pass


class TenantStackedInline(TenantAdminMixin, admin.StackedInline):
    pass


class AdminOnlyMixin:
    """Program configuration: only tenant admins change it; channel managers may look."""

    change_roles = frozenset({Role.TENANT_ADMIN})
