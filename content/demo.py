"""Demo content: a library across tiers (with a real co-brandable PDF), two courses with quizzes,
certifications, and some engagement history so the analytics have something to show.
Idempotent: everything is looked up by its natural key first.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta

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
    ModuleCompletion,
    Question,
    QuizAttempt,
)
from content.services.training import add_months
from prm.events.models import EngagementEvent
from prm.events.services import record_event
from prm.tenancy.demo import DemoContext, demo_member
from prm.tenancy.roles import Role

CATEGORIES = [("sales", "Sales enablement", 1), ("marketing", "Marketing", 2), ("technical", "Technical", 3),
              ("program", "Program guides", 4)]
ONE_PAGER = """<!doctype html>
<html><head><meta charset="utf-8"><title>{{ program_name }} × {{ partner_name }}</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;color:#1f2937}h1{color:#1f5fbf}</style></head>
<body>
<h1>{{ partner_name }} delivers {{ program_name }}</h1>
<p>As a {{ partner_tier }} partner, {{ partner_name }} helps customers{% if partner_country %} in {{ partner_country }}{% endif %}
move to the cloud with certified experts.</p>
<p>Talk to {{ contact_name|default:"our team" }} at <strong>{{ contact_email }}</strong> or visit {{ partner_website }}.</p>
<p><small>{{ today }}</small></p>
</body></html>
"""


def brochure_pdf(tenant_name: str, version: int) -> bytes:
    """A two-page solution brief drawn with reportlab (co-brandable: room at the bottom)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    pages = [
        (f"{tenant_name} Solution Brief", [
            "Move workloads to a secure, managed cloud in weeks, not months.",
            "Built-in compliance reporting for regulated industries.",
            "24/7 support from certified partner engineers.",
            f"Version {version}",
        ]),
        ("Why customers choose us", [
            "40% lower total cost of ownership over three years.",
            "Migration playbooks and tooling included.",
            "Joint go-to-market with our partner network.",
        ]),
    ]
    for title, lines in pages:
        pdf.setFillColorRGB(0.12, 0.37, 0.75)
        pdf.rect(0, height - 120, width, 120, stroke=0, fill=1)
        pdf.setFillColorRGB(1, 1, 1)
        pdf.setFont("Helvetica-Bold", 26)
        pdf.drawString(56, height - 75, title)
        pdf.setFillColorRGB(0.1, 0.1, 0.1)
        pdf.setFont("Helvetica", 13)
        y = height - 180
        for line in lines:
            pdf.drawString(56, y, "• " + line)
            y -= 26
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _version(ctx: DemoContext, asset: Asset, content: bytes, name: str, content_type: str, note: str = "") -> None:
    number = asset.versions.count() + 1
    version = AssetVersion(tenant=ctx.tenant, asset=asset, number=number, original_name=name,
                           content_type=content_type, size=len(content), note=note, uploaded_by=ctx.users.get("manager"))
    version.file.save(name, ContentFile(content), save=False)
    version.save()
    Asset.objects.filter(pk=asset.pk).update(current_version=version)


def _asset(ctx: DemoContext, title: str, **fields) -> tuple[Asset, bool]:
    types = fields.pop("types", None)
    asset, created = Asset.objects.get_or_create(
        tenant=ctx.tenant, title=title, defaults={"created_by": ctx.users.get("manager"), **fields},
    )
    if created and types:
        AssetPartnerType.objects.bulk_create(
            [AssetPartnerType(tenant=ctx.tenant, asset=asset, partner_type=t) for t in types]
        )
    return asset, created


def seed_library(ctx: DemoContext) -> dict[str, Asset]:
    tenant, now = ctx.tenant, timezone.now()
    tiers = ctx.extra["tiers"]
    types = ctx.extra["partner_types"]
    cats = {}
    for slug, name, order in CATEGORIES:
        cats[slug], _ = Category.objects.get_or_create(tenant=tenant, slug=slug, defaults={"name": name, "order": order})
    assets: dict[str, Asset] = {}

    brief, created = _asset(
        ctx, f"{tenant.name} solution brief (co-branded)", category=cats["sales"], kind=Asset.Kind.FILE,
        description="Two-page solution brief, stamped with your logo, name and contact when you download it.",
        tags="brief, solution, customer, co-branded", language="en", co_brand=True, is_featured=True,
        publish_at=now - timedelta(days=40),
    )
    if created or not brief.versions.exists():
        _version(ctx, brief, brochure_pdf(tenant.name, 1), "solution-brief.pdf", "application/pdf")
        _version(ctx, brief, brochure_pdf(tenant.name, 2), "solution-brief.pdf", "application/pdf",
                 note="Updated TCO figures")
    assets["brief"] = brief

    def text_file(title: str, body: str, **fields) -> Asset:
        asset, created = _asset(ctx, title, kind=Asset.Kind.FILE, **fields)
        if created or not asset.versions.exists():
            name = title.lower().replace(" ", "-")[:40] + ".txt"
            _version(ctx, asset, body.encode(), name, "text/plain")
        return asset

    assets["onboarding"] = text_file(
        "Partner program guide", f"Welcome to the {tenant.name} partner program.\nTiers, benefits and how to register deals.\n",
        category=cats["program"], tags="program, onboarding, tiers, benefits", min_tier=tiers[1],
        description="Everything about tiers, benefits and deal registration.", publish_at=now - timedelta(days=90),
        is_featured=True,
    )
    assets["pricing"] = text_file(
        "Silver pricing and discount sheet", "List prices and Silver discounts.\n",
        category=cats["sales"], tags="pricing, discount, quote", min_tier=tiers[2], language="en",
        description="Current price list with the Silver partner discount.", publish_at=now - timedelta(days=20),
    )
    assets["battlecard"] = text_file(
        "Gold competitive battle card", "How we win against the usual competitors.\n",
        category=cats["sales"], tags="competition, battle card, objection handling", min_tier=tiers[3],
        description="Objection handling and win themes against competitors (Gold and above).",
        publish_at=now - timedelta(days=3), is_featured=True,
    )
    assets["roadmap"] = text_file(
        "Platinum product roadmap", "Confidential roadmap for the next four quarters.\n",
        category=cats["technical"], tags="roadmap, confidential", min_tier=tiers[4],
        description="Confidential roadmap briefing for Platinum partners.", publish_at=now - timedelta(days=2),
    )
    assets["msp"] = text_file(
        "MSP service catalogue template", "Service tiers, SLAs and pricing model for managed services.\n",
        category=cats["technical"], tags="msp, managed services, sla", types=[types["msp"]],
        description="A template catalogue for managed service providers.", publish_at=now - timedelta(days=10),
    )
    assets["expired"] = text_file(
        "Last year's promotion", "An offer that has ended.\n", category=cats["marketing"], tags="promotion",
        publish_at=now - timedelta(days=400), expires_at=now - timedelta(days=30),
    )
    assets["draft"], _ = _asset(ctx, "Upcoming launch kit (draft)", kind=Asset.Kind.FILE, category=cats["marketing"],
                                tags="launch", description="Not yet published.")
    assets["video"], _ = _asset(
        ctx, "Product demo video", kind=Asset.Kind.LINK, external_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        category=cats["marketing"], tags="demo, video", language="en", publish_at=now - timedelta(days=15),
        description="A 10-minute walkthrough to show customers.",
    )
    assets["onepager"], _ = _asset(
        ctx, "Customer one-pager (personalised)", kind=Asset.Kind.HTML, html_body=ONE_PAGER,
        category=cats["marketing"], tags="one-pager, email, template, customer", min_tier=tiers[2],
        publish_at=now - timedelta(days=5), description="An HTML one-pager filled in with your details.",
    )
    assets["german"] = text_file(
        "Partnerleitfaden (Deutsch)", "Willkommen im Partnerprogramm.\n", category=cats["program"],
        tags="programm, leitfaden", language="de", publish_at=now - timedelta(days=25),
        description="Der Programmleitfaden auf Deutsch.",
    )
    return assets


QUIZZES = {
    "fundamentals": [
        ("Which customers benefit most from the managed cloud?", [
            ("Regulated industries that need compliance reporting", True), ("Only start-ups", False),
            ("Customers without any IT", False)]),
        ("How long does a typical migration take?", [
            ("Weeks", True), ("Years", False), ("It cannot be done", False)]),
        ("Where do you register a deal?", [
            ("In the partner portal under Deals", True), ("By fax", False), ("Nowhere", False)]),
    ],
    "advanced": [
        ("What lowers total cost of ownership the most?", [
            ("Automated operations", True), ("More hardware", False), ("Longer contracts", False)]),
        ("Who can see the Gold battle card?", [
            ("Gold and Platinum partners", True), ("Everyone", False), ("Nobody", False)]),
        ("What must a migration plan include?", [
            ("A rollback plan", True), ("A press release", False), ("Nothing", False)]),
    ],
}


def seed_training(ctx: DemoContext, assets: dict[str, Asset]) -> dict[str, Course]:
    tenant, now = ctx.tenant, timezone.now()
    tiers = ctx.extra["tiers"]
    courses = {}
    specs = [
        ("fundamentals", "Product fundamentals", None, 12, [
            ("Why customers buy", Module.Kind.TEXT, "Customers choose a managed cloud to move faster and stay compliant.\n\nLead with outcomes, not features.", "", None),
            ("Product demo", Module.Kind.VIDEO, "Watch the ten-minute demo before your first customer meeting.", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", None),
            ("The solution brief", Module.Kind.ASSET, "Download the co-branded brief: you will send it to customers.", "", assets["brief"]),
        ]),
        ("advanced", "Advanced solution selling", tiers[2], 24, [
            ("Discovery questions", Module.Kind.TEXT, "Ask about compliance deadlines, current costs and the team's skills.", "", None),
            ("Handling objections", Module.Kind.TEXT, "Acknowledge, clarify, answer with a customer story, confirm.", "", None),
            ("Pricing conversations", Module.Kind.ASSET, "Use the Silver pricing sheet to prepare a quote.", "", assets["pricing"]),
        ]),
    ]
    for key, title, min_tier, months, modules in specs:
        course, created = Course.objects.get_or_create(
            tenant=tenant, title=title,
            defaults={"description": f"{title} for {tenant.name} partners: {len(modules)} modules and a short quiz.",
                      "min_tier": min_tier, "validity_months": months, "passing_score": 66, "max_attempts": 3,
                      "publish_at": now - timedelta(days=60)},
        )
        courses[key] = course
        if not created:
            continue
        for order, (m_title, kind, body, url, asset) in enumerate(modules, start=1):
            Module.objects.create(tenant=tenant, course=course, order=order, title=m_title, kind=kind, body=body,
                                  video_url=url, asset=asset)
        for q_order, (text, choices) in enumerate(QUIZZES[key], start=1):
            question = Question.objects.create(tenant=tenant, course=course, order=q_order, text=text)
            Choice.objects.bulk_create([
                Choice(tenant=tenant, question=question, order=c_order, text=c_text, is_correct=correct)
                for c_order, (c_text, correct) in enumerate(choices, start=1)
            ])
    return courses


def seed_certifications(ctx: DemoContext, courses: dict[str, Course]) -> None:
    tenant, now = ctx.tenant, timezone.now()
    partners = ctx.extra["partners"]
    main = partners[0]
    holders = [
        # user key, partner, course, issued days ago
        ("partner", main, "fundamentals", 30),
        ("rep", main, "fundamentals", 345),          # expires within 30 days: gets a reminder
        ("silver", partners[1], "fundamentals", 100),
        ("fabrikam", partners[2], "fundamentals", 200),
        ("fabrikam", partners[2], "advanced", 60),
    ]
    for key, partner, course_key, days in holders:
        user = ctx.users[key]
        course = courses[course_key]
        if Certification.objects.filter(course=course, user=user).exists():
            continue
        issued = now - timedelta(days=days)
        # The passing attempt that earned it (a failed one before it, now and then).
        if key == "silver":
            failed = QuizAttempt.objects.create(tenant=tenant, course=course, user=user, partner=partner, score=33,
                                                passed=False)
            QuizAttempt.objects.filter(pk=failed.pk).update(created_at=issued - timedelta(days=1))
        attempt = QuizAttempt.objects.create(tenant=tenant, course=course, user=user, partner=partner, score=100,
                                             passed=True)
        QuizAttempt.objects.filter(pk=attempt.pk).update(created_at=issued)
        Certification.objects.create(
            tenant=tenant, course=course, user=user, partner=partner, issued_at=issued, score=100,
            expires_at=add_months(issued, course.validity_months),
        )
    # Ray is half-way through the advanced course (shows "in progress" on his home page).
    first = courses["advanced"].modules.order_by("order").first()
    if first is not None:
        ModuleCompletion.objects.get_or_create(tenant=tenant, module=first, user=ctx.users["rep"],
                                               defaults={"partner": main})


def seed_engagement(ctx: DemoContext, assets: dict[str, Asset]) -> None:
    """A few weeks of views and downloads by active partners (only once)."""
    if EngagementEvent.objects.filter(kind__in=["content_viewed", "content_downloaded"]).exists():
        return
    rng = random.Random(f"{ctx.tenant.slug}-content")
    now = timezone.now()
    popular = [assets[k] for k in ("brief", "onboarding", "pricing", "battlecard", "video", "onepager")]
    active = [p for p in ctx.extra["partners"] if p.status == "active"]
    for partner in active:
        rank = partner.tier.rank if partner.tier_id else 1
        allowed = [a for a in popular if a.min_tier is None or a.min_tier.rank <= rank]
        for _ in range(rng.randint(2, 8)):
            asset = rng.choice(allowed)
            moment = now - timedelta(days=rng.randint(1, 80), hours=rng.randint(0, 23))
            record_event(tenant=ctx.tenant, kind="content_viewed", partner=partner, obj=asset, occurred_at=moment)
            if rng.random() < 0.6:
                record_event(tenant=ctx.tenant, kind="content_downloaded", partner=partner, obj=asset,
                             occurred_at=moment + timedelta(minutes=2))


def seed(ctx: DemoContext) -> None:
    partners = ctx.extra["partners"]
    demo_member(ctx, "silver", Role.PARTNER_USER, "Sam Silver", partner=partners[1])
    demo_member(ctx, "fabrikam", Role.PARTNER_USER, "Fiona Fabrikam", partner=partners[2])
    assets = seed_library(ctx)
    courses = seed_training(ctx, assets)
    seed_certifications(ctx, courses)
    seed_engagement(ctx, assets)
    ctx.extra["content_assets"] = assets
    ctx.extra["courses"] = courses
