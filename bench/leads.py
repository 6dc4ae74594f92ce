"""Benchmark: routing 10,000 imported leads in one tenant with 10,000 partners (PostgreSQL).

    DATABASE_URL=postgres://… python -m bench.leads [--partners 10000] [--leads 10000] [--rebuild] [--drop] [--no-write]

Builds a tenant (slug `bench-leads`) with partners in 40 countries and four regions, three tiers,
three partner types, declared capacities for most of them and a year of decided offers (so the
win-rate weights and the prior have data), five routing rules of every strategy, and the leads to
route (1 % without a country). Then times `leads.services.leads_route` — the function an import
calls — over all of them in one call: total time, queries, peak memory growth of the process, and
the outcome. Target: < 30 s with memory bounded (the partner pool is a few arrays per partner; the
leads are routed and written 1,000 at a time). Before each run the leads are reset to unassigned
(set-based), so a run can be repeated on the same data; --rebuild builds it again, --drop removes it.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import timedelta

from bench.support import machine_description, setup_django, write_benchmarks

BENCH_SLUG = "bench-leads"
COUNTRIES = {
    "NA": ["US", "US", "US", "CA", "CA"], "LATAM": ["BR", "MX", "AR", "CL", "CO"],
    "EMEA": ["DE", "DE", "GB", "GB", "FR", "FR", "NL", "ES", "IT", "SE", "PL", "AT", "CH", "BE", "DK", "IE", "LU",
             "ZA", "AE"],
    "APAC": ["JP", "AU", "SG", "IN", "KR", "NZ", "HK", "MY", "TH", "ID", "PH"],
}
SPECIALTIES = ["cloud", "security", "networking", "analytics", "managed services", "integration"]
INDUSTRIES = ["financial", "healthcare", "manufacturing", "retail", "technology", "government", "energy"]


def _country(rng: random.Random) -> tuple[str, str]:
    region = rng.choices(list(COUNTRIES), weights=[35, 10, 35, 20])[0]
    return rng.choice(COUNTRIES[region]), region


def build(partners: int, leads: int, rebuild: bool):
    from django.db import transaction

    from deals.models import Product
    from leads.models import Lead, LeadAssignment, LeadRule, PartnerLeadProfile
    from partners.models import Partner, PartnerType, Tier
    from prm.tenancy.models import Tenant
    from prm.tenancy.scoping import tenant_scope

    tenant = Tenant.objects.filter(slug=BENCH_SLUG).first()
    if tenant is not None and rebuild:
        drop(tenant)
        tenant = None
    if tenant is None:
        tenant = Tenant.objects.create(slug=BENCH_SLUG, name="Lead routing benchmark", is_active=False)
    with tenant_scope(tenant):
        have = (Partner.objects.filter(tenant=tenant).count(),
                Lead.objects.filter(tenant=tenant, source="import").count())
        if have == (partners, leads):
            print(f"Reusing {partners:,} partners and {leads:,} leads in tenant {BENCH_SLUG}.")
            return tenant
        if any(have):
            drop(tenant)
            tenant = Tenant.objects.create(slug=BENCH_SLUG, name="Lead routing benchmark", is_active=False)
    started = time.perf_counter()
    rng = random.Random(42)
    now = _now()
    with tenant_scope(tenant), transaction.atomic():
        types = [PartnerType.objects.create(tenant=tenant, code=code, name=code.title(), transacts=code != "referral")
                 for code in ("reseller", "msp", "referral")]
        tiers = [Tier.objects.create(tenant=tenant, rank=rank, name=f"Tier {rank}") for rank in (1, 2, 3)]
        products = [Product.objects.create(tenant=tenant, code=code, name=code.title())
                    for code in ("cloud", "security", "analytics")]
        rows = []
        for i in range(partners):
            country, region = _country(rng)
            extra = rng.sample(list(COUNTRIES), k=rng.choice([0, 0, 1]))
            rows.append(Partner(
                tenant=tenant, name=f"Bench Partner {i:05d}", domain=f"bench-partner-{i}.example", country=country,
                regions=sorted({region, *extra}), specialties=rng.sample(SPECIALTIES, k=rng.randint(1, 3)),
                partner_type=rng.choices(types, weights=[70, 20, 10])[0], tier=rng.choices(tiers, weights=[60, 30, 10])[0],
                status="active" if rng.random() < 0.92 else "suspended"))
        Partner.objects.bulk_create(rows, batch_size=2000)
        PartnerLeadProfile.objects.bulk_create([
            PartnerLeadProfile(tenant=tenant, partner=p, max_open_leads=rng.randint(0, 6))
            for p in rows if rng.random() < 0.7], batch_size=2000)
        # A year of decided offers for a third of the partners: each partner its own true win rate.
        history, offers = [], []
        for p in rng.sample(rows, k=partners // 3):
            rate = rng.betavariate(2, 6)
            for _ in range(rng.randint(1, 8)):
                at = now - timedelta(days=rng.randint(40, 360))
                won = rng.random() < rate
                lead = Lead(tenant=tenant, company_name="History", company_name_normalised="history", country=p.country,
                            currency="USD", partner=p, status="converted" if won else "lost", source="other",
                            created_at=at, accepted_at=at, deal_outcome="won" if won else "", won_at=at if won else None)
                history.append(lead)
                offers.append(LeadAssignment(tenant=tenant, lead=lead, seq=1, partner=p, reason="performance",
                                             created_at=at, accept_by=at + timedelta(days=2), outcome="accepted",
                                             decided_at=at + timedelta(hours=3)))
        Lead.objects.bulk_create(history, batch_size=2000)
        LeadAssignment.objects.bulk_create(offers, batch_size=2000)
        luxembourg = next(p for p in rows if p.country == "LU" and p.status == "active")
        LeadRule.objects.bulk_create([
            LeadRule(tenant=tenant, name="Luxembourg: named", position=1, countries=["LU"], strategy="named",
                     partner=luxembourg),
            LeadRule(tenant=tenant, name="EMEA security", position=2, regions=["EMEA"], product=products[1],
                     min_tier=tiers[1], strategy="performance"),
            LeadRule(tenant=tenant, name="North America", position=3, regions=["NA"], strategy="round_robin"),
            LeadRule(tenant=tenant, name="APAC cloud specialists", position=4, regions=["APAC"], specialty="cloud",
                     strategy="performance"),
            LeadRule(tenant=tenant, name="Everything else", position=9, strategy="performance"),
        ])
        to_route = []
        for i in range(leads):
            country, region = _country(rng) if rng.random() > 0.01 else ("", "")
            name = f"Prospect {i:05d} {rng.choice(INDUSTRIES)}"
            to_route.append(Lead(
                tenant=tenant, company_name=name, company_name_normalised=name.lower(), website=f"https://p{i}.example",
                domain=f"p{i}.example", country=country, region=region, industry=rng.choice(INDUSTRIES),
                product=rng.choice(products), currency="USD", source="import", source_ref=f"bench-{i}", created_at=now))
        Lead.objects.bulk_create(to_route, batch_size=2000)
    print(f"Built {partners:,} partners, {len(history):,} past offers and {leads:,} leads in "
          f"{time.perf_counter() - started:.1f} s.")
    return tenant


def _now():
    from django.utils import timezone

    return timezone.now()


def reset(tenant) -> None:
    """Every benchmark lead back to unassigned, its offers and the ledger gone (set-based)."""
    from django.db import connection

    from leads.models import Lead, LeadAssignment, LeadShare

    lead, offer, share = (m._meta.db_table for m in (Lead, LeadAssignment, LeadShare))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {offer} a USING {lead} l WHERE a.lead_id = l.id AND a.tenant_id = %s "
                       f"AND l.source = 'import'", [tenant.pk])
        cursor.execute(f"UPDATE {lead} SET status = 'unassigned', partner_id = NULL, offered_at = NULL, "
                       f"accept_by = NULL, escalated_at = NULL WHERE tenant_id = %s AND source = 'import'", [tenant.pk])
        cursor.execute(f"DELETE FROM {share} WHERE tenant_id = %s", [tenant.pk])
        cursor.execute(f"VACUUM ANALYZE {lead}")
        cursor.execute(f"VACUUM ANALYZE {offer}")


def drop(tenant) -> None:
    from django.db import connection

    from deals.models import Product
    from leads.models import Lead, LeadAssignment, LeadRule, LeadShare, PartnerLeadProfile
    from partners.models import Partner, PartnerType, Tier
    from prm.audit.models import AuditEntry
    from prm.notifications.models import EmailOutbox, Notification

    with connection.cursor() as cursor:
        for model in (LeadAssignment, LeadShare, Lead, LeadRule, PartnerLeadProfile, AuditEntry, Notification,
                      EmailOutbox, Partner, PartnerType, Tier, Product):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE tenant_id = %s", [tenant.pk])
    tenant.delete()


def measure(tenant) -> dict:
    from django.db import connection
    from django.db.models import Count

    from leads.models import Lead
    from leads.routing.pool import PartnerPool, RoutingConfig
    from leads.services import leads_route

    leads = list(Lead.objects.filter(tenant=tenant, source="import").only("pk").order_by("pk"))
    started = time.perf_counter()
    PartnerPool(tenant, now=_now(), config=RoutingConfig.for_tenant(tenant))
    pool_s = time.perf_counter() - started
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = leads_route(tenant=tenant, leads=leads, keep_decisions=False)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    statuses = dict(Lead.objects.filter(tenant=tenant, source="import").values_list("status").annotate(n=Count("pk")))
    return {"seconds": seconds, "pool_seconds": pool_s, "queries": len(queries), "assigned": result.assigned,
            "unassigned": result.unassigned, "rss_growth_mb": (rss_after - rss_before) / 1024, "statuses": statuses,
            "leads": len(leads)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data even if it exists")
    parser.add_argument("--drop", action="store_true", help="delete the benchmark tenant and exit")
    parser.add_argument("--no-write", action="store_true", help="print only; do not update BENCHMARKS.md")
    args, _others = parser.parse_known_args(argv)  # `make bench` passes every benchmark the same arguments
    setup_django()
    from django.db import connection

    from prm.tenancy.models import Tenant
    from prm.tenancy.scoping import tenant_scope

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL (set DATABASE_URL=postgres://…).", file=sys.stderr)
        return 2
    if args.drop:
        tenant = Tenant.objects.filter(slug=BENCH_SLUG).first()
        if tenant is not None:
            drop(tenant)
        print("Benchmark tenant removed.")
        return 0
    tenant = build(args.partners, args.leads, args.rebuild)
    with tenant_scope(tenant):
        reset(tenant)
        result = measure(tenant)
    met = result["seconds"] < 30
    report = (f"Routing {result['leads']:,} leads among {args.partners:,} partners: {result['seconds']:.1f} s "
              f"({result['queries']} queries; partner pool loaded in {result['pool_seconds']:.2f} s; peak memory "
              f"of the process grew {result['rss_growth_mb']:.0f} MB); {result['assigned']:,} offered, "
              f"{result['unassigned']:,} unassigned with their reason; statuses {result['statuses']}")
    print(report)
    print(f"Target < 30 s: {'met' if met else 'NOT met'}")
    if not args.no_write:
        write_benchmarks(section(args, result, met), marker="leads")
    return 0 if met else 1


def section(args, result: dict, met: bool) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return (
        "### Leads: routing an import of 10,000 leads (`python -m bench.leads`)\n\n"
        f"Machine: {machine_description()}; PostgreSQL {version}. Data: one tenant with {args.partners:,} partners "
        "(40 countries, 4 regions, 3 tiers, 3 types; 70 % with a declared capacity of 0–6 open leads, the rest the "
        "default 10), a year of decided offers for a third of them, five rules (named, round robin, "
        f"performance-weighted with tier, product and specialty conditions, a catch-all) and {result['leads']:,} "
        "leads, 1 % of them without a country.\n\n"
        "| Measurement | Result | Target |\n|---|---:|---|\n"
        f"| `leads_route` over all the leads in one call (set-based: the partner pool in 8 queries, then per "
        f"1,000 leads a lock, an exclusion lookup, the deals conflict check, a bulk insert and a bulk update) | "
        f"{result['seconds']:.1f} s | < 30 s {'✔' if met else '✘'} |\n"
        f"| Queries for the whole routing | {result['queries']} | about 10 per 1,000 leads, none per lead |\n"
        f"| Peak memory growth of the process | {result['rss_growth_mb']:.0f} MB | bounded |\n"
        f"| Partner pool (eligibility, capacity, open leads, win rates, fairness ledger, last offers) | "
        f"{result['pool_seconds']:.2f} s | — |\n\n"
        f"Outcome: {result['assigned']:,} offered, {result['unassigned']:,} unassigned (every one with its reason: "
        "capacity reached, no partner in the territory, no country).\n\n"
    )


if __name__ == "__main__":
    sys.exit(main())
