"""Co-branded PDFs: each page is stamped on the fly with the downloading partner's branding.

reportlab draws a one-page overlay per page size (a band along the bottom edge with the
partner's logo, name and contact) and pypdf merges it onto every page of the original.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

logger = logging.getLogger(__name__)

BAND_HEIGHT = 40  # points
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"


class CobrandError(Exception):
    """The PDF cannot be stamped (encrypted or damaged)."""


@dataclass(frozen=True)
class Stamp:
    partner_name: str
    contact_line: str
    logo: bytes | None = None


def stamp_for(*, partner, user) -> Stamp:
    """The partner's branding: name, the downloading person as contact, website, and logo."""
    parts = [user.get_full_name() if user is not None else "", getattr(user, "email", "") or "", partner.website or ""]
    contact = " · ".join(p for p in parts if p)
    return Stamp(partner_name=partner.name, contact_line=contact, logo=_read_logo(partner))


def sample_stamp() -> Stamp:
    """What staff see when they preview a co-branded asset."""
    return Stamp(partner_name=_("Example Partner Ltd"), contact_line="Alex Example · alex@partner.example")


def _read_logo(partner) -> bytes | None:
    if not partner.logo:
        return None
    try:
        with partner.logo.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError, ValueError):
        logger.warning("logo of partner %s is missing", partner.pk)
        return None


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten `text` with an ellipsis so it fits in `width` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _overlay(width: float, height: float, left: float, bottom: float, stamp: Stamp, logo: ImageReader | None):
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(left + width, bottom + height))
    pdf.setFillColor(Color(1, 1, 1, alpha=0.92))
    pdf.rect(left, bottom, width, BAND_HEIGHT, stroke=0, fill=1)
    pdf.setStrokeColor(Color(0.75, 0.77, 0.8))
    pdf.line(left, bottom + BAND_HEIGHT, left + width, bottom + BAND_HEIGHT)
    x = left + 14
    if logo is not None:
        logo_w, logo_h = logo.getSize()
        target_h = BAND_HEIGHT - 12
        target_w = min(logo_w * target_h / max(logo_h, 1), 110)
        pdf.drawImage(logo, x, bottom + 6, width=target_w, height=target_h, preserveAspectRatio=True, mask="auto")
        x += target_w + 10
    room = left + width - x - 14
    pdf.setFillColor(Color(0.1, 0.12, 0.16))
    label = _("Presented by %(partner)s") % {"partner": stamp.partner_name}
    pdf.setFont(FONT_BOLD, 10)
    pdf.drawString(x, bottom + 23, _fit(label, FONT_BOLD, 10, room))
    if stamp.contact_line:
        pdf.setFont(FONT, 8)
        pdf.drawString(x, bottom + 10, _fit(stamp.contact_line, FONT, 8, room))
    pdf.showPage()
    pdf.save()
    buffer.seek(0)
    return PdfReader(buffer).pages[0]


def cobrand_pdf(source: BinaryIO, stamp: Stamp) -> bytes:
    """The original PDF with the stamp on every page. Raises CobrandError if it cannot be read."""
    try:
        reader = PdfReader(source)
        if reader.is_encrypted:
            raise CobrandError("encrypted")
        logo = None
        if stamp.logo:
            try:
                logo = ImageReader(io.BytesIO(stamp.logo))
                logo.getSize()
            except Exception:  # a logo that cannot be decoded is left out, not fatal
                logo = None
        overlays: dict[tuple, object] = {}
        # pypdf merges onto pages that belong to a writer: clone the document, stamp its pages.
        writer = PdfWriter(clone_from=reader)
        for page in writer.pages:
            box = page.mediabox
            key = (float(box.left), float(box.bottom), float(box.width), float(box.height))
            if key not in overlays:
                overlays[key] = _overlay(key[2], key[3], key[0], key[1], stamp, logo)
            page.merge_page(overlays[key])
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except CobrandError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CobrandError(str(exc)) from exc


def check_cobrandable(upload) -> None:
    """Raise CobrandError when an uploaded PDF could not be stamped later."""
    upload.seek(0)
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted:
            raise CobrandError("encrypted")
        len(reader.pages)
    except CobrandError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CobrandError(str(exc)) from exc
    finally:
        upload.seek(0)
