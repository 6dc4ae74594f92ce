"""How an asset looks on its card: a thumbnail tile named after the file's format."""

from __future__ import annotations

from pathlib import PurePosixPath

from django import template
from django.utils.translation import gettext as _

register = template.Library()

_VIDEO_HOSTS = ("youtube.", "youtu.be", "vimeo.", "wistia.", "loom.")
_SLIDES = {"ppt", "pptx", "key", "odp"}
_SHEETS = {"xls", "xlsx", "csv", "ods", "numbers"}
_DOCS = {"doc", "docx", "odt", "rtf", "txt", "pages"}


@register.filter
def asset_format(asset) -> dict[str, str]:
    """{'key': icon and colour class, 'label': short format name} for an asset's card."""
    if asset.kind == "link":
        if any(host in (asset.external_url or "").lower() for host in _VIDEO_HOSTS):
            return {"key": "video", "label": _("Video")}
        return {"key": "link", "label": _("Link")}
    if asset.kind == "html":
        return {"key": "page", "label": _("One-pager")}
    version = asset.current_version
    content_type = (version.content_type if version else "").lower()
    ext = PurePosixPath(version.original_name).suffix.lstrip(".").lower() if version else ""
    if content_type == "application/pdf" or ext == "pdf":
        return {"key": "pdf", "label": "PDF"}
    if content_type.startswith("image/"):
        return {"key": "image", "label": ext.upper() or _("Image")}
    if content_type.startswith("video/"):
        return {"key": "video", "label": _("Video")}
    if ext in _SLIDES:
        return {"key": "slides", "label": _("Slides")}
    if ext in _SHEETS:
        return {"key": "sheet", "label": _("Spreadsheet")}
    if ext in _DOCS:
        return {"key": "doc", "label": _("Document")}
    return {"key": "file", "label": ext.upper() or _("File")}
