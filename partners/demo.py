"""Demo partner program: types, tiers and a dozen partner organisations at every stage."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from partners.models import Partner, PartnerSettings, PartnerType, Tier
from prm.tenancy.demo import DemoContext, demo_member
from prm.tenancy.roles import Role

TYPES = [
    ("reseller", "Reseller", True), ("referral", "Referral partner", False),
    ("technology", "Technology partner", True), ("consultant", "Consultant / influencer", False),
    ("msp", "Managed service provider", True),
]
TIERS = [
    (1, "Registered", Decimal("0"), 0, Decimal("0"), False, "#8a8a8a"),
    (2, "Silver", Decimal("50000"), 1, Decimal("10"), False, "#9ea7b3"),
    (3, "Gold", Decimal("250000"), 2, Decimal("20"), True, "#c9a227"),
    (4, "Platinum", Decimal("1000000"), 4, Decimal("30"), True, "#5b6b8c"),
]
# name, domain, country, type, tier rank, status, regions, specialties, employees
PARTNERS = [
    ("Northwind Solutions", "northwind.example", "US", "reseller", 3, "active", ["NA"], ["cloud", "security"], 120),
    ("Contoso Consulting", "contoso.example", "GB", "consultant", 2, "active", ["EMEA"], ["advisory"], 35),
    ("Fabrikam Systems", "fabrikam.example", "DE", "msp", 4, "active", ["EMEA"], ["managed services", "security"], 420),
    ("Tailspin Integrators", "tailspin.example", "FR", "reseller", 2, "active", ["EMEA"], ["cloud"], 60),
    ("Wide World Tech", "wideworld.example", "SG", "technology", 3, "active", ["APAC"], ["integration"], 200),
    ("Blue Yonder Partners", "blueyonder.example", "AU", "referral", 1, "active", ["APAC"], ["retail"], 12),
    ("Litware Labs", "litware.example", "CA", "technology", 1, "onboarding", ["NA"], ["analytics"], 25),
    ("Proseware Group", "proseware.example", "NL", "reseller", 1, "onboarding", ["EMEA"], ["cloud"], 48),
    ("Adventure Works IT", "adventureworks.example", "US", "msp", 2, "active", ["NA"], ["managed services"], 90),
    ("Coho Networks", "coho.example", "BR", "reseller", 1, "prospect", ["LATAM"], ["networking"], 30),
    ("Lucerne Advisory", "lucerne.example", "CH", "consultant", 1, "suspended", ["EMEA"], ["advisory"], 8),
    ("Trey Research", "trey.example", "IN", "referral", 1, "churned", ["APAC"], ["research"], 15),
]


def seed(ctx: DemoContext) -> None:
    tenant = ctx.tenant
    types = {}
    for code, name, transacts in TYPES:
        types[code], _ = PartnerType.objects.get_or_create(
            tenant=tenant, code=code, defaults={"name": name, "transacts": transacts}
        )
    tiers = {}
    for rank, name, revenue, certs, discount, mdf, colour in TIERS:
        tiers[rank], _ = Tier.objects.get_or_create(
            tenant=tenant, rank=rank,
            defaults={"name": name, "min_won_revenue_12m": revenue, "min_active_certifications": certs,
                      "discount_percent": discount, "mdf_eligible": mdf, "colour": colour},
        )
    manager = ctx.users.get("manager")
    partners = []
    for name, domain, country, type_code, rank, status, regions, specialties, employees in PARTNERS:
        domain = f"{tenant.slug}-{domain}"  # each tenant has its own partner orgs
        partner, _ = Partner.objects.get_or_create(
            tenant=tenant, domain=domain,
            defaults={
                "name": name, "website": f"https://www.{domain}", "country": country,
                "partner_type": types[type_code], "tier": tiers[rank], "status": status,
                "regions": regions, "specialties": specialties, "employees": employees, "owner": manager,
                "activated_at": timezone.now() if status == "active" else None,
                "description": f"{name} is a {types[type_code].name.lower()} serving {', '.join(regions)}.",
            },
        )
        partners.append(partner)
    ctx.extra["partners"] = partners
    ctx.extra["tiers"] = tiers
    ctx.extra["partner_types"] = types
    main = partners[0]
    demo_member(ctx, "partner", Role.PARTNER_ADMIN, "Paula Partner", partner=main)
    demo_member(ctx, "rep", Role.PARTNER_USER, "Ray Rep", partner=main)
    _seed_program(ctx, partners)


# --- Recruitment, onboarding, agreements, tier history, imports -------------------------

CRITERIA = [
    # kind, value, points when matched, penalty when not
    ("region", "EMEA", 20, 0),
    ("region", "NA", 10, 0),
    ("specialty", "security", 15, 10),
    ("specialty", "cloud", 10, 0),
    ("company_size", (20, 1000), 10, 5),
    ("partner_type", "msp", 10, 0),
    ("revenue_band", "10m-50m", 5, 0),
]
PATHS = {
    # partner type code (None = default path) -> (name, stuck after days, steps)
    "reseller": ("Reseller onboarding", 14, [
        ("accept_agreement", "Accept the reseller agreement", ""),
        ("complete_profile", "Complete your organisation profile", "Logo, description, regions and specialties."),
        ("invite_colleague", "Invite a sales colleague", ""),
        ("complete_course", "Complete the sales foundations course", ""),
        ("download_asset", "Download the partner sales kit", ""),
        ("register_deal", "Register your first deal", ""),
        ("manual", "Kick-off call with your channel manager", "Your channel manager ticks this after the call."),
    ]),
    "msp": ("Managed service provider onboarding", 21, [
        ("accept_agreement", "Accept the MSP agreement", ""),
        ("complete_profile", "Complete your organisation profile", ""),
        ("complete_course", "Complete the technical certification course", ""),
        ("register_deal", "Register your first managed customer", ""),
    ]),
    None: ("Partner onboarding", 14, [
        ("accept_agreement", "Accept the program agreement", ""),
        ("complete_profile", "Complete your organisation profile", ""),
        ("manual", "Welcome call with your channel manager", ""),
    ]),
}
AGREEMENT_TEXT = """1. Scope. The partner promotes and, where its partner type allows, resells the vendor's products.
2. Deal registration. Registered opportunities are protected for the period stated in the program guide.
3. Conduct. The partner follows applicable law, the vendor's brand guidelines and the code of conduct.
4. Confidentiality. Pricing, roadmaps and customer data shared through the portal are confidential.
5. Term. This agreement runs for one year and renews automatically unless either side gives 30 days' notice."""
APPLICATIONS = [
    # company, slug, country, regions, specialties, type, employees, band, status, extra
    ("Initrode Systems", "initrode", "DE", ["EMEA"], ["security", "managed services"], "msp", 180, "10m-50m", "new", {}),
    ("Vandelay Industries", "vandelay", "US", ["LATAM"], ["import", "export"], "referral", 6, "lt1m", "new", {}),
    ("Globochem Partners", "globochem", "GB", ["EMEA", "NA"], ["cloud"], "reseller", 60, "1m-10m", "info_requested",
     {"info_request": "Which cloud vendors do you resell today, and roughly what volume?"}),
    ("Hooli Consulting", "hooli", "US", ["NA"], ["advisory"], "consultant", 3, "lt1m", "declined",
     {"decision_reason": "We are not adding consultants in North America this year; please apply again next year."}),
]


def _seed_program(ctx: DemoContext, partners: list) -> None:
    """Ideal profile, onboarding paths with progress, agreements with acceptances, tier history,
    applications at every status and one finished import — idempotent (natural keys)."""
    from datetime import timedelta

    from partners.models import (
        Agreement,
        AgreementAcceptance,
        IdealPartnerProfile,
        IdealProfileCriterion,
        OnboardingPath,
        OnboardingStep,
        PartnerApplication,
        PartnerImport,
        PartnerOnboarding,
        StepCompletion,
        TierChange,
        content_hash,
    )
    from partners.services.recruitment import score_application

    tenant = ctx.tenant
    now = timezone.now()
    types, tiers = ctx.extra["partner_types"], ctx.extra["tiers"]
    manager = ctx.users.get("manager")
    by_domain = {p.domain.removeprefix(f"{tenant.slug}-"): p for p in partners}

    # Ideal partner profile.
    profile, created = IdealPartnerProfile.objects.get_or_create(
        tenant=tenant, defaults={"name": "Ideal partner profile", "base_score": 40,
                                 "description": "Security-minded partners in EMEA and North America."})
    if created:
        for order, (kind, value, match, miss) in enumerate(CRITERIA, start=1):
            criterion = IdealProfileCriterion(tenant=tenant, profile=profile, kind=kind, points_match=match,
                                              points_miss=miss, order=order)
            if kind == "region":
                criterion.region = value
            elif kind == "specialty":
                criterion.specialty = value
            elif kind == "company_size":
                criterion.min_employees, criterion.max_employees = value
            elif kind == "partner_type":
                criterion.partner_type = types[value]
            else:
                criterion.revenue_band = value
            criterion.save()

    # Onboarding paths and steps.
    paths = {}
    for code, (name, stuck_days, steps) in PATHS.items():
        path, created = OnboardingPath.objects.get_or_create(
            tenant=tenant, partner_type=types[code] if code else None,
            defaults={"name": name, "stuck_after_days": stuck_days,
                      "description": "Work through these steps to become an active partner."})
        if created:
            for order, (kind, title, description) in enumerate(steps, start=1):
                OnboardingStep.objects.create(tenant=tenant, path=path, order=order, kind=kind, title=title,
                                              description=description)
        paths[code] = path

    def onboarding_for(partner, *, done: int, days_ago: int, progress_days_ago: int, completed: bool = False):
        path = paths.get(partner.partner_type.code) or paths[None]
        started = now - timedelta(days=days_ago)
        onboarding, created = PartnerOnboarding.objects.get_or_create(
            tenant=tenant, partner=partner,
            defaults={"path": path, "started_at": started, "last_progress_at": now - timedelta(days=progress_days_ago),
                      "completed_at": (now - timedelta(days=progress_days_ago)) if completed else None})
        if created:
            steps = list(path.steps.order_by("order"))
            count = len(steps) if completed else done
            for i, step in enumerate(steps[:count]):
                StepCompletion.objects.create(
                    tenant=tenant, onboarding=onboarding, step=step,
                    completed_at=started + (onboarding.last_progress_at - started) * (i + 1) / max(count, 1),
                    completed_by=manager if step.kind == "manual" else None)
        return onboarding

    for partner in partners:
        if partner.status in (Partner.Status.ACTIVE, Partner.Status.SUSPENDED, Partner.Status.CHURNED):
            onboarding_for(partner, done=0, days_ago=400, progress_days_ago=330, completed=True)
    litware, proseware = by_domain["litware.example"], by_domain["proseware.example"]
    onboarding_for(litware, done=2, days_ago=6, progress_days_ago=1)          # progressing
    onboarding_for(proseware, done=1, days_ago=40, progress_days_ago=25)      # stuck

    # Agreements: one for every type, a reseller-specific one whose version 2 is in its grace period.
    def agreement(partner_type, version, title, published_days_ago, summary=""):
        published = now - timedelta(days=published_days_ago)
        body = AGREEMENT_TEXT + (f"\n6. Version {version} amendments apply from {published:%Y-%m-%d}." if version > 1 else "")
        obj, _ = Agreement.objects.get_or_create(
            tenant=tenant, partner_type=partner_type, version=version,
            defaults={"title": title, "body": body, "summary_of_changes": summary, "published_at": published,
                      "published_by": ctx.users.get("admin"), "content_hash": content_hash(title, body),
                      "reacceptance_due_at": published + timedelta(days=PartnerSettings.for_tenant(tenant).agreement_grace_days)})
        return obj

    general = agreement(None, 1, "Partner program agreement", 400)
    reseller_v1 = agreement(types["reseller"], 1, "Reseller agreement", 400)
    reseller_v2 = agreement(types["reseller"], 2, "Reseller agreement", 5,
                            "Deal protection extended; new data-processing clause.")
    Agreement.objects.get_or_create(
        tenant=tenant, partner_type=types["msp"], version=1,
        defaults={"title": "Managed service provider agreement (draft)", "body": AGREEMENT_TEXT})

    def admin_of(partner):
        if partner.pk == partners[0].pk:
            return ctx.users["partner"]
        key = partner.domain.removeprefix(f"{tenant.slug}-").split(".")[0]
        return demo_member(ctx, f"admin.{key}", Role.PARTNER_ADMIN, f"{partner.name.split()[0]} Admin", partner=partner)

    def accept(partner, agreement_obj, days_ago):
        AgreementAcceptance.objects.get_or_create(
            tenant=tenant, agreement=agreement_obj, partner=partner,
            defaults={"user": admin_of(partner), "accepted_at": now - timedelta(days=days_ago),
                      "ip_address": "198.51.100.23", "user_agent": "Demo browser",
                      "content_hash": agreement_obj.content_hash})

    tailspin = by_domain["tailspin.example"]
    for partner in partners:
        if partner.status not in (Partner.Status.ACTIVE,) and partner.pk != litware.pk:
            continue
        if partner.partner_type.code == "reseller":
            accept(partner, reseller_v1, 300)
            if partner.pk != tailspin.pk:  # Tailspin still has to re-accept version 2 (grace period)
                accept(partner, reseller_v2, 2)
        else:
            accept(partner, general, 300)

    # Tier history: how each partner got its tier, one upgrade, one pending downgrade.
    for partner in partners:
        if not TierChange.objects.filter(partner=partner).exists():
            joined = now - timedelta(days=400)
            TierChange.objects.create(
                tenant=tenant, partner=partner, from_tier=None, to_tier=tiers[1], reason="Joined the program",
                source=TierChange.Source.ONBOARDING, status=TierChange.Status.APPLIED, effective_from=joined,
                applied_at=joined, changed_by=manager)
            if partner.tier_id != tiers[1].pk:
                at = now - timedelta(days=120)
                TierChange.objects.create(
                    tenant=tenant, partner=partner, from_tier=tiers[1], to_tier=partner.tier,
                    reason="Met the revenue and certification requirements", source=TierChange.Source.MANUAL,
                    status=TierChange.Status.APPLIED, effective_from=at, applied_at=at, changed_by=manager)
    if not TierChange.objects.filter(partner=tailspin, status=TierChange.Status.SCHEDULED).exists():
        TierChange.objects.create(
            tenant=tenant, partner=tailspin, from_tier=tailspin.tier, to_tier=tiers[1],
            reason="No registered deals for two quarters", source=TierChange.Source.MANUAL,
            status=TierChange.Status.SCHEDULED, effective_from=now + timedelta(days=PartnerSettings.for_tenant(tenant).tier_downgrade_grace_days - 10),
            changed_by=manager,
            missing=[{"metric": "won_revenue_12m", "label": "Won revenue, trailing 12 months", "required": "50000.00",
                      "actual": "12000.00", "met": False}])

    # Applications at every status (the approved one became Litware).
    for company, slug, country, regions, specialties, code, employees, band, status, extra in APPLICATIONS:
        domain = f"{slug}.{tenant.slug}.example"
        if PartnerApplication.objects.filter(tenant=tenant, domain=domain).exists():
            continue
        application = PartnerApplication(
            tenant=tenant, company=company, website=f"https://www.{domain}", domain=domain, country=country,
            regions=regions, specialties=specialties, partner_type=types[code], employees=employees,
            revenue_band=band, contact_name=f"{company.split()[0]} Contact", contact_email=f"contact@{domain}",
            message="We would like to join your partner program.", status=status,
            reviewed_by=manager if status != "new" else None, reviewed_at=now if status != "new" else None, **extra)
        score_application(tenant, application)
        application.save()
    if not PartnerApplication.objects.filter(tenant=tenant, partner=litware).exists():
        application = PartnerApplication(
            tenant=tenant, company=litware.name, website=litware.website, domain=litware.domain, country=litware.country,
            regions=litware.regions, specialties=litware.specialties, partner_type=litware.partner_type,
            employees=litware.employees or 25, revenue_band="1m-10m", contact_name="Lee Litware",
            contact_email=f"lee@{litware.domain}", status=PartnerApplication.Status.APPROVED, partner=litware,
            reviewed_by=manager, reviewed_at=now - timedelta(days=6))
        score_application(tenant, application)
        application.save()

    # A logo for the main demo partner (served by the partner logo view).
    main = partners[0]
    if not main.logo:
        import io

        from django.core.files.base import ContentFile
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (160, 64), tenant.primary_colour)
        ImageDraw.Draw(image).text((12, 24), main.name, fill="white")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        main.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)

    # One finished import with an error row (its report is downloadable).
    if not PartnerImport.objects.filter(tenant=tenant).exists():
        from django.core.files.uploadedfile import SimpleUploadedFile

        from partners.services.imports import partner_import_create, partner_import_run

        rows = ("name,website,country,partner_type,tier,regions,specialties,description,contact_name,contact_email\n"
                f"Northwind Traders,https://northwind-traders-{tenant.slug}.com,US,reseller,Registered,NA,retail,"
                "Retail systems reseller for North America.,"
                f"Nancy Davolio,nancy@northwind-traders-{tenant.slug}.com\n"
                "Missing Email Co,https://missing-email.com,DE,reseller,,EMEA,,,Max Mustermann,\n")
        partner_import = partner_import_create(tenant=tenant, upload=SimpleUploadedFile("legacy-partners.csv", rows.encode()),
                                               actor=manager)
        PartnerImport.objects.filter(pk=partner_import.pk).update(status=PartnerImport.Status.QUEUED)
        partner_import_run(tenant=tenant, import_id=partner_import.pk)
