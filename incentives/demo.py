"""Demo incentives in both demo tenants: SPIF programs with accruals in every state (pending,
approved, paid, reversed, rejected, capped) and payout batches; MDF funds (one in a second
currency), allocations by hand and from tier rules, and requests and claims in every state with
proof files and attributed deals.

Idempotent: programs and funds are found by name, extra deals and requests by deterministic
nonces, and each story is only played when its first object is created.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from deals import history
from deals import services as deal_services
from deals.models import DealRegistration, Product
from incentives import services
from incentives.models import (
    MdfAllocation,
    MdfClaim,
    MdfFund,
    MdfRequest,
    MdfTierRule,
    PayoutBatch,
    SpifAccrual,
    SpifProgram,
)
from prm.tenancy.demo import DemoContext

NAMESPACE = uuid.UUID("0b7f3c52-9d8e-4a61-b2f4-5c6d7e8f9a10")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _nonce(ctx: DemoContext, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{ctx.tenant.slug}:incentives:{key}")


def seed(ctx: DemoContext) -> None:
    tenant = ctx.tenant
    partners = ctx.extra["partners"]
    northwind, fabrikam, wideworld = partners[0], partners[2], partners[4]
    tiers, types = ctx.extra["tiers"], ctx.extra["partner_types"]
    products = {p.code: p for p in Product.objects.filter(tenant=tenant)}
    admin, manager = ctx.users["admin"], ctx.users["manager"]
    paula = ctx.users["partner"]
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    other = "EUR" if tenant.base_currency != "EUR" else "USD"

    # --- SPIF programs ------------------------------------------------------------------------
    def program(name, **fields):
        existing = SpifProgram.objects.filter(tenant=tenant, name=name).first()
        if existing is not None:
            return existing
        links = {k: fields.pop(k, None) for k in ("tiers", "partner_types", "products", "bands")}
        return services.program_save(tenant=tenant, program=SpifProgram(name=name, **fields), actor=admin, **links)

    cloud = program("Cloud Platform push", description="Every won deal with Cloud Platform earns a flat bonus.",
                    start_date=year_start, end_date=year_start.replace(month=12, day=31), rule="flat",
                    flat_amount=Decimal("500"), cap_per_partner=Decimal("5000"), budget=Decimal("50000"),
                    products=[products["cloud-platform"]])
    program("Gold and Platinum accelerator", description="3% of every won deal for our top tiers.",
            start_date=today - timedelta(days=120), end_date=today + timedelta(days=60), rule="percent",
            percent=Decimal("3"), budget=Decimal("100000"), tiers=[tiers[3], tiers[4]])
    program("Big deal bands", description="The bigger the deal, the bigger the bonus.",
            start_date=today - timedelta(days=90), end_date=today + timedelta(days=90), rule="bands",
            budget=Decimal("2000"), partner_types=[types["reseller"], types["msp"]],
            bands=[(Decimal("0"), Decimal("100"), Decimal("0")), (Decimal("50000"), Decimal("250"), Decimal("1")),
                   (Decimal("150000"), Decimal("0"), Decimal("2.5"))])
    program("Next quarter MSP launch", description="Announced: starts next month.",
            start_date=today + timedelta(days=30), end_date=today + timedelta(days=120), rule="flat",
            flat_amount=Decimal("750"), budget=Decimal("20000"), partner_types=[types["msp"]])

    # --- Won deals behind the accruals (through the deals services) -----------------------------
    def won_deal(key, partner, name, domain, amount, days_ago, codes, currency=None):
        deal, created = deal_services.deal_register(
            tenant=tenant, partner=partner, user=None, kind="deal", nonce=_nonce(ctx, key), enforce_gate=False,
            now=timezone.now() - timedelta(days=days_ago + 20),
            data={"customer_name": name, "website": f"https://www.{domain}", "contact_name": "Sam Buyer",
                  "contact_email": f"sam@{domain}", "contact_title": "CIO", "country": partner.country,
                  "amount": Decimal(amount), "currency": currency or tenant.base_currency,
                  "products": [products[c] for c in codes], "expected_close_date": today + timedelta(days=30),
                  "stage": "commit", "notes": ""})
        if created:
            deal = deal_services.deal_approve(tenant=tenant, deal=deal, actor=manager)
            deal = deal_services.deal_mark_won(tenant=tenant, deal=deal, user=manager, amount=Decimal(amount),
                                               closed_on=today - timedelta(days=days_ago), staff=True)
        return deal, created

    won_deal("globex-northwind", northwind, "Gringotts Bank", "gringotts-bank.com", "64000", 20,
             ("cloud-platform", "security-suite"))
    won_deal("contoso-fabrikam", fabrikam, "Vehement Capital Partners", "vehement-capital.com", "180000", 10,
             ("security-suite",))
    duff, _c = won_deal("duff-wideworld", wideworld, "Duff Beverages", "duff-beverages.com", "22000", 5,
                        ("cloud-platform",))
    lacuna, lacuna_new = won_deal("lacuna-northwind", northwind, "Lacuna Inc", "lacuna-inc.com", "12000", 2,
                                  ("cloud-platform",))
    services.spif_reevaluate(tenant=tenant)

    # A won deal corrected to lost (order cancelled after signature): its accruals are reversed.
    if lacuna_new:
        with transaction.atomic():
            deal = DealRegistration.objects.select_for_update().get(pk=lacuna.pk)
            deal.status, deal.lost_reason = DealRegistration.Status.LOST, "Order cancelled after signature."
            deal.save(update_fields=["status", "lost_reason", "updated_at"])
            history.record(deal, action="lost", actor=manager, from_status="won", to_status="lost",
                           reason=deal.lost_reason)
        services.spif_deal_changed(tenant=tenant, deal=deal, actor=manager)

    # Payout batches: one paid, one approved and awaiting payment; one accrual rejected.
    if not PayoutBatch.objects.filter(tenant=tenant).exists():
        pending = list(SpifAccrual.objects.filter(tenant=tenant, status="accrued").select_related("deal")
                       .order_by("deal__closed_on", "pk"))
        oldest = [a.pk for a in pending if a.deal.closed_on <= today - timedelta(days=15)]
        if oldest:
            paid = services.payout_batch_create(tenant=tenant, accrual_ids=oldest, actor=manager,
                                                note="Monthly SPIF run")
            services.payout_batch_mark_paid(tenant=tenant, batch=paid, actor=manager,
                                            payment_reference=f"TRF-{today:%Y%m}-001")
        recent = [a.pk for a in pending if a.pk not in oldest and a.deal_id != duff.pk]
        if recent:
            services.payout_batch_create(tenant=tenant, accrual_ids=recent, actor=manager, note="Mid-month run")
        for accrual in SpifAccrual.objects.filter(tenant=tenant, deal=duff, program=cloud, status="accrued"):
            services.spif_reverse(tenant=tenant, accrual=accrual, actor=manager, reject=True,
                                  reason="Deal registered after the customer had already signed with us.")

    # --- MDF funds and allocations -----------------------------------------------------------
    def fund(name, **fields):
        existing = MdfFund.objects.filter(tenant=tenant, name=name).first()
        if existing is not None:
            return existing, False
        return services.fund_save(tenant=tenant, fund=MdfFund(name=name, **fields), actor=admin), True

    main, main_new = fund("Co-marketing fund", description="Co-fund events, webinars and campaigns with us.",
                          start_date=today - timedelta(days=90), end_date=today + timedelta(days=90),
                          currency=tenant.base_currency, budget=Decimal("120000"), coop_rate=Decimal("50"),
                          claim_deadline_days=60)
    if main_new:
        services.fund_rules_save(tenant=tenant, fund=main, amounts={tiers[3]: Decimal("10000"),
                                                                    tiers[4]: Decimal("25000")}, actor=admin)
        services.allocations_generate(tenant=tenant, fund=main, actor=manager)
    events, events_new = fund("Regional events", description="Trade fairs and roadshows.",
                              start_date=today - timedelta(days=30), end_date=today + timedelta(days=150),
                              currency=other, budget=Decimal("40000"), coop_rate=Decimal("75"),
                              claim_deadline_days=45)
    if events_new:
        # In the portal's base currency, converted at today's rate, which the allocation keeps for good.
        services.allocation_create(tenant=tenant, fund=events, partner=northwind, amount=Decimal("8000"),
                                   currency=tenant.base_currency, actor=manager, note="Roadshow season")
    allocation = MdfAllocation.objects.get(tenant=tenant, fund=main, partner=northwind)
    events_allocation = MdfAllocation.objects.get(tenant=tenant, fund=events, partner=northwind)

    # --- MDF requests in every state -------------------------------------------------------------
    def request(key, alloc, kind, title, start, days, amount, leads, user=paula):
        start_date = today + timedelta(days=start)
        r, created = services.mdf_request_submit(
            tenant=tenant, partner=alloc.partner, user=user, nonce=_nonce(ctx, key), today=min(start_date, today),
            data={"allocation": alloc, "activity_type": kind, "title": title, "start_date": start_date,
                  "end_date": start_date + timedelta(days=days), "requested_amount": Decimal(amount),
                  "expected_leads": leads,
                  "description": f"{title}: joint activity with {tenant.name}, targeting IT decision makers."})
        return r, created

    def approve(r, amount=None, note=""):
        return services.mdf_request_decide(tenant=tenant, mdf_request=r, actor=manager, approve=True, amount=amount,
                                           note=note)

    def claim(r, cost, leads, results):
        files = [ContentFile(PDF, name="invoice.pdf"),
                 ContentFile(b"name,company,email\nAda Lovelace,Analytical Ltd,ada@analytical.example\n"
                             b"Alan Turing,Bletchley Co,alan@bletchley.example\n", name="attendees.csv")]
        return services.mdf_claim_submit(tenant=tenant, mdf_request=r, user=paula, actual_cost=Decimal(cost),
                                         leads_generated=leads, results=results, files=files)

    request("booth", allocation, "event", "Cloud summit booth", 20, 2, "6000", 80)  # awaiting pre-approval
    r, new = request("webinar", allocation, "webinar", "Security webinar series", 10, 30, "3000", 40)
    if new:
        approve(r, Decimal("2500"), "Approved at 2,500: the third session overlaps with our own webinar.")
    r, new = request("newsletter", allocation, "digital_campaign", "Retail newsletter", 15, 10, "1500", 15)
    if new:
        services.mdf_request_decide(tenant=tenant, mdf_request=r, actor=manager, approve=False,
                                    note="Newsletters are not eligible for MDF this period.")
    r, new = request("fair", allocation, "event", "Trade fair stand", 40, 3, "4000", 120)
    if new:
        r = approve(r)
        services.mdf_request_cancel(tenant=tenant, mdf_request=r, actor=paula)
    r, new = request("roadshow", events_allocation, "event", "Partner roadshow", -12, 7, "4000", 60)
    if new:
        r = approve(r)
        claim(r, "7200", 64, "Four cities, 210 attendees, 64 qualified leads.")
    r, new = request("leadgen", allocation, "digital_campaign", "Lead-generation campaign", -40, 14, "5000", 100)
    if new:
        r = approve(r)
        services.mdf_request_link_deal(tenant=tenant, mdf_request=r, deal=lacuna, actor=paula)
        c = claim(r, "8000", 112, "LinkedIn and search ads: 112 leads, 9 opportunities.")
        services.mdf_claim_decide(tenant=tenant, claim=c, actor=manager, approve=True, note="Great results.")
    r, new = request("syndication", allocation, "content_syndication", "Whitepaper syndication", -60, 20, "3000", 50)
    if new:
        r = approve(r)
        hooli = DealRegistration.objects.filter(tenant=tenant, partner=northwind, customer_name="Hooli").first()
        for deal in (hooli, DealRegistration.objects.filter(tenant=tenant, pk__in=SpifAccrual.objects.filter(
                tenant=tenant, partner=northwind).values("deal_id")).exclude(pk=lacuna.pk).first()):
            if deal is not None:
                services.mdf_request_link_deal(tenant=tenant, mdf_request=r, deal=deal, actor=manager)
        c = claim(r, "4000", 58, "Syndicated to three publishers: 58 downloads with consent.")
        c = services.mdf_claim_decide(tenant=tenant, claim=c, actor=manager, approve=True)
        services.mdf_claim_reimburse(tenant=tenant, claim=c, actor=manager, payment_reference="CN-2041")
    r, new = request("meetup", allocation, "event", "Developer meetup", -25, 1, "1200", 30)
    if new:
        r = approve(r)
        c = claim(r, "900", 4, "Low turnout because of the storm.")
        services.mdf_claim_decide(tenant=tenant, claim=c, actor=manager, approve=False,
                                  note="The invoice is for a different event; please talk to us.")
    r, new = request("winter", allocation, "webinar", "Winter webinar", -85, 3, "800", 10)
    if new:
        r = approve(r)
        services.mdf_deadlines(tenant=tenant)  # its claim deadline has passed: the reserve is released
    fabrikam_allocation = MdfAllocation.objects.filter(tenant=tenant, fund=main, partner=fabrikam).first()
    if fabrikam_allocation is not None:
        r, new = request("fabrikam-event", fabrikam_allocation, "event", "MSP customer day", 25, 1, "7000", 45,
                         user=None)
        if new:
            r = approve(r)
    ctx.extra["mdf_requests"] = MdfRequest.objects.filter(tenant=tenant).count()
    ctx.extra["mdf_claims"] = MdfClaim.objects.filter(tenant=tenant).count()
    ctx.extra["spif_accruals"] = SpifAccrual.objects.filter(tenant=tenant).count()
    ctx.extra["mdf_tier_rules"] = MdfTierRule.objects.filter(tenant=tenant).count()
