"""Every executive dashboard figure equals a direct query on the source tables; filters, exports,
access and a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from django_scopes import scopes_disabled

from analytics.selectors.dashboard import dashboard
from analytics.selectors.filters import DashboardFilterForm
from analytics.services.runs import health_compute
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory, PartnerFactory, at_days_ago, events_at

pytestmark = pytest.mark.django_db
OPEN = ("submitted", "info_requested", "approved")


def _dashboard(tenant, **params):
    with tenant_scope(tenant):
        form = DashboardFilterForm({k: str(v) for k, v in params.items()} or None, tenant=tenant)
        return dashboard(tenant, form.filters())


def _computed(tenant, day):
    with tenant_scope(tenant):
        assert health_compute(tenant=tenant, day=day).run.status == "done"


def test_every_figure_matches_a_direct_query(tenant, bigger, day):
    from content.models import Certification
    from deals.models import DealPartner, DealRegistration
    from incentives.models import MdfAllocation, MdfRequest
    from partners.models import OnboardingStep, Partner, PartnerOnboarding, StepCompletion
    from prm.events.models import EngagementEvent

    _computed(tenant, day)
    d = _dashboard(tenant, period=90)
    end = timezone.now()
    with tenant_scope(tenant):
        partners = Partner.objects.filter(tenant=tenant)
        assert d.partners == partners.count() == 4
        assert {v: n for v, _l, n in d.status_counts if n} == dict(
            partners.values_list("status").annotate(n=Count("id")))
        active = EngagementEvent.objects.filter(occurred_at__gte=end - timedelta(days=30)).values("partner").distinct()
        assert d.active_30 == active.count() == 2
        assert d.active_pct == 50.0
        snap = d.run.date
        from analytics.models import PartnerHealthSnapshot

        snapshots = PartnerHealthSnapshot.objects.filter(date=snap)
        assert d.avg_score == round(snapshots.aggregate(a=Avg("score"))["a"], 1)
        assert d.at_risk_count == snapshots.filter(churn_risk__gte=0.6, status__in=("active", "onboarding")).count()
        # Onboarding: completed steps / steps of the path, averaged over partners with a path.
        totals = dict(OnboardingStep.objects.values_list("path_id").annotate(n=Count("id")))
        done = [StepCompletion.objects.filter(onboarding=o).count() / totals[o.path_id]
                for o in PartnerOnboarding.objects.all()]
        assert d.onboarding_pct == round(100 * sum(done) / len(done), 1) == 75.0
        # Pipeline (open now) and won revenue (closed in the last 90 days) per tier and type.
        deals = DealRegistration.objects.all()
        since = day - timedelta(days=90)
        for segments, key in ((d.by_tier, "partner__tier__name"), (d.by_type, "partner__partner_type__name")):
            direct = {row[key]: row for row in deals.values(key).annotate(
                pipeline=Sum("base_amount", filter=Q(status__in=OPEN)),
                won=Sum("won_base_amount", filter=Q(status="won", closed_on__gt=since)))}
            for s in segments:
                assert s.pipeline == (direct.get(s.label, {}).get("pipeline") or 0), s.label
                assert s.won == (direct.get(s.label, {}).get("won") or 0), s.label
        assert d.pipeline == deals.filter(status__in=OPEN).aggregate(s=Sum("base_amount"))["s"] == Decimal("29000")
        assert d.won == Decimal("30000")
        # Engagement per partner.
        content = EngagementEvent.objects.filter(kind__in=("content_viewed", "content_downloaded"),
                                                 occurred_at__gte=end - timedelta(days=30)).count()
        assert d.content_per_partner == round(content / 4, 1)
        courses = EngagementEvent.objects.filter(kind="course_completed", occurred_at__gte=end - timedelta(days=90))
        assert d.courses_per_partner == round(courses.count() / 4, 2)
        assert d.certifications_per_partner == round(Certification.objects.valid_on(end).count() / 4, 2)
        # MDF of the current funds.
        assert d.mdf_allocated == MdfAllocation.objects.aggregate(s=Sum("amount"))["s"]
        assert d.mdf_used == MdfRequest.objects.filter(status="approved").aggregate(s=Sum("approved_amount"))["s"]
        assert d.mdf_utilisation == 25.0
        # Activation: joined in the period, first approval within 90 days of joining.
        cohort = [p for p in partners if p.joined_at.date() > since]
        activated = [p for p in cohort if deals.filter(partner=p, decided_at__isnull=False,
                                                       status__in=("approved", "won", "lost", "expired"),
                                                       decided_at__lte=p.joined_at + timedelta(days=90)).exists()]
        assert (d.activation["cohort"], d.activation["activated"]) == (len(cohort), len(activated)) == (1, 1)
        # Decisions in the period against their SLA deadline.
        decided = deals.filter(decided_at__date__gt=since)
        assert d.approvals["decided"] == decided.count() == 3
        assert d.approvals["within"] == sum(1 for x in decided if x.decided_at <= x.sla_due_at) == 2
        # Sourced versus influenced: won in the period, by credit role.
        roles = {r["role"]: r["s"] for r in DealPartner.objects.filter(
            deal__status="won", deal__closed_on__gt=since).values("role").annotate(s=Sum("deal__won_base_amount"))}
        assert {a["role"]: a["revenue"] for a in d.attribution} == {
            "sourced": roles["sourced"], "influenced": roles["influenced"], "fulfilled": 0}
        # Funnel of the reseller path: 1 started, 3 partners… here Northwind alone, 3 of 4 steps.
        (path,) = d.funnel
        assert (path["started"], path["finished"]) == (1, 0)
        assert [s["completed"] for s in path["steps"]] == [1, 1, 1, 0]
        # At risk: the snapshots above the threshold, riskiest first.
        assert [s.partner.name for s in d.at_risk] == list(
            snapshots.filter(churn_risk__gte=0.6, status__in=("active", "onboarding"))
            .order_by("-churn_risk").values_list("partner__name", flat=True)) == ["Contoso"]
        # Trends: the latest week is today's run.
        assert d.trends[-1]["date"] == snap and d.trends[-1]["avg_score"] == d.avg_score
        assert all(t["avg_score"] is None for t in d.trends[:-1])


def test_filters_narrow_every_figure(tenant, bigger, day):
    _computed(tenant, day)
    silver = _dashboard(tenant, tier=bigger["silver"].pk)
    assert silver.partners == 2 and {s.label for s in silver.by_tier} == {"Silver"}
    apac = _dashboard(tenant, region="APAC")
    assert apac.partners == 2  # Fabrikam and Lucerne (who serves two regions)
    assert apac.attribution[1]["revenue"] == Decimal("30000")  # Fabrikam influenced Northwind's win
    assert apac.attribution[0]["revenue"] == 0
    msp = _dashboard(tenant, partner_type=bigger["msp"].pk, period=365)
    assert msp.won == Decimal("5000")  # Lucerne's win 200 days ago counts over 12 months
    assert _dashboard(tenant, partner_type=bigger["msp"].pk, period=30).won == 0


def test_an_invalid_filter_falls_back_to_all_and_answers_400(tenant, bigger, day, members, client_for):
    _computed(tenant, day)
    response = client_for(tenant, members["executive"]).get("/analytics/dashboard/?period=7&tier=nope")
    assert response.status_code == 400
    d = response.context["d"]
    assert (d.filters.period, d.filters.tier) == (90, None)
    assert d.partners == 5  # everyone (the `members` fixture adds a partner organisation)


def test_the_page_shows_the_figures_and_every_table_exports(tenant, bigger, day, members, client_for):
    _computed(tenant, day)
    client = client_for(tenant, members["executive"])
    page = client.get("/analytics/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-kpi="partners">5<' in html and 'data-chart="chart-status"' in html and "Contoso" in html
    # Every section with a table links to a CSV (the SLA and engagement figures are in the kpis file).
    assert html.count('<section class="dash-section') == html.count('class="export"') == 11
    for table in ("status", "tiers", "types", "attribution", "funnel", "trends", "kpis", "at_risk", "roi"):
        response = client.get(f"/analytics/dashboard/export.csv?table={table}&period=90")
        assert response.status_code == 200, table
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert len(rows) >= 2, table
    at_risk = list(csv.reader(io.StringIO(b"".join(
        client.get("/analytics/dashboard/export.csv?table=at_risk").streaming_content).decode("utf-8-sig"))))
    assert at_risk[1][0] == "Contoso" and at_risk[1][4] == "90"
    assert client.get("/analytics/dashboard/export.csv?table=secrets").status_code == 400


def test_htmx_filtering_returns_only_the_dashboard_body(tenant, bigger, day, members, client_for):
    _computed(tenant, day)
    response = client_for(tenant, members["executive"]).get("/analytics/dashboard/?region=APAC",
                                                            HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="dashboard-body">')
    assert "<html" not in html


def test_without_a_run_the_dashboard_says_what_to_do(tenant, members, client_for):
    response = client_for(tenant, members["tenant_admin"]).get("/analytics/dashboard/")
    assert response.status_code == 200 and "No health scores yet" in response.content.decode()


@pytest.mark.parametrize("role,status", [("executive", 200), ("channel_manager", 200), ("tenant_admin", 200),
                                         ("partner_admin", 403), ("partner_user", 403)])
def test_the_dashboard_is_for_staff_only(tenant, members, client_for, role, status):
    assert client_for(tenant, members[role]).get("/analytics/dashboard/").status_code == status


def test_the_dashboard_answers_405_to_post(tenant, members, client_for):
    assert client_for(tenant, members["executive"]).post("/analytics/dashboard/").status_code == 405


def _grow(tenant, day, n: int) -> None:
    """n more partners, each with events, a deal, and a credit."""
    from partners.models import Partner

    made = [PartnerFactory(tenant=tenant, regions=["EMEA"]) for _ in range(n)]
    with scopes_disabled():
        Partner.objects.filter(pk__in=[p.pk for p in made]).update(joined_at=at_days_ago(day, 50))
    for i, p in enumerate(made):
        events_at(tenant, p, "sign_in", [1 + i % 5, 20], day=day)
        DealFactory(tenant=tenant, partner=p, submitted_at=at_days_ago(day, 30), status="won",
                    won_amount=Decimal("100"), won_base_amount=Decimal("100"), closed_on=day - timedelta(days=3),
                    decided_at=at_days_ago(day, 29))


@pytest.mark.parametrize("size", [3, 40])
def test_the_dashboard_runs_a_constant_number_of_queries(tenant, bigger, day, members, client_for, size,
                                                         django_assert_num_queries):
    _grow(tenant, day, size)
    _computed(tenant, day)
    client = client_for(tenant, members["executive"])
    client.get("/analytics/dashboard/")  # warm the session and caches
    with django_assert_num_queries(QUERIES):
        response = client.get("/analytics/dashboard/?period=90&region=EMEA")
    assert response.status_code == 200


# Tenant, session, user, membership (middleware); tiers and types (filter form); latest run; settings
# (analytics', and the deals app's DealSettings row for the review deadline the body shows and its
# cache key names); summary rows; trends; at-risk list; funnel (3); ROI (incentives' roi_summary); the
# leads section (one aggregate of the offers); the rest is the shell (navigation badge and the like).
# The same for 3 and 40 partners.
QUERIES = 23


def test_decision_time_roi_at_risk_owner_and_12_week_trends_match_direct_queries(tenant, bigger, day,
                                                                                  make_member, client_for):
    """The figures test_every_figure_matches_a_direct_query leaves out: average time to decision,
    MDF ROI, the at-risk list's reasons and owner, and trend weeks older than the latest run."""
    from analytics.models import PartnerHealthSnapshot
    from deals.models import DealRegistration
    from incentives.models import MdfRequest
    from incentives.selectors.roi import roi_summary
    from partners.models import Partner

    owner = make_member(tenant, "channel_manager", email="owner@acme.example")
    with scopes_disabled():
        Partner.objects.filter(pk=bigger["contoso"].pk).update(owner=owner)
    for weeks in (2, 1, 0):  # three weekly runs: the trend's last three points
        _computed(tenant, day - timedelta(weeks=weeks))
    d = _dashboard(tenant, period=90)
    since = day - timedelta(days=90)
    with tenant_scope(tenant):
        decided = list(DealRegistration.objects.filter(decided_at__date__gt=since, decided_at__date__lte=day))
        hours = sum((x.decided_at - x.submitted_at).total_seconds() / 3600 for x in decided)
        assert d.approvals["decided"] == len(decided) == 3
        assert d.approvals["avg_hours"] == round(hours / len(decided), 1)
        # MDF ROI: the incentives app's summary of the period, and the requests it counts.
        assert d.roi["mdf"] == roi_summary(tenant, start=timezone.localdate() - timedelta(days=90),
                                           end=timezone.localdate())["mdf"]
        assert d.roi["mdf"]["requests"] == MdfRequest.objects.filter(start_date__gt=since).exclude(
            status__in=("submitted", "rejected", "cancelled")).count() == 1
        # Trends: each weekly point is the aggregate of that date's snapshots.
        assert [t["date"] for t in d.trends] == [day - timedelta(weeks=w) for w in range(11, -1, -1)]
        for t in d.trends[-3:]:
            snaps = PartnerHealthSnapshot.objects.filter(date=t["date"])
            n = snaps.count()
            assert t["partners"] == n == 4, t["date"]
            assert t["avg_score"] == round(snaps.aggregate(a=Avg("score"))["a"], 1)
            assert t["active_pct"] == round(100 * snaps.filter(events_30__gt=0).count() / n, 1)
            assert t["at_risk"] == snaps.filter(churn_risk__gte=0.6, status__in=("active", "onboarding")).count()
            assert t["won_30"] == snaps.aggregate(s=Sum("won_revenue_30"))["s"]
        # Weeks without a run have no figures (not zero partners).
        assert all(t["partners"] is None and t["avg_score"] is None for t in d.trends[:-3])
        # At risk: reasons are the snapshot's, the owner is the partner's channel manager.
        (contoso,) = d.at_risk
        assert contoso.partner.owner == owner
        assert contoso.churn_reasons == PartnerHealthSnapshot.objects.get(
            partner=bigger["contoso"], date=day).churn_reasons
    client = client_for(tenant, owner)
    html = client.get("/analytics/dashboard/").content.decode()
    table = html[html.index('id="table-at-risk"'):]
    table = table[:table.index("</table>")]
    assert "Contoso" in table and (owner.get_full_name() or owner.email) in table and "No sign-in" in table
    rows = list(csv.reader(io.StringIO(b"".join(
        client.get("/analytics/dashboard/export.csv?table=at_risk").streaming_content).decode("utf-8-sig"))))
    assert rows[1][0] == "Contoso" and rows[1][6] == "owner@acme.example" and "No sign-in" in rows[1][5]


def test_the_body_is_shared_for_a_few_minutes_and_a_new_run_or_refresh_recomputes_it(
        tenant, bigger, day, members, make_member, client_for, django_assert_max_num_queries):
    from partners.models import Partner

    _computed(tenant, day)
    executive, manager = client_for(tenant, members["executive"]), client_for(tenant, members["channel_manager"])
    first = executive.get("/analytics/dashboard/").content.decode()
    assert 'data-kpi="partners">5<' in first and "Figures computed at" in first and "refresh=1" in first
    # Another staff member within the cache time gets the same body without its queries: the
    # shell's (session, user, membership, tenant…), the filter form's, the run and settings only.
    with django_assert_max_num_queries(QUERIES - 9):
        second = manager.get("/analytics/dashboard/")
    assert second.status_code == 200 and 'data-kpi="partners">5<' in second.content.decode()
    # A new partner counts once a run has seen it; live data is not re-read until then…
    PartnerFactory(tenant=tenant, name="Woodgrove", tier=bigger["silver"], partner_type=bigger["msp"])
    with scopes_disabled():
        Partner.objects.filter(name="Woodgrove").update(joined_at=at_days_ago(day, 30))
    assert 'data-kpi="partners">5<' in executive.get("/analytics/dashboard/").content.decode()
    # …unless someone asks for a refresh, which computes the figures again (all the queries).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as refreshed:
        assert executive.get("/analytics/dashboard/?refresh=1").status_code == 200
    assert len(refreshed.captured_queries) >= QUERIES - 2
    # and a newly finished run (which counts Woodgrove) replaces the shared body at once.
    with tenant_scope(tenant):
        assert health_compute(tenant=tenant, day=day).run.status == "done"
    assert 'data-kpi="partners">6<' in manager.get("/analytics/dashboard/").content.decode()


def test_the_shared_body_is_per_filter_and_language(tenant, bigger, day, members, client_for):
    from prm.tenancy.models import Tenant

    _computed(tenant, day)
    client = client_for(tenant, members["executive"])
    everyone = client.get("/analytics/dashboard/").content.decode()
    apac = client.get("/analytics/dashboard/?region=APAC").content.decode()
    assert 'data-kpi="partners">5<' in everyone and 'data-kpi="partners">5<' not in apac
    with scopes_disabled():
        Tenant.objects.filter(pk=tenant.pk).update(default_language="de")
    german = client.get("/analytics/dashboard/", HTTP_HX_REQUEST="true").content.decode()  # the body alone
    assert "Jetzt aktualisieren" in german and "Refresh now" in everyone
