"""Demo leads: routing rules of every strategy, declared capacities, and leads in every state —
offered, accepted, worked, converted into a protected deal (one of them won), lost, declined and
passed on, expired and reassigned by the sweep, held for a customer with an active registration,
and unassigned with the reason — each with its routing explanation. Idempotent: every lead has a
`source_ref`, and its story is only played when the lead is first created."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from deals.models import Product
from leads import services
from leads.models import Lead, LeadRule, PartnerLeadProfile
from prm.tenancy.demo import DemoContext

CAPACITY = {"northwind": 12, "contoso": 2, "fabrikam": 5, "tailspin": 3, "wideworld": 3, "adventureworks": 4}
# name, position, conditions, strategy, named partner key
RULES = [
    ("Germany and Austria: Fabrikam", 10, {"countries": ["AT", "DE"]}, "named", "fabrikam"),
    ("EMEA security: performance-weighted", 20, {"regions": ["EMEA"], "product": "security-suite", "min_rank": 2},
     "performance", None),
    ("North America: round robin", 30, {"regions": ["NA"]}, "round_robin", None),
    ("APAC: round robin", 40, {"regions": ["APAC"]}, "round_robin", None),
    ("Everything else: performance-weighted", 90, {}, "performance", None),
]
KEYS = ["northwind", "contoso", "fabrikam", "tailspin", "wideworld", "blueyonder", "litware", "proseware",
        "adventureworks", "coho", "lucerne", "trey"]


def seed(ctx: DemoContext) -> None:
    tenant = ctx.tenant
    partners = dict(zip(KEYS, ctx.extra["partners"], strict=False))
    products = {p.code: p for p in Product.objects.filter(tenant=tenant)}
    for key, capacity in CAPACITY.items():
        PartnerLeadProfile.objects.get_or_create(tenant=tenant, partner=partners[key],
                                                 defaults={"max_open_leads": capacity})
    tiers = ctx.extra["tiers"]
    for name, position, cond, strategy, named in RULES:
        LeadRule.objects.get_or_create(tenant=tenant, name=name, defaults={
            "position": position, "countries": cond.get("countries", []), "regions": cond.get("regions", []),
            "product": products.get(cond.get("product", "")), "min_tier": tiers.get(cond.get("min_rank")),
            "strategy": strategy, "partner": partners[named] if named else None})
    _stories(ctx, partners, products)
    ctx.extra["leads"] = Lead.objects.filter(tenant=tenant).count()
    _finished_import(ctx)


def _finished_import(ctx: DemoContext) -> None:
    """One finished CSV import of leads with a refused row (its error report is downloadable)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from leads.imports import lead_import_create, lead_import_run
    from leads.models import LeadImport

    tenant = ctx.tenant
    if LeadImport.objects.filter(tenant=tenant).exists():
        return
    rows = ("company,website,country,industry,product,contact_name,contact_email,source,source_ref\n"
            f"Umbrella Health,https://www.umbrella-health-{tenant.slug}.com,GB,healthcare,cloud-platform,"
            f"Alice Abernathy,alice@umbrella-health-{tenant.slug}.com,event,demo-import:umbrella\n"
            "No Place Ltd,,,retail,,Sam Nowhere,sam@example.org,event,demo-import:noplace\n")
    lead_import = lead_import_create(tenant=tenant, upload=SimpleUploadedFile("expo-leads.csv", rows.encode()),
                                     actor=ctx.users["manager"])
    LeadImport.objects.filter(pk=lead_import.pk).update(status=LeadImport.Status.QUEUED)
    lead_import_run(tenant=tenant, import_id=lead_import.pk)


def _stories(ctx: DemoContext, partners: dict, products: dict) -> None:
    tenant = ctx.tenant
    manager, paula, ray = ctx.users["manager"], ctx.users["partner"], ctx.users.get("rep")
    northwind = partners["northwind"]
    now = timezone.now()
    today = timezone.localdate()

    def lead(key, company, *, country="US", industry="technology", product="cloud-platform", value="30000",
             hours_ago=1, domain=None, **extra):
        at = now - timedelta(hours=hours_ago)
        slug = domain or company.lower().replace(" ", "") + ".com"
        data = {"company_name": company, "website": f"https://www.{slug}", "country": country, "industry": industry,
                "company_size": "250-999", "product": products.get(product), "value_estimate": Decimal(value),
                "contact_name": "Morgan Buyer", "contact_email": f"morgan@{slug}", "contact_phone": "+1 555 0142",
                "contact_title": "VP Operations", "source": "website", "source_ref": f"demo:{key}",
                "notes": "Asked for a demo on the website.", **extra}
        obj, created = services.lead_create(tenant=tenant, data=data, user=manager, now=at, route=False)
        if created:
            services.leads_route(tenant=tenant, leads=[obj], actor=manager, now=at)
            obj.refresh_from_db()
        return obj, created, at

    def to_northwind(obj, at, reason="Northwind already works with this customer's parent company."):
        return services.lead_reassign(tenant=tenant, lead=obj, actor=manager, partner=northwind, reason=reason,
                                      now=at + timedelta(minutes=5))

    def accept(obj, at):
        return services.lead_accept(tenant=tenant, lead=obj, partner=northwind, user=paula,
                                    now=at + timedelta(hours=2))

    # Routed by the rules, waiting for the partners (each shows its explanation to staff).
    lead("bluth", "Bluth Company", industry="retail", hours_ago=3)
    lead("dunder", "Dunder Mifflin", industry="professional", hours_ago=2)
    lead("vehement", "Vehement Capital", country="DE", industry="financial", value="85000", hours_ago=5)
    lead("nakatomi", "Nakatomi Trading", country="JP", industry="logistics", hours_ago=4)
    lead("cogswell", "Cogswell Cogs", country="FR", industry="manufacturing", product="security-suite", hours_ago=6)
    # Nobody serves Latin America yet, and a lead without a country: unassigned, with the reason.
    lead("pollos", "Los Pollos Hermanos", country="MX", industry="hospitality", hours_ago=8)
    lead("krusty", "Krusty Krab", country="", industry="hospitality", hours_ago=9)
    # A customer with an active registration (the deals demo's Aperture Science): held for the owner.
    lead("aperture", "Aperture Science Labs", domain="aperturescience.com", hours_ago=7)

    # The demo partner's inbox: new, accepted, working, converted (one won), lost, returned.
    obj, created, at = lead("sterling", "Sterling Cooper", industry="media", hours_ago=1)
    if created:
        to_northwind(obj, at)
    obj, created, at = lead("prestige", "Prestige Worldwide", industry="media", hours_ago=20)
    if created:
        accept(to_northwind(obj, at), at)
    obj, created, at = lead("spacely", "Spacely Sprockets", industry="manufacturing", hours_ago=50)
    if created:
        accept(to_northwind(obj, at), at)
        services.lead_status_update(tenant=tenant, lead=obj, partner=northwind, user=paula, status="working")
        if ray is not None:
            services.lead_assign(tenant=tenant, lead=obj, partner=northwind, user=paula, assignee=ray)
    for key, company, won in (("wernham", "Wernham Hogg", False), ("duff", "Duff Brewery", True)):
        obj, created, at = lead(key, company, industry="retail", value="48000", hours_ago=24 * 12)
        if created:
            accept(to_northwind(obj, at), at)
            deal = services.lead_convert(tenant=tenant, lead=obj, partner=northwind, user=paula,
                                         expected_close_date=today + timedelta(days=45), stage="proposal",
                                         now=at + timedelta(days=1))
            if won:
                from deals.services import deal_mark_won

                deal_mark_won(tenant=tenant, deal=deal, user=paula, amount=Decimal("51000"),
                              closed_on=today - timedelta(days=2))
                # What the deal_won subscriber does after commit, already now for the demo's pages.
                Lead.objects.filter(pk=obj.pk).update(deal_outcome=Lead.DealOutcome.WON, won_at=now - timedelta(days=2))
    obj, created, at = lead("ollivanders", "Ollivanders Wands", industry="retail", hours_ago=24 * 6)
    if created:
        accept(to_northwind(obj, at), at)
        services.lead_status_update(tenant=tenant, lead=obj, partner=northwind, user=paula, status="lost",
                                    reason="The customer chose to stay with their current supplier.")
    obj, created, at = lead("gringotts", "Gringotts Bank", industry="financial", hours_ago=30)
    if created:
        services.lead_decline(tenant=tenant, lead=to_northwind(obj, at), partner=northwind, user=paula,
                              reason="We do not serve banking customers.", now=at + timedelta(hours=1))
    # Offered ten days ago and never answered: the sweep expired it and offered it to the next partner.
    obj, created, at = lead("monsters", "Monsters Incorporated", domain="monstersinc.com", industry="energy",
                            hours_ago=24 * 10)
    if created:
        to_northwind(obj, at, reason="Northwind asked for energy leads.")
        services.lead_sweep(tenant=tenant, now=now)
