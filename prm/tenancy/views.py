"""Platform pages: error pages, landing page, health check, tenant logo."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prm.tenancy.request import PortalRequest

ERROR_TITLES = {
    400: _("Bad request"),
    403: _("Access denied"),
    404: _("Page not found"),
    500: _("Something went wrong"),
    503: _("Temporarily unavailable"),
}


def render_error(request: HttpRequest, status: int, reason: str = "", message: str = "") -> HttpResponse:
    """A branded error page that never needs the database (it may be down).

    `message` is shown as the explanation (e.g. why a change was refused)."""
    context = {
        "status": status,
        "title": ERROR_TITLES.get(status, _("Error")),
        "reason": reason,
        "message": message,
        "tenant": getattr(request, "tenant", None),
    }
    # 5xx pages must render without the database (it may be what failed).
    template = "errors/standalone.html" if status >= 500 else "errors/error.html"
    try:
        response = render(request, template, context, status=status)
    except Exception:  # e.g. the database went away while rendering the branded page
        response = render(request, "errors/standalone.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response


def handler400(request, exception=None):
    return render_error(request, 400)


def handler403(request, exception=None):
    return render_error(request, 403)


def handler404(request, exception=None):
    return render_error(request, 404)


def handler500(request):
    """Database outages get a clean 503 ("try again"), anything else a 500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        return render_error(request, 503)
    return render_error(request, 500)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and (when configured) Redis status as JSON; 503 when something is down."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # report, do not raise
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}"
    else:
        checks["redis"] = "not configured"
    healthy = all(v in ("ok", "not configured") for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)


@require_GET
def tenant_logo(request: PortalRequest) -> FileResponse:
    """The tenant's logo, streamed by a view (no public media URL). Public: it is branding."""
    tenant = request.tenant
    if tenant is None or not tenant.logo:
        raise Http404
    try:
        handle = tenant.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/png")
    # Sniffed at upload time; browsers must not guess.
    from prm.uploads import sniff_image_type

    response["Content-Type"] = sniff_image_type(tenant.logo) or "application/octet-stream"
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _darker(colour: str, by: float = 0.18) -> str:
    """A solid, darker shade for hover and the current link: a see-through one (#rrggbbdd) would
    read lighter on the grey page than the brand colour whose contrast the settings checked."""
    channels = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * (1 - by)):02x}" for c in channels)


@require_GET
def tenant_theme(request: PortalRequest) -> HttpResponse:
    """The tenant's colours as a stylesheet (CSP forbids inline styles)."""
    tenant = request.tenant
    if tenant is None:
        raise Http404
    colour = tenant.primary_colour  # validated as #RRGGBB on save
    hover = _darker(colour)
    css = (
        # Same specificity as Pico's light-theme rules, loaded after them, so these win.
        ":root:not([data-theme=dark]),[data-theme=light]{"
        f"--pico-primary:{colour};--pico-primary-background:{colour};--pico-primary-border:{colour};"
        f"--pico-primary-underline:{colour}80;--pico-primary-hover:{hover};"
        f"--pico-primary-hover-background:{hover};--pico-primary-focus:{colour}40;"
        f"--prm-brand:{colour};"
        "}"
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
