import io
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from content.models import (
    Asset,
    AssetPartnerType,
    AssetVersion,
    Category,
    Certification,
    Choice,
    Course,
    Module,
    Question,
)
from tests.factories.base import ScopedFactory
from tests.factories.core import TenantFactory

__all__ = [
    "CategoryFactory", "AssetFactory", "AssetVersionFactory", "AssetPartnerTypeFactory", "CourseFactory",
    "ModuleFactory", "QuestionFactory", "ChoiceFactory", "CertificationFactory", "make_pdf_bytes",
    "file_asset",
]


def make_pdf_bytes(text: str = "Acme product brochure", pages: int = 1) -> bytes:
    """A real PDF (reportlab) with `text` on each page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for n in range(pages):
        pdf.setFont("Helvetica", 14)
        pdf.drawString(72, 760, f"{text} — page {n + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class CategoryFactory(ScopedFactory):
    class Meta:
        model = Category
        django_get_or_create = ("tenant", "slug")

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class AssetFactory(ScopedFactory):
    """A published link asset by default (no file needed); use `file_asset` for files."""

    class Meta:
        model = Asset

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Asset {n}")
    description = "Material for partners."
    kind = Asset.Kind.LINK
    external_url = "https://example.com/material"
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    category = None
    min_tier = None


class AssetVersionFactory(ScopedFactory):
    class Meta:
        model = AssetVersion

    tenant = factory.LazyAttribute(lambda o: o.asset.tenant)
    asset = factory.SubFactory(AssetFactory, kind=Asset.Kind.FILE, external_url="")
    number = factory.Sequence(lambda n: n + 1)
    original_name = "brochure.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="upload.pdf"))

    class Params:
        content = factory.LazyFunction(make_pdf_bytes)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        version = super()._create(model_class, *args, **kwargs)
        Asset.objects.filter(pk=version.asset_id).update(current_version=version)
        version.asset.current_version = version
        return version


def file_asset(tenant, *, content: bytes | None = None, original_name: str = "brochure.pdf",
               content_type: str = "application/pdf", **asset_kwargs) -> Asset:
    """A published file asset with one current version."""
    asset = AssetFactory(tenant=tenant, kind=Asset.Kind.FILE, external_url="", **asset_kwargs)
    AssetVersionFactory(tenant=tenant, asset=asset, number=1, original_name=original_name,
                        content_type=content_type, content=content if content is not None else make_pdf_bytes())
    return asset


class AssetPartnerTypeFactory(ScopedFactory):
    class Meta:
        model = AssetPartnerType

    tenant = factory.LazyAttribute(lambda o: o.asset.tenant)
    asset = factory.SubFactory(AssetFactory)
    partner_type = None


class CourseFactory(ScopedFactory):
    class Meta:
        model = Course

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    description = "Learn to sell the product."
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    validity_months = 12
    passing_score = 80
    max_attempts = 3


class ModuleFactory(ScopedFactory):
    class Meta:
        model = Module

    tenant = factory.LazyAttribute(lambda o: o.course.tenant)
    course = factory.SubFactory(CourseFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Module {n}")
    kind = Module.Kind.TEXT
    body = "Read this carefully."


class QuestionFactory(ScopedFactory):
    class Meta:
        model = Question

    tenant = factory.LazyAttribute(lambda o: o.course.tenant)
    course = factory.SubFactory(CourseFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Question {n}?")


class ChoiceFactory(ScopedFactory):
    class Meta:
        model = Choice

    tenant = factory.LazyAttribute(lambda o: o.question.tenant)
    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Answer {n}")
    is_correct = False


class CertificationFactory(ScopedFactory):
    class Meta:
        model = Certification

    tenant = factory.LazyAttribute(lambda o: o.course.tenant)
    course = factory.SubFactory(CourseFactory)
    user = None
    partner = None
    issued_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.issued_at + timedelta(days=365))
