"""Closing a run: the dashboard summary added up from the chunks' own summaries equals one query
over the date, and managers hear about newly proposed tier changes once, per owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django_scopes import scopes_disabled

from analytics.models import HealthRunChunk, SnapshotSummary
from analytics.services import sql_chunk, summary
from analytics.services.runs import health_compute
from partners.models import Partner
from prm.notifications.models import Notification
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _summary_rows(tenant, day) -> list[tuple]:
    names = [f.name for f in SnapshotSummary._meta.fields if f.name not in ("id", "tenant")]
    with scopes_disabled():
        rows = SnapshotSummary.objects.filter(tenant=tenant, date=day).values_list(*names)
        return sorted(rows, key=lambda row: tuple(str(v) for v in row))


def test_a_run_adds_up_its_chunks_summaries_to_what_one_query_over_the_date_gives(tenant, bigger, day,
                                                                                     monkeypatch):
    PartnerFactory(tenant=tenant, name="No region", regions=[])
    keep, ranges = summary.summary_groups, []

    def spy(tenant, day, partner_range=None):
        ranges.append(partner_range)
        return keep(tenant, day, partner_range)

    monkeypatch.setattr(summary, "summary_groups", spy)
    with tenant_scope(tenant):
        result = health_compute(tenant=tenant, day=day, chunk_size=1)
        chunks = list(HealthRunChunk.objects.filter(run=result.run))
    assert result.run.status == "done" and len(chunks) == 5
    # no query over the whole date: on PostgreSQL each chunk's statement sums up the rows it writes,
    # elsewhere one grouped query per chunk reads them back; the finished run clears what it added up
    assert len(ranges) == (0 if sql_chunk.enabled() else 5) and None not in ranges
    assert all(c.summary is None for c in chunks)
    monkeypatch.undo()
    from_chunks = _summary_rows(tenant, day)
    with tenant_scope(tenant):
        summary.write_summary(tenant, day)  # the whole date in one query
    from_query = _summary_rows(tenant, day)
    assert from_chunks == from_query
    with scopes_disabled():
        per_region = dict(SnapshotSummary.objects.filter(tenant=tenant, date=day).values_list("region")
                          .annotate(n=Sum("partners")).order_by())
    # every partner once for all regions, and once per region it serves (Lucerne in EMEA and APAC)
    assert per_region == {"": 5, "EMEA": 2, "NA": 1, "APAC": 2}


def test_a_chunk_done_without_a_summary_makes_the_close_query_the_whole_date(tenant, bigger, day, monkeypatch):
    keep, keep_sql = summary.chunk_summary, sql_chunk.write_chunk
    calls = []

    def first_without(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else keep(*args, **kwargs)

    def first_without_sql(*args, **kwargs):
        calls.append(args)
        written, counts, chunk_summary = keep_sql(*args, **kwargs)
        return written, counts, None if len(calls) == 1 else chunk_summary

    monkeypatch.setattr(summary, "chunk_summary", first_without)
    monkeypatch.setattr(sql_chunk, "write_chunk", first_without_sql)
    with tenant_scope(tenant):
        result = health_compute(tenant=tenant, day=day, chunk_size=2)
    assert result.run.status == "done" and len(calls) == 2
    closed = _summary_rows(tenant, day)
    with tenant_scope(tenant):
        summary.write_summary(tenant, day)
    assert closed == _summary_rows(tenant, day)
    with scopes_disabled():
        assert sum(r.partners for r in SnapshotSummary.objects.filter(tenant=tenant, date=day, region="")) == 4


def _proposal_notes(tenant):
    with scopes_disabled():
        return sorted((n.user.email, n.title) for n in Notification.objects.filter(tenant=tenant)
                      if "proposed by the nightly evaluation" in n.title)


def test_new_tier_proposals_notify_the_owner_once(tenant, program, day, members):
    # Contoso (Silver, no revenue, no certification) is proposed for demotion; Northwind for nothing.
    manager = members["channel_manager"]
    with scopes_disabled():
        Partner.objects.filter(pk=program["contoso"].pk).update(owner=manager)
    with tenant_scope(tenant):
        health_compute(tenant=tenant, day=day - timedelta(days=1), chunk_size=1)
    assert _proposal_notes(tenant) == [(manager.email, "1 tier change(s) proposed by the nightly evaluation")]
    with tenant_scope(tenant):  # the next night proposes the same change: nothing new to tell
        health_compute(tenant=tenant, day=day, chunk_size=1)
    assert len(_proposal_notes(tenant)) == 1


def test_proposals_for_partners_without_an_owner_go_to_every_manager(tenant, program, day, members):
    with tenant_scope(tenant):
        health_compute(tenant=tenant, day=day, chunk_size=1)
    managers = {members[role].email for role in ("channel_manager", "tenant_admin")}
    assert {email for email, _title in _proposal_notes(tenant)} == managers
