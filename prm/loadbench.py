"""Load benchmark: real sign-ins, gunicorn on loopback, wrk at 20 concurrent connections.

    python -m prm.loadbench --tenant bench        (DATABASE_URL must point at PostgreSQL)

For each page it measures p50/p95/p99 latency and throughput with wrk, and the same for a
trivial view on the same stack (the tenant theme stylesheet: tenant resolution, session and
middleware, no page logic), printing each page's throughput as a ratio to that ceiling. The
query count of each page is measured in-process. Results go to BENCHMARKS.md (between the
load markers) with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "prm-bench-2026"
BASE_DOMAIN = "bench.test"
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
# (label, role, URL name candidates, query string, target p95 ms)
PAGES = [
    ("trivial view (ceiling)", "partner", ["tenant_theme"], "", None),
    ("partner home", "partner", ["portal_home"], "", 150),
    ("content library", "partner", ["content:library", "content:index"], "", 150),
    ("content search", "partner", ["content:library", "content:index"], "?q=guide", 150),
    ("deal list", "partner", ["deals:list", "deals:index", "deals:my_deals"], "", 150),
    ("deal registration form", "partner", ["deals:register", "deals:create"], "", 150),
    ("incentive statement", "partner", ["incentives:statement", "incentives:index"], "", 150),
    ("review queue", "manager", ["deals:queue", "deals:review_queue", "deals:review"], "", 150),
    ("executive dashboard", "executive", ["analytics:dashboard", "analytics:executive"], "", 300),
]


@dataclass
class Result:
    label: str
    path: str
    role: str
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: int
    queries: int | None
    target: int | None


def machine_description() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
    import django

    django.setup()


def _bench_users(tenant) -> dict[str, object]:
    """A partner user (of the busiest partner), a channel manager and an executive."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from partners.models import Partner
    from prm.tenancy.models import Membership
    from prm.tenancy.scoping import tenant_scope

    User = get_user_model()
    users = {}
    with tenant_scope(tenant):
        partner = Partner.objects.filter(status="active").annotate(n=Count("memberships")).order_by("-n", "name").first()
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


def _resolve(names: list[str]) -> str | None:
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _query_count(tenant, user, path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=f"{tenant.slug}.{BASE_DOMAIN}", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.get(path)  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    return len(ctx.captured_queries)


def _wrk(port: int, host: str, cookie: str, path: str, users: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    cmd = ["wrk", "-t", "2", "-c", str(users), "-d", f"{seconds}s", "--timeout", "10s", "-s", script.name,
           "-H", f"Host: {host}", "-H", "X-Forwarded-Proto: https", "-H", f"Cookie: sessionid={cookie}",
           f"http://127.0.0.1:{port}{path}"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    line = next(l for l in done.stderr.splitlines() if l.startswith("WRK_JSON "))
    return json.loads(line[len("WRK_JSON "):])


def run(tenant_slug: str, users: int, seconds: int, workers: int) -> list[Result]:
    _django_setup()
    from django.conf import settings
    from django.db import connection

    from prm.tenancy.models import Tenant

    if connection.vendor != "postgresql":
        raise SystemExit("The load benchmark runs against PostgreSQL: set DATABASE_URL=postgres://…")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    tenant = Tenant.objects.get(slug=tenant_slug)
    bench_users = _bench_users(tenant)
    port = _free_port()
    host = f"{tenant.slug}.{BASE_DOMAIN}"
    env = {**os.environ, "DEBUG": "0", "PRM_BASE_DOMAIN": BASE_DOMAIN, "SECURE_SSL_REDIRECT": "0",
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 50), "LOG_LEVEL": "WARNING",
           "DB_CONN_MAX_AGE": "600"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "prm.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        _wait_for(port)
        cookies = {role: _sign_in(port, host, user.email) for role, user in bench_users.items()}
        settings.PRM_BASE_DOMAIN = BASE_DOMAIN
        settings.SECURE_SSL_REDIRECT = False
        results = []
        for label, role, names, query, target in PAGES:
            path = _resolve(names)
            if path is None:
                print(f"  skipped {label}: no URL named {names}")
                continue
            path += query
            _wrk(port, host, cookies[role], path, users, 2)  # warm-up
            stats = _wrk(port, host, cookies[role], path, users, seconds)
            rps = stats["requests"] / (stats["duration_us"] / 1e6)
            queries = _query_count(tenant, bench_users[role], path)
            results.append(Result(label, path, role, rps, stats["p50"], stats["p95"], stats["p99"], stats["requests"],
                                  stats["non2xx"] + stats["socket_errors"], queries, target))
            print(f"  {label:28} p50 {stats['p50']:7.1f} ms  p95 {stats['p95']:7.1f} ms  p99 {stats['p99']:7.1f} ms"
                  f"  {rps:7.1f} req/s  errors {stats['non2xx'] + stats['socket_errors']}  queries {queries}")
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


def report(results: list[Result], tenant_slug: str, users: int, seconds: int, workers: int) -> str:
    ceiling = next((r.rps for r in results if r.label.startswith("trivial")), None)
    lines = [
        f"### Page latency under load (`python -m prm.loadbench --tenant {tenant_slug}`)",
        "",
        f"Machine: {machine_description()}. gunicorn with {workers} sync workers on loopback, wrk with "
        f"{users} concurrent connections for {seconds} s per page, each signed in through the real sign-in form.",
        "",
        "| Page | Role | p50 ms | p95 ms | p99 ms | req/s | × ceiling | queries | errors | target p95 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ratio = f"{r.rps / ceiling:.2f}" if ceiling else "—"
        verdict = "—" if r.target is None else (f"< {r.target} ms ✔" if r.p95 < r.target else f"< {r.target} ms ✘")
        lines.append(f"| {r.label} (`{r.path}`) | {r.role} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {r.rps:.1f} | "
                     f"{ratio} | {r.queries} | {r.errors} | {verdict} |")
    return "\n".join(lines) + "\n"


def write_benchmarks(section: str, marker: str = "load") -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    block = f"{start}\n{section}{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenant", default=os.environ.get("PRM_BENCH_TENANT", "bench"))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--no-write", action="store_true", help="print only; do not update BENCHMARKS.md")
    args = parser.parse_args(argv)
    results = run(args.tenant, args.users, args.seconds, args.workers)
    section = report(results, args.tenant, args.users, args.seconds, args.workers)
    print("\n" + section)
    if not args.no_write:
        write_benchmarks(section)


if __name__ == "__main__":
    main()
