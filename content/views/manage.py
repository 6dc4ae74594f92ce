"""Staff pages: manage assets (drag-and-drop upload, versions) and content analytics."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from content.delivery import version_response
from content.forms import AssetForm, NewVersionForm
from content.models import Asset, AssetVersion
from content.selectors.analytics import content_analytics, content_events
from content.selectors.library import search_assets
from content.services import asset_add_version, asset_save
from prm.forms import add_service_errors
from prm.tenancy.access import manager_required, staff_required

PERIODS = (30, 90, 365)


@staff_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    """Every asset of the tenant (drafts, scheduled, expired too) with its use in the last 90 days."""
    q = (request.GET.get("q") or "")[:200]
    assets = Asset.objects.select_related("category", "min_tier", "current_version")
    assets = search_assets(assets, q) if q else assets.order_by("-updated_at")
    page = Paginator(assets, 50).get_page(request.GET.get("page"))
    ids = [str(a.pk) for a in page]
    usage = {
        row["object_id"]: row
        for row in content_events(timezone.now() - timedelta(days=90)).filter(object_id__in=ids)
        .values("object_id").annotate(views=Count("id", filter=Q(kind="content_viewed")),
                                      downloads=Count("id", filter=Q(kind="content_downloaded"))).order_by()
    }
    rows = [{"asset": a, "usage": usage.get(str(a.pk), {})} for a in page]
    return render(request, "content/manage/list.html", {"page": page, "rows": rows, "q": q,
                                                        "querystring": f"q={q}" if q else ""})


@manager_required
@require_http_methods(["GET", "POST"])
def asset_create(request: HttpRequest) -> HttpResponse:
    form = AssetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        asset = form.save(commit=False)
        try:
            asset_save(tenant=request.tenant, asset=asset, actor=request.user,
                       partner_types=form.cleaned_data["limit_to_types"], upload=form.cleaned_data.get("file"),
                       version_note=form.cleaned_data.get("version_note", ""), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": asset.title})
            return redirect("content:asset_edit", asset_id=asset.pk)
    return render(request, "content/manage/edit.html", {"form": form, "asset": None}, status=400 if form.errors else 200)


@manager_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, asset_id) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.select_related("current_version"), pk=asset_id)
    form = AssetForm(request.POST or None, request.FILES or None, instance=asset)
    if request.method == "POST" and form.is_valid():
        asset = form.save(commit=False)
        try:
            asset_save(tenant=request.tenant, asset=asset, actor=request.user,
                       partner_types=form.cleaned_data["limit_to_types"], upload=form.cleaned_data.get("file"),
                       version_note=form.cleaned_data.get("version_note", ""), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": asset.title})
            return redirect("content:asset_edit", asset_id=asset.pk)
    return _edit_page(request, asset, form, NewVersionForm(prefix="version"), status=400 if form.errors else 200)


@manager_required
@require_POST
def asset_new_version(request: HttpRequest, asset_id) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.select_related("current_version"), pk=asset_id)
    version_form = NewVersionForm(request.POST, request.FILES, prefix="version")
    if version_form.is_valid():
        try:
            version = asset_add_version(tenant=request.tenant, asset=asset, upload=version_form.cleaned_data["file"],
                                        actor=request.user, note=version_form.cleaned_data["note"], request=request)
        except ValidationError as exc:
            version_form.add_error("file", exc.messages)
        else:
            messages.success(request, _("Version %(n)d is now the current file.") % {"n": version.number})
            return redirect("content:asset_edit", asset_id=asset.pk)
    return _edit_page(request, asset, AssetForm(instance=asset), version_form, status=400)


def _edit_page(request, asset, form, version_form, status=200) -> HttpResponse:
    versions = AssetVersion.objects.filter(asset=asset).select_related("uploaded_by")
    return render(request, "content/manage/edit.html",
                  {"form": form, "asset": asset, "version_form": version_form, "versions": versions}, status=status)


@staff_required
@require_GET
def version_download(request: HttpRequest, version_id) -> HttpResponse:
    """Staff fetch any stored version as uploaded (no co-branding, no engagement event)."""
    version = get_object_or_404(AssetVersion, pk=version_id)
    return version_response(version, filename=version.original_name)


@staff_required
@require_GET
def analytics(request: HttpRequest) -> HttpResponse:
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    if days not in PERIODS:
        days = 90
    return render(request, "content/manage/analytics.html",
                  {"stats": content_analytics(days=days), "days": days, "periods": PERIODS})
