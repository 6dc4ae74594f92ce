"""The partner library: browse, search, filter, view and download assets."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from content.cobrand import CobrandError, cobrand_pdf, sample_stamp, stamp_for
from content.delivery import bytes_response, download_name, html_response, version_response
from content.forms import parse_library_filters
from content.merge import merge_context, render_merge_template
from content.models import Asset, AssetVersion, Category
from content.selectors import asset_for, assets_visible_to
from content.selectors.library import featured_assets, library_facets, library_results, new_since
from content.services import asset_record_download, asset_record_view, library_visit_touch
from prm.tenancy.access import member_required

logger = logging.getLogger(__name__)
PAGE_SIZE = 24


@member_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    visible = assets_visible_to(request.viewer)
    visit = library_visit_touch(tenant=request.tenant, user=request.user)
    since = new_since(visit)
    filters = parse_library_filters(request.GET)
    categories = list(Category.objects.order_by("order", "name"))
    facets = library_facets(visible, filters, categories)
    paginator = Paginator(library_results(visible, filters, since), PAGE_SIZE)
    matching = facets.matching(filters)
    if matching is not None:
        paginator.count = matching  # the facet counts already hold it: no second count query
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "categories": categories,
        "kinds": Asset.Kind.choices,
        "languages": settings.LANGUAGES,
        "filters": filters,
        "facets": facets,
        "page": page,
        "since": since,
        "querystring": params.urlencode(),
        "featured": featured_assets(visible) if not filters.active and page.number == 1 else [],
        "new_count": visible.filter(publish_at__gt=since).count(),
    }
    if request.htmx and request.htmx.target == "library-results":
        return render(request, "content/library.html#results", context)
    return render(request, "content/library.html", context)


@member_required
@require_GET
def asset_detail(request: HttpRequest, asset_id) -> HttpResponse:
    membership = request.membership
    asset = asset_for(request.viewer, asset_id)
    asset_record_view(tenant=request.tenant, asset=asset, membership=membership, user=request.user)
    versions = []
    if not membership.is_partner:
        versions = list(AssetVersion.objects.filter(asset=asset).select_related("uploaded_by"))
    return render(request, "content/asset_detail.html", {"asset": asset, "versions": versions})


@member_required
@require_GET
def asset_download(request: HttpRequest, asset_id) -> HttpResponse:
    """Deliver the current version (co-branded or merged per partner) after the audience check."""
    membership = request.membership
    asset = asset_for(request.viewer, asset_id)
    partner = membership.partner if membership.is_partner else None
    inline = request.GET.get("inline") == "1"
    if asset.kind == Asset.Kind.LINK:
        response = HttpResponseRedirect(asset.external_url)
        data = {"via": "link"}
    elif asset.kind == Asset.Kind.HTML:
        try:
            html = render_merge_template(
                asset.html_body, merge_context(tenant=request.tenant, partner=partner, user=request.user)
            )
        except ValidationError:
            logger.error("merge template of asset %s no longer validates", asset.pk)
            raise Http404("template unavailable") from None
        suffix = partner.name if partner else ""
        response = html_response(html, filename=download_name(asset.title, "html", suffix), inline=inline)
        data = {"via": "html"}
    else:
        version = asset.current_version
        if version is None:
            raise Http404("no file")
        response = None
        if asset.co_brand and version.content_type == "application/pdf":
            response = _cobranded(asset, version, partner, request.user, inline)
        if response is None:
            response = version_response(version, filename=download_name(asset.title, version.extension), inline=inline)
        data = {"version": version.number}
    # Recorded once the response is ready, so a failed delivery does not count.
    asset_record_download(tenant=request.tenant, asset=asset, membership=membership, user=request.user, data=data)
    return response


def _cobranded(asset: Asset, version: AssetVersion, partner, user, inline: bool) -> HttpResponse | None:
    stamp = stamp_for(partner=partner, user=user) if partner is not None else sample_stamp()
    try:
        with version.file.open("rb") as handle:
            content = cobrand_pdf(handle, stamp)
    except FileNotFoundError:
        raise Http404("file missing") from None
    except CobrandError as exc:
        # Better the original than nothing: the upload check makes this rare.
        logger.warning("could not co-brand asset %s: %s", asset.pk, exc)
        return None
    suffix = partner.name if partner is not None else ""
    return bytes_response(content, content_type="application/pdf", inline=inline,
                          filename=download_name(asset.title, "pdf", suffix))
