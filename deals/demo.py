"""Demo deals: a catalogue, exchange rates, house accounts, and registrations in every state,
including real conflicts (same domain, similar names, a house account) in both demo tenants.
Idempotent: each registration has a deterministic nonce, and its whole story is only played once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from deals import services
from deals.models import CurrencyRate, DealExtension, DealPartner, DealRegistration, HouseAccount, Product
from prm.tenancy.demo import DemoContext

PRODUCTS = [("cloud-platform", "Cloud Platform"), ("security-suite", "Security Suite"),
            ("analytics", "Analytics Add-on"), ("support-premium", "Premium Support")]
RATES = {"USD": {"EUR": "1.08", "GBP": "1.27", "CHF": "1.12"}, "EUR": {"USD": "0.93", "GBP": "1.17", "CHF": "1.04"}}
HOUSE = [("Globodyne", "globodyne.com", "Strategic account, sold direct"),
         ("Massive Dynamic", "massivedynamic.com", "Global enterprise agreement"),
         ("Oscorp Industries", "oscorp.com", "")]
NAMESPACE = uuid.UUID("6f1c1d4e-5b0a-4c55-9d2c-3f1f7a9e0d11")


def _nonce(ctx: DemoContext, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{ctx.tenant.slug}:{key}")


def seed(ctx: DemoContext) -> None:
    tenant = ctx.tenant
    products = {}
    for code, name in PRODUCTS:
        products[code], _ = Product.objects.get_or_create(tenant=tenant, code=code, defaults={"name": name})
    for currency, rate in RATES.get(tenant.base_currency, {}).items():
        CurrencyRate.objects.get_or_create(tenant=tenant, currency=currency,
                                           valid_from=timezone.localdate().replace(month=1, day=1),
                                           defaults={"rate": Decimal(rate)})
    for name, domain, note in HOUSE:
        if not HouseAccount.objects.filter(tenant=tenant, domain=domain).exists():
            HouseAccount.objects.create(tenant=tenant, name=name, domain=domain, note=note)

    partners = ctx.extra["partners"]
    northwind, contoso, fabrikam, tailspin, wideworld, blueyonder = (partners[i] for i in range(6))
    manager = ctx.users["manager"]
    paula, ray = ctx.users["partner"], ctx.users.get("rep")
    now = timezone.now()
    today = timezone.localdate()
    other = "EUR" if tenant.base_currency == "USD" else "USD"

    def register(key, partner, user, name, *, website="", email="", amount="25000", currency=None, days_ago=0,
                 product_codes=("cloud-platform",), kind="deal", close_in=60, notes=""):
        at = now - timedelta(days=days_ago)
        deal, created = services.deal_register(
            tenant=tenant, partner=partner, user=user, kind=kind, nonce=_nonce(ctx, key), now=at, enforce_gate=False,
            data={"customer_name": name, "website": website, "contact_name": "Jordan Buyer",
                  "contact_email": email or (f"jordan@{website.split('//')[-1].removeprefix('www.')}" if website else ""),
                  "contact_title": "Head of IT", "country": partner.country, "amount": Decimal(amount) if amount else None,
                  "currency": currency or tenant.base_currency, "products": [products[c] for c in product_codes],
                  "expected_close_date": timezone.localdate(at) + timedelta(days=close_in),
                  "stage": "qualified", "notes": notes},
        )
        return deal, created, at

    # 1. A real conflict: same customer by name and by domain, two partners, oldest first.
    register("initech-northwind", northwind, ray, "Initech, Inc.", website="https://www.initech.com",
             amount="48000", days_ago=5, product_codes=("cloud-platform", "support-premium"))
    register("initech-tailspin", tailspin, None, "INITECH Corporation", email="sales@initech.com",
             amount="51000", days_ago=1, product_codes=("cloud-platform",))
    # 2. Protected (ending within 14 days) with a pending extension, and a later look-alike.
    umbrella, created, at = register("umbrella-northwind", northwind, paula, "Umbrella Corp",
                                     website="https://umbrella.co.uk", amount="120000", currency=other, days_ago=82,
                                     product_codes=("security-suite",), close_in=100)
    if created:
        umbrella = services.deal_approve(tenant=tenant, deal=umbrella, actor=manager, now=at + timedelta(hours=4))
        services.extension_request(tenant=tenant, deal=umbrella, user=paula, days=45,
                                   reason="Customer's procurement board meets next quarter.")
    register("umbrella-fabrikam", fabrikam, None, "Umbrella Corporation Ltd", website="https://shop.umbrella.co.uk",
             amount="90000", days_ago=2, product_codes=("security-suite",))
    # 3. Won, with an influencing partner credited for attribution.
    hooli, created, at = register("hooli-northwind", northwind, paula, "Hooli", website="https://hooli.com",
                                  amount="75000", days_ago=60, product_codes=("cloud-platform", "analytics"))
    if created:
        hooli = services.deal_approve(tenant=tenant, deal=hooli, actor=manager, now=at + timedelta(days=1))
        services.deal_partner_add(tenant=tenant, deal=hooli, partner=contoso, role=DealPartner.Role.INFLUENCED,
                                  actor=manager)
        services.deal_mark_won(tenant=tenant, deal=hooli, user=paula, amount=Decimal("82500"),
                               closed_on=today - timedelta(days=3))
    # 4. Lost.
    vandelay, created, at = register("vandelay-northwind", northwind, ray, "Vandelay Industries",
                                     website="https://vandelay.com", amount="30000", days_ago=40)
    if created:
        vandelay = services.deal_approve(tenant=tenant, deal=vandelay, actor=manager, now=at + timedelta(days=1))
        services.deal_mark_lost(tenant=tenant, deal=vandelay, user=ray, reason="Customer chose to build in-house.")
    # 5. Rejected, then appealed (waiting for a tenant admin).
    soylent, created, _at = register("soylent-northwind", northwind, paula, "Soylent", website="https://soylent.com",
                                     amount="15000", days_ago=20, product_codes=("analytics",))
    if created:
        services.deal_reject(tenant=tenant, deal=soylent, actor=manager,
                             reason="The customer told us they are not evaluating a new platform this year.")
        services.deal_appeal(tenant=tenant, deal=soylent, user=paula,
                             comment="Their new CTO started last month and asked us for a proposal.")
    # 6. Approved long ago and expired by the nightly job.
    wonka, created, at = register("wonka-fabrikam", fabrikam, None, "Wonka Industries", website="https://wonka.com",
                                  amount="22000", days_ago=120, close_in=150)
    if created:
        services.deal_approve(tenant=tenant, deal=wonka, actor=manager, now=at + timedelta(days=1))
        services.protection_nightly(tenant=tenant)
    # 7. Waiting for the partner's answer.
    stark, created, _at = register("stark-wideworld", wideworld, None, "Stark Industries", website="https://stark.com",
                                   amount="64000", days_ago=3, product_codes=("analytics", "cloud-platform"))
    if created:
        services.deal_request_info(tenant=tenant, deal=stark, actor=manager,
                                   message="Which business unit is buying, and who signs the contract?")
    # 8. Referrals from non-transacting partners: one accepted, one new.
    cyberdyne, created, at = register("cyberdyne-blueyonder", blueyonder, None, "Cyberdyne Systems",
                                      website="https://cyberdyne.com", amount="40000", kind="referral", days_ago=15,
                                      product_codes=())
    if created:
        services.deal_approve(tenant=tenant, deal=cyberdyne, actor=manager, now=at + timedelta(days=1))
    register("tyrell-contoso", contoso, None, "The Tyrell Corporation", website="https://tyrell.com", amount="",
             kind="referral", days_ago=0, product_codes=())
    # 9. A registration for a house account (flagged for the reviewer, never auto-approved).
    register("massive-tailspin", tailspin, None, "Massive Dynamic Inc", website="https://massivedynamic.com",
             amount="200000", days_ago=0, product_codes=("security-suite", "support-premium"))
    # 10. Fresh submissions without conflict, one in the other currency.
    register("acmeanalytics-northwind", northwind, ray, "Acme Analytics GmbH", website="https://acme-analytics.de",
             amount="18000", currency=other, days_ago=0, product_codes=("analytics",))
    register("aperture-northwind", northwind, paula, "Aperture Science", website="https://aperturescience.com",
             amount="56000", days_ago=1, product_codes=("cloud-platform",))
    ctx.extra["deals_pending_extension"] = DealExtension.objects.filter(tenant=tenant, status="pending").count()
    ctx.extra["deals"] = DealRegistration.objects.filter(tenant=tenant).count()
