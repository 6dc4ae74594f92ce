"""Upload safety shared by every app that accepts files (logos, content assets, MDF proof).

The type is decided by sniffing the bytes, never by the file name or the browser's claim;
executables, HTML and scripted SVG are refused; ZIP-based files are checked for bombs; names
are sanitised. Validators raise ValidationError with a message fit for the form.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Kinds a caller may allow, mapped to the MIME types that satisfy them.
KINDS: dict[str, frozenset[str]] = {
    "image": frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"}),
    "svg": frozenset({"image/svg+xml"}),
    "pdf": frozenset({"application/pdf"}),
    "office": frozenset({
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }),
    "zip": frozenset({"application/zip"}),
    "video": frozenset({"video/mp4", "video/webm", "video/quicktime"}),
    "text": frozenset({"text/plain", "text/csv"}),
}
EXTENSIONS = {
    "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
    "image/svg+xml": "svg", "application/pdf": "pdf", "application/zip": "zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "video/mp4": "mp4", "video/webm": "webm", "video/quicktime": "mov",
    "text/plain": "txt", "text/csv": "csv",
}
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
                     b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
_HTML_MARKERS = re.compile(rb"<\s*(!doctype\s+html|html|script|iframe|body|head|object|embed)\b", re.I)
MAX_ZIP_RATIO = 100          # uncompressed/compressed above this is treated as a bomb
MAX_ZIP_UNCOMPRESSED = 500 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000


@dataclass(frozen=True)
class SniffedFile:
    content_type: str
    extension: str
    safe_name: str
    size: int


def sanitize_filename(name: str, extension: str | None = None) -> str:
    """A safe, ASCII file name: no path parts, no control or shell characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, _dot, _ext = name.rpartition(".")
    stem = stem or _ext
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:80] or "file"
    return f"{stem}.{extension}" if extension else stem


def _read_head(upload, size: int = 8192) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _sniff(upload, head: bytes) -> str | None:
    if head.startswith(_EXECUTABLE_MAGIC):
        return "application/x-executable"
    kind = filetype.guess(head)
    if kind is not None:
        mime = kind.mime
        if mime == "application/zip":
            return _sniff_zip(upload)
        return mime
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if re.match(rb"(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<svg\b", stripped, re.I | re.S):
        return "image/svg+xml"
    if _HTML_MARKERS.search(head):
        return "text/html"
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # Cut in the middle of a multi-byte character is still text.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    return "text/csv" if b"," in head or b";" in head else "text/plain"


def _sniff_zip(upload) -> str:
    """Office documents are ZIP files; tell them apart by their first entries."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return "application/octet-stream"
    finally:
        upload.seek(0)
    if any(n.startswith("word/") for n in names):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if any(n.startswith("xl/") for n in names):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if any(n.startswith("ppt/") for n in names):
        return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return "application/zip"


def _check_zip_bomb(upload) -> None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise ValidationError(_("The archive holds too many files."))
            total = sum(i.file_size for i in infos)
            compressed = sum(i.compress_size for i in infos) or 1
            if total > MAX_ZIP_UNCOMPRESSED or total / compressed > MAX_ZIP_RATIO:
                raise ValidationError(_("The archive expands to an unsafe size and was refused."))
            for info in infos:
                if info.filename.startswith("/") or ".." in info.filename.split("/"):
                    raise ValidationError(_("The archive contains unsafe paths."))
    except zipfile.BadZipFile:
        raise ValidationError(_("The archive is damaged.")) from None
    finally:
        upload.seek(0)


def validate_upload(upload, *, kinds: set[str], max_mb: int | None = None) -> SniffedFile:
    """Check an uploaded file and return what it really is. Raises ValidationError."""
    max_bytes = (max_mb or settings.PRM_MAX_UPLOAD_MB) * 1024 * 1024
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size).1f MB); the limit is %(limit)d MB.")
            % {"size": size / 1024 / 1024, "limit": max_bytes // 1024 // 1024}
        )
    head = _read_head(upload)
    mime = _sniff(upload, head)
    if mime == "application/x-executable":
        raise ValidationError(_("Executable files are not allowed."))
    if mime == "text/html":
        raise ValidationError(_("HTML files are not allowed."))
    allowed = frozenset().union(*(KINDS[k] for k in kinds))
    if mime not in allowed:
        raise ValidationError(
            _("This type of file is not allowed here. Allowed: %(kinds)s.") % {"kinds": ", ".join(sorted(kinds))}
        )
    if mime == "image/svg+xml":
        upload.seek(0)
        body = upload.read(max_bytes)
        upload.seek(0)
        check_svg(body)
    if mime in KINDS["zip"] | KINDS["office"]:
        _check_zip_bomb(upload)
    if mime in KINDS["image"]:
        _check_image(upload)
        size = _reencode_image(upload)
    extension = EXTENSIONS.get(mime, "bin")
    return SniffedFile(mime, extension, sanitize_filename(getattr(upload, "name", "file"), extension), size)


def _check_image(upload) -> None:
    """Decode the image header with Pillow; refuse decompression bombs and broken files."""
    from PIL import Image

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            image.verify()
    except Exception:
        raise ValidationError(_("The image could not be read.")) from None
    finally:
        upload.seek(0)
    if width * height > 40_000_000:
        raise ValidationError(_("The image is too large (more than 40 megapixels)."))


def _reencode_image(upload) -> int:
    """Decode and re-encode a raster image in place, so only pixels are kept: anything appended
    to or hidden in the file (HTML after a GIF, metadata, a polyglot's second payload) is dropped.
    Returns the new size. Files already stored (a FieldFile being re-validated) are left as they are."""
    from django.core.files.uploadedfile import UploadedFile
    from django.db.models.fields.files import FieldFile
    from PIL import Image, ImageOps

    target = upload.file if isinstance(upload, FieldFile) else upload
    if not isinstance(target, UploadedFile):
        return getattr(upload, "size", 0)
    upload.seek(0)
    out = io.BytesIO()
    try:
        with Image.open(upload) as image:
            fmt = image.format
            animated = getattr(image, "is_animated", False)
            keep: dict[str, Any] = {
                k: image.info[k] for k in ("transparency", "duration", "loop", "icc_profile") if k in image.info
            }
            picture: Image.Image = image if animated else ImageOps.exif_transpose(image)
            if fmt == "JPEG":
                keep["quality"] = 92
            elif fmt == "WEBP":
                keep["quality"] = 92
            picture.save(out, format=fmt, save_all=animated, **keep)
    except Exception:
        raise ValidationError(_("The image could not be read.")) from None
    data = out.getvalue()
    handle = target.file
    assert handle is not None  # an UploadedFile always has its file
    handle.seek(0)
    handle.truncate()
    handle.write(data)
    handle.flush()
    handle.seek(0)
    target.size = len(data)
    return len(data)


# --- SVG: parsed as XML and checked against an allow-list ----------------------------------

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
# Editors' metadata namespaces (browsers never render or run what is in them).
_METADATA_NS = frozenset({
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://ns.adobe.com/Graphs/1.0/",
    "http://ns.adobe.com/SaveForWeb/1.0/",
    "http://ns.adobe.com/Extensibility/1.0/",
    "http://www.bohemiancoding.com/sketch/ns",
})
SVG_ELEMENTS = frozenset("""
    svg g defs title desc metadata symbol use switch path rect circle ellipse line polyline polygon
    text tspan textPath linearGradient radialGradient stop clipPath mask pattern marker image style
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence
""".split())
SVG_ATTRIBUTES = frozenset("""
    id class style lang version baseProfile viewBox preserveAspectRatio x y x1 y1 x2 y2 cx cy r rx ry
    fx fy fr width height d points pathLength transform fill fill-opacity fill-rule stroke
    stroke-width stroke-opacity stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray
    stroke-dashoffset opacity color display visibility overflow clip-path clip-rule clipPathUnits mask
    maskUnits maskContentUnits filter filterUnits primitiveUnits gradientUnits gradientTransform
    spreadMethod offset stop-color stop-opacity patternUnits patternContentUnits patternTransform
    marker-start marker-mid marker-end markerWidth markerHeight markerUnits refX refY orient
    font-family font-size font-weight font-style font-variant font-stretch text-anchor
    dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing text-decoration
    writing-mode dx dy rotate textLength lengthAdjust startOffset method spacing side
    href role aria-label aria-hidden aria-labelledby aria-describedby focusable tabindex
    mix-blend-mode isolation paint-order vector-effect shape-rendering text-rendering
    image-rendering color-interpolation color-interpolation-filters color-rendering
    flood-color flood-opacity lighting-color in in2 result mode type values operator k1 k2 k3 k4
    stdDeviation edgeMode order kernelMatrix divisor bias targetX targetY preserveAlpha
    surfaceScale diffuseConstant specularConstant specularExponent kernelUnitLength azimuth
    elevation pointsAtX pointsAtY pointsAtZ limitingConeAngle scale xChannelSelector
    yChannelSelector radius tableValues slope intercept amplitude exponent baseFrequency numOctaves
    seed stitchTiles enable-background xml:space media data-name
""".split())
_SAFE_HREF = re.compile(r"^\s*(#[\w.:-]*|data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*)\s*$", re.I)
_CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript\s*:|behavior\s*:|-moz-binding|url\s*\(\s*['\"]?\s*(?!#|data:image/)", re.I)
_SCRIPT_VALUE = re.compile(r"(java|vb)script\s*:|data\s*:\s*text/html", re.I)


def check_svg(body: bytes) -> None:
    """Refuse an SVG unless every element and attribute is on the allow-list: no scripts (in any
    namespace prefix), no event handlers, no foreign content, no entities or DTD, links only inside
    the image or to embedded raster data, no style that loads or runs anything."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    refused = _("SVG images with scripts, event handlers, external links or unknown elements are not allowed.")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise ValidationError(_("The SVG image could not be read as plain XML (no DTD or entities).")) from None
    if root.tag != f"{{{_SVG_NS}}}svg":
        raise ValidationError(refused)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions are inert
        namespace, _sep, name = element.tag[1:].partition("}") if element.tag.startswith("{") else ("", "", element.tag)
        if namespace in _METADATA_NS:
            continue
        if namespace != _SVG_NS or name not in SVG_ELEMENTS:
            raise ValidationError(refused)
        if name == "style" and _CSS_DANGER.search(element.text or ""):
            raise ValidationError(refused)
        for attribute, value in element.attrib.items():
            attr_ns, _sep, attr_name = attribute[1:].partition("}") if attribute.startswith("{") else ("", "", attribute)
            if attr_ns in _METADATA_NS:
                continue
            if attr_ns == _XML_NS:
                attr_name = f"xml:{attr_name}"
            elif attr_ns not in ("", _XLINK_NS):
                raise ValidationError(refused)
            if attr_name not in SVG_ATTRIBUTES or _SCRIPT_VALUE.search(value):
                raise ValidationError(refused)
            if attr_name == "href" and not _SAFE_HREF.match(value):
                raise ValidationError(refused)
            if attr_name == "style" and _CSS_DANGER.search(value):
                raise ValidationError(refused)
            if _CSS_DANGER.search(value) and "url(" in value.lower():
                raise ValidationError(refused)


def sniff_image_type(field_file) -> str | None:
    try:
        with field_file.open("rb") as handle:
            kind = filetype.guess(handle.read(512))
    except (FileNotFoundError, ValueError):
        return None
    return kind.mime if kind else None


@deconstructible
class FileTypeValidator:
    """A model/form field validator: the file must sniff as one of `kinds`, within `max_mb`."""

    def __init__(self, kinds: tuple[str, ...] = ("image",), max_mb: int | None = None):
        self.kinds = tuple(kinds)
        self.max_mb = max_mb

    def __call__(self, upload) -> None:
        validate_upload(upload, kinds=set(self.kinds), max_mb=self.max_mb)

    def __eq__(self, other) -> bool:
        return isinstance(other, FileTypeValidator) and (self.kinds, self.max_mb) == (other.kinds, other.max_mb)


def image_validator(max_mb: int = 2) -> FileTypeValidator:
    """For logos: a real raster image (PNG, JPEG, GIF, WebP) of at most `max_mb`."""
    return FileTypeValidator(("image",), max_mb)
