"""Load benchmark: real sign-ins, gunicorn on loopback, 20 concurrent users.

    python -m bench.load --tenant bench        (DATABASE_URL must point at PostgreSQL)

For each page it measures p50/p95/p99 latency of 20 users who read between pages (locust,
headless), then the throughput of 20 connections sending back to back (wrk), and the same for a
trivial view on the same stack (the tenant theme stylesheet: tenant resolution, session and
middleware, no page logic), printing each page's throughput as a ratio to that ceiling. The
query count of each page is measured in-process. Results go to BENCHMARKS.md (between the
load markers) with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from bench.support import ROOT, machine_description, setup_django, write_benchmarks

PASSWORD = "prm-bench-2026"
BASE_DOMAIN = "bench.test"
THREADS = 4  # per gunicorn worker
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local out = string.format('{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f}',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000)
  io.stderr:write("WRK_JSON " .. out .. "\\n")
end
"""
# Real users read a page before asking for the next: each waits 0.5–1.5 s between requests. They
# arrive over RAMP_SECONDS and the statistics restart once all are in, so the percentiles describe
# the steady state. wrk's delay hook measured the tool, not the portal: a hello-world WSGI app on
# the same gunicorn had a p99 of 273 ms with it (2 threads, 20 connections) against 5 ms with one
# connection per wrk thread and 3–11 ms with a plain Python client; and wrk opens all 20
# connections at the same instant, which gthread workers accept unevenly (12 of 20 kept by one
# worker, measured), so one process served most users on one core.
RAMP_SECONDS = 5
LOCUSTFILE = """
from locust import HttpUser, between, task


class Reader(HttpUser):
    wait_time = between(0.5, 1.5)

    @task
    def page(self):
        self.client.get({path!r}, headers={headers!r})
"""
# (label, role, URL name, query string, target p95 ms)
PAGES = [
    ("trivial view (ceiling)", "partner", "tenant_theme", "", None),
    ("partner home", "partner", "portal_home", "", 150),
    ("content library", "partner", "content:library", "", 150),
    ("content search", "partner", "content:library", "?q=guide", 150),
    ("deal list", "partner", "deals:list", "", 150),
    ("deal registration form", "partner", "deals:register", "", 150),
    ("incentive statement", "partner", "incentives:home", "", 150),
    ("review queue", "manager", "deals:queue", "", None),  # a staff page: the targets name partner pages
    ("executive dashboard", "executive", "analytics:dashboard", "", 300),
]


@dataclass
class Result:
    """One page: latency of 20 users with think time (the targets), and saturation throughput
    (20 connections back to back, no think time) for the ratio to the trivial view."""

    label: str
    path: str
    role: str
    rps: float  # saturated
    p50: float  # users with think time
    p95: float
    p99: float
    requests: int
    errors: int
    queries: int | None
    target: int | None
    saturated_p95: float = 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _enrich(tenant, assets: int = 2000) -> None:
    """Give the synthetic tenant what the pages show besides deals: a content library of
    `assets` items, courses, incentive programs and MDF (the apps' own demo seeders, then cloned
    library rows). Idempotent."""
    import uuid
    from unittest import mock

    from django.db import transaction

    from content import demo as content_demo
    from content.models import Asset, AssetVersion
    from deals import demo as deals_demo
    from deals.models import DealRegistration
    from incentives import demo as incentives_demo
    from incentives import services as incentives
    from incentives.models import MdfTierRule
    from partners.models import Partner, PartnerType, Tier
    from prm.tenancy.demo import STAFF, DemoContext, demo_member
    from prm.tenancy.scoping import tenant_scope

    with tenant_scope(tenant), transaction.atomic():
        if Asset.objects.count() >= assets:
            return
        ctx = DemoContext(tenant=tenant)
        for local, role, name in STAFF:
            demo_member(ctx, local, role, name)
        # The demos' named partners: active ones in MDF-eligible tiers (the incentives demo allocates MDF).
        ctx.extra["partners"] = list(Partner.objects.filter(status="active", tier__mdf_eligible=True)
                                     .order_by("name")[:12])
        ctx.extra["tiers"] = {t.rank: t for t in Tier.objects.all()}
        ctx.extra["partner_types"] = {t.code: t for t in PartnerType.objects.all()}
        demo_member(ctx, "partner", "partner_admin", "Paula Partner", partner=ctx.extra["partners"][0])
        demo_member(ctx, "rep", "partner_user", "Ray Rep", partner=ctx.extra["partners"][0])
        content_demo.seed(ctx)
        deals_demo.seed(ctx)
        # The incentives demo allocates MDF to every eligible partner by tier rule and re-evaluates
        # every won deal for SPIF accruals: on a 100,000-partner tenant the first exceeds the demo
        # budget and the second, deal by deal, takes far longer than the benchmark. Here the rules
        # allocate to the demo's partners only, and only the busiest partner's deals accrue (below).

        def allocate_to_demo_partners(*, tenant, fund, actor, request=None):
            rules = {r.tier_id: r.amount for r in MdfTierRule.objects.filter(fund=fund)}
            return [incentives.allocation_create(tenant=tenant, fund=fund, partner=p, amount=rules[p.tier_id],
                                                 currency=fund.currency, actor=actor)
                    for p in ctx.extra["partners"] if p.tier_id in rules]

        with mock.patch.object(incentives, "allocations_generate", allocate_to_demo_partners), \
                mock.patch.object(incentives, "spif_reevaluate", lambda **kwargs: {"accrued": 0, "reversed": 0}):
            incentives_demo.seed(ctx)
        # Accrue the busiest partner's won deals, so its statement has real lines behind it.
        for deal in DealRegistration.objects.filter(partner=_busiest_partner(), status="won")[:500]:
            incentives.spif_deal_changed(tenant=tenant, deal=deal)
        originals = list(Asset.objects.select_related("current_version").filter(current_version__isnull=False))
        missing = assets - Asset.objects.count()
        clones, versions = [], []
        for i in range(missing):
            source = originals[i % len(originals)]
            clone_id, version_id = uuid.uuid4(), uuid.uuid4()
            clone = Asset(**{f.attname: getattr(source, f.attname) for f in Asset._meta.concrete_fields
                             if not f.primary_key})
            clone.id, clone.current_version_id = clone_id, version_id
            clone.title = f"{source.title} ({i + 1})"
            version = AssetVersion(**{f.attname: getattr(source.current_version, f.attname)
                                      for f in AssetVersion._meta.concrete_fields if not f.primary_key})
            version.id, version.asset_id = version_id, clone_id
            clones.append(clone)
            versions.append(version)
        Asset.objects.bulk_create(clones, batch_size=1000)
        AssetVersion.objects.bulk_create(versions, batch_size=1000)


def _maintain() -> None:
    """VACUUM ANALYZE what the set-up just changed, as autovacuum would in time: the demo seeders
    expire some 100,000 synthetic approved deals in one go and the library is cloned in bulk. Without
    it the planner believes the library is empty and index-only scans of the deal table visit the
    heap for every expired row: the benchmark would measure the build, not a maintained database."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("content_asset", "content_assetversion", "deals_dealregistration", "deals_dealhistory",
                      "incentives_spifaccrual", "incentives_journalline", "incentives_mdfallocation"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _busiest_partner():
    """The partner with the most deals (inside the tenant scope): the heaviest partner pages."""
    from django.db.models import Count

    from deals.models import DealRegistration
    from partners.models import Partner

    busiest = DealRegistration.objects.values("partner").annotate(n=Count("pk")).order_by("-n").first()
    return Partner.objects.get(pk=busiest["partner"]) if busiest else Partner.objects.filter(status="active").first()


def _bench_users(tenant) -> dict[str, object]:
    """A partner user (of the busiest partner), a channel manager and an executive."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from prm.tenancy.models import Membership
    from prm.tenancy.scoping import tenant_scope

    User = get_user_model()
    users = {}
    with tenant_scope(tenant):
        partner = _busiest_partner()
        for role, local, membership_role in (("partner", "bench-partner", "partner_admin"),
                                             ("manager", "bench-manager", "channel_manager"),
                                             ("executive", "bench-exec", "executive")):
            email = f"{local}@{tenant.slug}.bench"
            user, _ = User.objects.get_or_create(email=email, defaults={"full_name": local})
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            Membership.objects.update_or_create(
                tenant=tenant, user=user,
                defaults={"role": membership_role, "partner": partner if role == "partner" else None, "is_active": True},
            )
            users[role] = user
    return users


def _sign_in(port: int, host: str, email: str) -> str:
    """A real sign-in through allauth's form; returns the session cookie value."""
    import requests

    base = f"http://127.0.0.1:{port}"
    headers = {"Host": host, "X-Forwarded-Proto": "https", "Referer": f"https://{host}/accounts/login/"}
    # The cookies are Secure (production settings) and this hop is plain HTTP behind the
    # pretend proxy, so they are carried by hand.
    page = requests.get(f"{base}/accounts/login/", headers=headers, allow_redirects=False)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    response = requests.post(f"{base}/accounts/login/", headers={**headers, "Cookie": cookie}, allow_redirects=False,
                             data={"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD})
    if response.status_code != 302 or "sessionid" not in response.cookies:
        raise SystemExit(f"sign-in failed for {email}: HTTP {response.status_code}")
    return response.cookies["sessionid"]


def _query_count(tenant, user, path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=f"{tenant.slug}.{BASE_DOMAIN}", HTTP_X_FORWARDED_PROTO="https")
    from prm.tenancy.sessions import bind_session

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    bind_session(client.session, tenant)
    client.get(path)  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    if response.status_code != 200:  # a redirect or an error would make the page's figures meaningless
        raise SystemExit(f"{path} answered HTTP {response.status_code} in-process")
    return len(ctx.captured_queries)


def _percentile(histogram: dict[float, int], fraction: float) -> float:
    """The smallest response time (ms) at or below which `fraction` of the requests finished."""
    total, seen = sum(histogram.values()), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= fraction * total:
            return value
    return 0.0


def _locust(port: int, host: str, cookie: str, path: str, users: int, seconds: int) -> dict:
    """`users` readers on one page: latency percentiles of the steady state after the ramp-up."""
    headers = {"Host": host, "X-Forwarded-Proto": "https", "Cookie": f"sessionid={cookie}"}
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as locustfile:
        locustfile.write(LOCUSTFILE.format(path=path, headers=headers))
    cmd = [sys.executable, "-m", "locust", "-f", locustfile.name, "--headless", "--only-summary", "--json",
           "--host", f"http://127.0.0.1:{port}", "-u", str(users), "-r", str(max(1, users // RAMP_SECONDS)),
           "--run-time", f"{seconds + RAMP_SECONDS}s", "--reset-stats", "--loglevel", "WARNING"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    os.unlink(locustfile.name)
    try:
        stats = next(s for s in json.loads(done.stdout) if s["name"] == path)
    except (ValueError, StopIteration):
        raise SystemExit(f"locust gave no figures for {path}: {done.stderr[-2000:]}") from None
    # Locust keeps a histogram of response times (rounded to 2 significant digits above 100 ms).
    histogram = {float(ms): n for ms, n in stats["response_times"].items()}
    return {"requests": stats["num_requests"], "non2xx": stats["num_failures"], "socket_errors": 0,
            **{f"p{p}": _percentile(histogram, p / 100) for p in (50, 95, 99)}}


def _wrk(port: int, host: str, cookie: str, path: str, users: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    cmd = ["wrk", "-t", "2", "-c", str(users), "-d", f"{seconds}s", "--timeout", "10s", "-s", script.name,
           "-H", f"Host: {host}", "-H", "X-Forwarded-Proto: https", "-H", f"Cookie: sessionid={cookie}",
           f"http://127.0.0.1:{port}{path}"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    line = next(x for x in done.stderr.splitlines() if x.startswith("WRK_JSON "))
    return json.loads(line[len("WRK_JSON "):])


def run(tenant_slug: str, users: int, seconds: int, workers: int, only: list[str] | None = None,
        threads: int = THREADS) -> list[Result]:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.urls import reverse

    from prm.tenancy.models import Tenant

    if connection.vendor != "postgresql":
        raise SystemExit("The load benchmark runs against PostgreSQL: set DATABASE_URL=postgres://…")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    if importlib.util.find_spec("locust") is None:
        raise SystemExit("locust is missing: pip install -r requirements-bench.txt (make bench installs it)")
    tenant = Tenant.objects.get(slug=tenant_slug)
    _enrich(tenant)
    _maintain()
    bench_users = _bench_users(tenant)
    port = _free_port()
    host = f"{tenant.slug}.{BASE_DOMAIN}"
    env = {**os.environ, "DEBUG": "0", "PRM_BASE_DOMAIN": BASE_DOMAIN, "SECURE_SSL_REDIRECT": "0",
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 50), "LOG_LEVEL": "WARNING",
           "DB_CONN_MAX_AGE": "600"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        # gthread workers, as docker-compose runs it: a thread waits on a connection between a user's
        # requests, so an idle keep-alive connection never holds a whole worker.
        [sys.executable, "-m", "gunicorn", "prm.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--worker-class", "gthread", "--threads", str(threads), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        _wait_for(port)
        cookies = {role: _sign_in(port, host, user.email) for role, user in bench_users.items()}
        settings.PRM_BASE_DOMAIN = BASE_DOMAIN
        settings.SECURE_SSL_REDIRECT = False
        results = []
        for label, role, name, query, target in PAGES:
            if only and not label.startswith("trivial") and not any(o in label for o in only):
                continue
            path = reverse(name) + query
            _wrk(port, host, cookies[role], path, users, 2)  # warm-up
            users_stats = _locust(port, host, cookies[role], path, users, seconds)
            saturated = _wrk(port, host, cookies[role], path, users, seconds)
            rps = saturated["requests"] / (saturated["duration_us"] / 1e6)
            errors = sum(s["non2xx"] + s["socket_errors"] for s in (users_stats, saturated))
            queries = _query_count(tenant, bench_users[role], path)
            results.append(Result(label, path, role, rps, users_stats["p50"], users_stats["p95"], users_stats["p99"],
                                  users_stats["requests"] + saturated["requests"], errors, queries, target,
                                  saturated["p95"]))
            print(f"  {label:28} users: p50 {users_stats['p50']:6.1f} p95 {users_stats['p95']:6.1f} "
                  f"p99 {users_stats['p99']:6.1f} ms | saturated: {rps:6.1f} req/s p95 {saturated['p95']:7.1f} ms"
                  f" | errors {errors} queries {queries}", flush=True)
        return results
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def report(results: list[Result], tenant_slug: str, users: int, seconds: int, workers: int,
           threads: int = THREADS) -> str:
    ceiling = next((r.rps for r in results if r.label.startswith("trivial")), None)
    lines = [
        f"### Page latency under load (`python -m bench.load --tenant {tenant_slug}`)",
        "",
        f"Machine: {machine_description()}. gunicorn with {workers} gthread workers × {threads} threads on "
        f"loopback; every client signed in through the real sign-in form; {seconds} s per page and mode:",
        f"- **{users} users** (locust, headless): each waits 0.5–1.5 s between requests, as people reading pages "
        f"do. They arrive over {RAMP_SECONDS} s and the statistics restart once all are in (steady state); the "
        "latency targets apply here;",
        f"- **saturated** (wrk): {users} connections send back to back (no think time), which measures "
        "throughput; × ceiling is a page's throughput over the trivial view's on the same stack.",
        "",
        f"| Page | Role | {users} users p50 ms | p95 ms | p99 ms | target p95 | saturated req/s | × ceiling "
        "| saturated p95 ms | queries | errors |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = f"{r.rps / ceiling:.2f}" if ceiling else "—"
        verdict = "—" if r.target is None else (f"< {r.target} ms ✔" if r.p95 < r.target else f"< {r.target} ms ✘")
        lines.append(f"| {r.label} (`{r.path}`) | {r.role} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {verdict} | "
                     f"{r.rps:.1f} | {ratio} | {r.saturated_p95:.1f} | {r.queries} | {r.errors} |")
    missed = [r for r in results if r.target is not None and r.p95 >= r.target]
    offered = users / 1.0  # each user asks about once a second (0.5–1.5 s think time)
    if missed:
        lines += ["", f"Targets missed: {', '.join(r.label for r in missed)}. {users} users ask for about "
                  f"{offered:.0f} pages a second."]
        if any(r.rps < offered for r in missed):
            lines[-1] += (" A page whose saturated throughput is below that cannot keep up on this machine, and "
                          "its requests queue (p95 then measures the queue, not the page).")
        else:
            lines[-1] += (" Every page keeps up (its saturated throughput is higher), but that load keeps the two "
                          "cores, which the load tool and PostgreSQL share with gunicorn, busy enough that requests wait "
                          "for one another: p95 measures that wait as much as the page.")
    if not missed:
        lines += ["", "Every latency target is met."]
    if any(r.label == "executive dashboard" for r in results):
        lines += ["", "The executive dashboard is served from the body its staff share for 5 minutes after the "
                  "first request (the analytics benchmark above times computing it)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenant", default=os.environ.get("PRM_BENCH_TENANT", "bench"))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per gunicorn worker")
    parser.add_argument("--no-write", action="store_true", help="print only; do not update BENCHMARKS.md")
    parser.add_argument("--page", action="append", help="only pages whose label contains this (repeatable)")
    args, _other = parser.parse_known_args(argv)  # python -m bench passes every benchmark the same arguments
    results = run(args.tenant, args.users, args.seconds, args.workers, args.page, args.threads)
    section = report(results, args.tenant, args.users, args.seconds, args.workers, args.threads)
    print("\n" + section)
    if not args.no_write:
        write_benchmarks(section)


if __name__ == "__main__":
    main()
