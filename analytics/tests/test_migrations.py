"""Data migrations: stored rows come out of a schema change with their values."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from analytics.models import PartnerHealthSnapshot
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory

BEFORE = [("analytics", "0007_chunk_summary")]  # then forward again to the latest


@pytest.mark.django_db(transaction=True)
def test_stored_breakdowns_move_to_the_component_columns(tenant):
    partner = PartnerFactory(tenant=tenant)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("analytics", "PartnerHealthSnapshot")
        breakdown = {"activity": {"value": 0.5, "weight": 25, "points": 31.25, "applies": True},
                     "recency": {"value": 1.0, "weight": 15, "points": 37.5, "applies": True},
                     "wins": {"value": None, "weight": 10, "points": 0.0, "applies": False}}
        old.objects.create(tenant_id=tenant.pk, partner_id=partner.pk, date=date(2026, 5, 1), status="active",
                           score=69, churn_risk=0.1, computed_at=timezone.now(), components=breakdown)
        old.objects.create(tenant_id=tenant.pk, partner_id=partner.pk, date=date(2026, 5, 2), status="active",
                           score=0, churn_risk=0.1, computed_at=timezone.now(), components={})
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    with tenant_scope(tenant):
        first, second = PartnerHealthSnapshot.objects.order_by("date")
    assert (first.component_activity, first.component_recency, first.component_wins, first.component_mdf) == (
        0.5, 1.0, None, None)
    assert first.component_weights == {"activity": 25, "recency": 15, "wins": 10}
    # The stored breakdown reads back the same (plus each component's share of the 100 points).
    assert first.components["recency"] == {**breakdown["recency"], "max_points": 37.5}
    assert first.components["wins"] == {**breakdown["wins"], "max_points": 0.0}
    assert first.components["activity"] == {**breakdown["activity"], "max_points": 62.5}
    assert second.component_values == dict.fromkeys(second.component_values) and second.component_weights == {}
