"""The lead routing benchmark (`python -m bench.leads`) builds, routes and removes its tenant."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench import leads as bench_leads
from leads.models import Lead
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import tenant_scope

ROOT = Path(__file__).resolve().parents[2]


def test_the_lead_benchmark_answers_help_without_a_database():
    done = subprocess.run([sys.executable, "-m", "bench.leads", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the benchmark VACUUMs, which no transaction may enclose
def test_the_lead_benchmark_routes_a_small_tenant_then_drop_removes_it(monkeypatch, capsys):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL only")
    monkeypatch.setattr(bench_leads, "setup_django", lambda: None)  # this process is set up already

    assert bench_leads.main(["--partners", "300", "--leads", "400", "--no-write"]) == 0
    out = capsys.readouterr().out
    assert "Built 300 partners" in out and "Target < 30 s: met" in out
    tenant = Tenant.objects.get(slug=bench_leads.BENCH_SLUG)
    with tenant_scope(tenant):
        routed = Lead.objects.filter(tenant=tenant, source="import")
        assert routed.count() == 400 and routed.filter(status="assigned").count() > 200
    # A second run reuses the data and routes it again from scratch.
    assert bench_leads.main(["--partners", "300", "--leads", "400", "--no-write"]) == 0
    assert "Reusing 300 partners and 400 leads" in capsys.readouterr().out
    assert bench_leads.main(["--drop"]) == 0
    assert not Tenant.objects.filter(slug=bench_leads.BENCH_SLUG).exists()
