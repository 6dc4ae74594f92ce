"""Demo partner program: types, tiers and a dozen partner organisations at every stage."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from partners.models import Partner, PartnerType, Tier
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
