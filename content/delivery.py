"""Protected file delivery: every response is built here after the view checked access.

Files live in private storage (MEDIA_ROOT, no public URL). A response either streams the
file, or (when PRM_X_ACCEL_REDIRECT_PREFIX is set) hands it to nginx with X-Accel-Redirect
so the web server streams it; co-branded and merged content is generated per request.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from content.models import AssetVersion
from prm.uploads import sanitize_filename

logger = logging.getLogger(__name__)

# Types a browser may show inline; everything else (SVG, Office, ZIP…) is always an attachment.
INLINE_TYPES = frozenset({
    "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
    "video/mp4", "video/webm", "text/plain",
})
# A merged HTML one-pager shown in the browser runs in a sandbox: no scripts, no forms, no plugins.
SANDBOX_CSP = "sandbox; default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; font-src https: data:"


def _headers(response: HttpResponse, *, filename: str, inline: bool) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_name(title: str, extension: str, suffix: str = "") -> str:
    """A safe file name from the asset title (`Sales deck` → `Sales-deck.pdf`)."""
    stem = sanitize_filename(title)
    if suffix:
        stem = f"{stem}-{sanitize_filename(suffix)}"
    return f"{stem}.{extension}" if extension else stem


def version_response(version: AssetVersion, *, filename: str, inline: bool = False) -> HttpResponse:
    inline = inline and version.content_type in INLINE_TYPES
    prefix = settings.PRM_X_ACCEL_REDIRECT_PREFIX
    if prefix:
        response = HttpResponse(content_type=version.content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(version.file.name)
        return _headers(response, filename=filename, inline=inline)
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, ValueError):
        logger.error("file of asset version %s is missing from storage", version.pk)
        raise Http404("file missing") from None
    response = FileResponse(handle, content_type=version.content_type)
    # FileResponse sets a disposition from the storage name; ours is the sanitised title.
    return _headers(response, filename=filename, inline=inline)


def bytes_response(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    return _headers(response, filename=filename, inline=inline)


def html_response(html: str, *, filename: str, inline: bool) -> HttpResponse:
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    if inline:
        response["Content-Security-Policy"] = SANDBOX_CSP
    return _headers(response, filename=filename, inline=inline)
