"""The conflict-check benchmark (`python -m bench.deal_conflicts`) builds, measures and removes its tenant."""

import pytest
from django.db import connection

from bench import deal_conflicts
from deals.models import DealRegistration
from prm.tenancy.models import Tenant
from prm.tenancy.scoping import tenant_scope


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the benchmark VACUUMs, which no transaction may enclose
def test_the_conflict_benchmark_measures_a_small_tenant_then_drop_removes_it(monkeypatch, capsys):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL only (pg_trgm, VACUUM, REINDEX)")
    monkeypatch.setattr(deal_conflicts, "setup_django", lambda: None)  # this process is set up already

    assert deal_conflicts.main(["--rows", "300", "--probes", "6"]) == 0
    out = capsys.readouterr().out
    assert "Built 300 registrations" in out and "Target p95 < 50 ms: met" in out
    tenant = Tenant.objects.get(slug=deal_conflicts.BENCH_SLUG)
    with tenant_scope(tenant):
        assert DealRegistration.objects.filter(tenant=tenant).count() == 300

    # The tenant's partner type is protected from a cascade: --drop used to fail with ProtectedError.
    assert deal_conflicts.main(["--drop"]) == 0
    assert "Benchmark tenant removed." in capsys.readouterr().out
    assert not Tenant.objects.filter(slug=deal_conflicts.BENCH_SLUG).exists()
