"""Channel manager pages, the partner scorecard, tier proposals, the what-if simulation, operations and
settings: who may see them, what they show, and that bad input gets a clear answer."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from analytics.models import AnalyticsSettings, HealthRun, PartnerHealthSnapshot
from analytics.services.runs import health_compute
from partners.models import PartnerSettings
from prm.tenancy.scoping import tenant_scope
from tests.factories import PartnerFactory, set_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(tenant, program, day):
    with tenant_scope(tenant):
        assert health_compute(tenant=tenant, day=day).run.status == "done"
    return program


# --- My partners ------------------------------------------------------------------------------


def test_my_partners_lists_the_riskiest_first_with_reasons_and_actions(tenant, computed, members, client_for):
    response = client_for(tenant, members["channel_manager"]).get("/analytics/partners/?scope=all")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Contoso") < html.index("Northwind")  # 90 % before 15 %
    assert "No sign-in for 30 days or more" in html or "No sign-in for 45 days" in html
    assert "Re-engage: nobody has signed in for 45 days." in html
    assert html.count("rule-based estimate") == 2  # too little history: both risks say how they were made


def test_a_channel_manager_starts_with_the_partners_they_own(tenant, computed, members, client_for):
    from partners.models import Partner

    manager = members["channel_manager"]
    with scopes_disabled():
        Partner.objects.filter(pk=computed["northwind"].pk).update(owner=manager)
    html = client_for(tenant, manager).get("/analytics/partners/").content.decode()
    assert "Northwind" in html and "Contoso" not in html
    assert "Contoso" in client_for(tenant, manager).get("/analytics/partners/?scope=all").content.decode()


def test_my_partners_exports_csv_and_filters_by_htmx(tenant, computed, members, client_for):
    client = client_for(tenant, members["executive"])
    rows = list(csv.reader(io.StringIO(b"".join(
        client.get("/analytics/partners/export.csv?risk=at_risk").streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Contoso"] and rows[1][4] == "90"
    partial = client.get("/analytics/partners/?q=north&scope=all", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="partner-rows"') and "Contoso" not in partial


def test_partners_cannot_open_staff_analytics(tenant, computed, members, client_for):
    client = client_for(tenant, members["partner_admin"])
    for url in ("/analytics/partners/", f"/analytics/partners/{computed['northwind'].pk}/",
                "/analytics/operations/", "/analytics/tiers/proposals/"):
        assert client.get(url).status_code == 403, url


# --- Partner 360 ------------------------------------------------------------------------------


def test_partner_360_shows_scores_timeline_deals_incentives_certifications_onboarding(
        tenant, computed, members, client_for):
    partner = computed["northwind"]
    response = client_for(tenant, members["executive"]).get(f"/analytics/partners/{partner.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="p360-score">64<' in html and 'id="p360-risk"' in html
    assert "Activity in the last 30 days" in html and "Signed in" in html and "Viewed content" in html
    assert "4 registered · 2 open · 1 won · 1 lost" in html
    assert "Cloud fundamentals" in html and "Webinar" in html
    assert "3 of 4 steps done" in html
    assert "USD 20,000 more won revenue to reach Silver" in html
    assert "Rule-based estimate: not enough history to train a model yet" in html


def test_partner_360_draws_scores_over_time_from_the_snapshots(tenant, computed, day, members, client_for):
    from datetime import timedelta

    with tenant_scope(tenant):
        assert health_compute(tenant=tenant, day=day - timedelta(days=7)).run.status == "done"
        expected = list(PartnerHealthSnapshot.objects.filter(partner=computed["northwind"]).order_by("date")
                        .values_list("date", "score"))
    response = client_for(tenant, members["executive"]).get(f"/analytics/partners/{computed['northwind'].pk}/")
    assert [(h["date"], h["score"]) for h in response.context["history"]] == expected
    assert [d for d, _s in expected] == [day - timedelta(days=7), day]
    html = response.content.decode()
    section = html[html.index("Scores over time"):]
    assert section.index('data-chart="chart-p360-score"') < section.index('data-chart="chart-p360-risk"') \
        < section.index("Activity")  # both charts sit in that section


def test_partner_360_of_another_tenants_partner_is_404(tenant, other_tenant, computed, members, client_for):
    stranger = PartnerFactory(tenant=other_tenant)
    assert client_for(tenant, members["executive"]).get(f"/analytics/partners/{stranger.pk}/").status_code == 404


def test_partner_360_respects_a_managers_book(tenant, computed, members, client_for):
    set_settings(tenant, PartnerSettings, restrict_managers_to_book=True)
    url = f"/analytics/partners/{computed['northwind'].pk}/"
    assert client_for(tenant, members["channel_manager"]).get(url).status_code == 404
    assert client_for(tenant, members["executive"]).get(url).status_code == 200


# --- Scorecard and home widgets ------------------------------------------------------------------


def test_the_partner_scorecard_explains_the_score_in_plain_words(tenant, computed, client_for):
    client = client_for(tenant, computed["user"])
    html = client.get("/analytics/scorecard/").content.decode()
    assert 'id="scorecard-score">64<' in html
    assert "10 engagements in the last 30 days." in html
    assert "Last sign-in 3 days ago." in html
    assert "1 won of 2 closed deals in the last 12 months." in html
    assert "USD 20,000 more won revenue to reach Silver" in html
    assert "Finish onboarding (75% done)." in html and "Take the course “Security specialist”." in html
    assert "Re-engage" not in html  # manager-only suggestions stay off the partner's page
    home = client.get("/").content.decode()
    assert "Your scorecard" in home and "USD 20,000 more won revenue to reach Silver" in home


def test_the_scorecard_before_the_first_run_says_how_to_get_one(tenant, members, client_for):
    html = client_for(tenant, members["partner_user"]).get("/analytics/scorecard/").content.decode()
    assert "Your first scorecard is on its way." in html


def test_staff_home_shows_headline_figures(tenant, computed, members, client_for):
    html = client_for(tenant, members["executive"]).get("/").content.decode()
    assert "Partner ecosystem" in html and "average health score" in html


def test_staff_cannot_open_the_partner_scorecard(tenant, members, client_for):
    assert client_for(tenant, members["executive"]).get("/analytics/scorecard/").status_code == 403


# --- Tier proposals ---------------------------------------------------------------------------


def test_a_manager_applies_a_proposed_downgrade_through_the_grace_period(tenant, computed, members, client_for, day):
    from datetime import timedelta

    from partners.models import TierChange

    contoso = computed["contoso"]
    client = client_for(tenant, members["channel_manager"])
    page = client.get("/analytics/tiers/proposals/").content.decode()
    assert "Contoso" in page and "Demote" in page
    response = client.post(f"/analytics/tiers/proposals/{contoso.pk}/apply")
    assert response.status_code == 302
    with scopes_disabled():
        change = TierChange.objects.get(partner=contoso)
        snapshot = PartnerHealthSnapshot.objects.get(partner=contoso)
    assert (change.status, change.to_tier_id, change.from_tier_id) == ("scheduled", computed["registered"].pk,
                                                                      computed["silver"].pk)
    assert snapshot.tier_action == "scheduled"
    assert change.effective_from.date() >= day + timedelta(days=PartnerSettings.for_tenant(tenant).tier_downgrade_grace_days - 1)
    with scopes_disabled():  # still Silver until the grace period ends
        assert contoso.__class__.objects.get(pk=contoso.pk).tier_id == computed["silver"].pk
    # Applying twice is refused with a message, not a 500.
    again = client.post(f"/analytics/tiers/proposals/{contoso.pk}/apply", follow=True)
    assert "There is no open tier proposal for this partner." in again.content.decode()


def test_executives_cannot_apply_proposals_and_get_is_not_allowed(tenant, computed, members, client_for):
    url = f"/analytics/tiers/proposals/{computed['contoso'].pk}/apply"
    assert client_for(tenant, members["executive"]).post(url).status_code == 403
    assert client_for(tenant, members["channel_manager"]).get(url).status_code == 405


def test_automatic_tier_evaluation_applies_changes_itself(tenant, program, day):
    from datetime import timedelta

    from django.utils import timezone

    from partners.models import Partner, Tier, TierChange

    set_settings(tenant, PartnerSettings, tier_evaluation="automatic", tier_downgrade_grace_days=45)
    with scopes_disabled():  # Silver within Northwind's reach (USD 30,000 won, one certification)
        Tier.objects.filter(pk=program["silver"].pk).update(min_won_revenue_12m=Decimal("25000"))
    with tenant_scope(tenant):
        run = health_compute(tenant=tenant, day=day).run
        snapshot = PartnerHealthSnapshot.objects.get(partner=program["contoso"], date=day)
        change = TierChange.objects.get(partner=program["contoso"])
        promoted = TierChange.objects.get(partner=program["northwind"])
        tiers = dict(Partner.objects.values_list("name", "tier_id"))
    assert snapshot.tier_action == "scheduled" and change.source == "automatic" and change.status == "scheduled"
    # The downgrade waits for the grace period; the upgrade is applied at once.
    assert abs(change.effective_from - (timezone.now() + timedelta(days=45))) < timedelta(days=1)
    assert (promoted.status, promoted.source, promoted.to_tier_id) == ("applied", "automatic", program["silver"].pk)
    assert tiers == {"Contoso": program["silver"].pk, "Northwind": program["silver"].pk}
    assert run.tier_changes["scheduled"] == 1
    # The next run leaves the pending downgrade alone (no second change, grace period not restarted).
    with tenant_scope(tenant):
        health_compute(tenant=tenant, day=day)
        assert TierChange.objects.filter(partner=program["contoso"]).count() == 1


# --- What-if ----------------------------------------------------------------------------------


def _whatif_data(program, silver_revenue="50000", silver_certs="1"):
    return {"t1-min_won_revenue_12m": "0", "t1-min_active_certifications": "0", "t1-min_health_score": "",
            "t2-min_won_revenue_12m": silver_revenue, "t2-min_active_certifications": silver_certs,
            "t2-min_health_score": ""}


def test_what_if_shows_who_would_move_and_the_cost_before_saving(tenant, computed, members, client_for):
    client = client_for(tenant, members["tenant_admin"])
    # Today: Contoso holds Silver without meeting it. Lower Silver to USD 25,000 and one certification:
    # Northwind (USD 30,000, 1 certification) would move up; Contoso would still move down.
    response = client.post("/analytics/tiers/what-if/", _whatif_data(computed, "25000"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="whatif-result"')
    assert 'id="whatif-up">1<' in html and 'id="whatif-down">1<' in html
    assert 'id="whatif-cost">+3,000<' in html  # 10 % of Northwind's USD 30,000
    movers = html[html.index('id="whatif-movers"'):]
    movers = movers[:movers.index("</table>")]
    assert "Northwind" in movers and "Contoso" in movers  # who moves, by name
    with scopes_disabled():
        silver = computed["silver"].__class__.objects.get(pk=computed["silver"].pk)
    assert silver.min_won_revenue_12m == Decimal("50000")  # nothing saved by a simulation


def test_saving_the_thresholds_updates_the_tiers_with_an_audit_row(tenant, computed, members, client_for):
    from prm.audit.models import AuditEntry

    data = {**_whatif_data(computed, "25000"), "action": "save"}
    response = client_for(tenant, members["tenant_admin"]).post("/analytics/tiers/what-if/", data)
    assert response.status_code == 302
    with scopes_disabled():
        silver = computed["silver"].__class__.objects.get(pk=computed["silver"].pk)
        assert AuditEntry.objects.filter(tenant=tenant, action="tier.thresholds").count() == 1
    assert silver.min_won_revenue_12m == Decimal("25000")


def test_what_if_rejects_bad_thresholds_with_a_400_and_saves_nothing(tenant, computed, members, client_for):
    data = {**_whatif_data(computed, "-5", "lots"), "action": "save"}
    response = client_for(tenant, members["tenant_admin"]).post("/analytics/tiers/what-if/", data)
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    with scopes_disabled():
        assert computed["silver"].__class__.objects.get(pk=computed["silver"].pk).min_won_revenue_12m == 50000


def test_what_if_is_for_tenant_admins(tenant, members, client_for):
    assert client_for(tenant, members["channel_manager"]).get("/analytics/tiers/what-if/").status_code == 403


# --- Operations and settings ---------------------------------------------------------------------


def test_run_now_computes_and_the_page_shows_the_last_run(tenant, program, members, client_for,
                                                         django_capture_on_commit_callbacks):
    client = client_for(tenant, members["channel_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/analytics/operations/run", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "The health run was started." in response.content.decode()
    # The task starts after the request's transaction commits; the progress poll then shows it finished.
    assert 'id="run-state">Done<' in client.get("/analytics/operations/progress").content.decode()
    with scopes_disabled():
        run = HealthRun.objects.get(tenant=tenant)
    assert (run.trigger, run.triggered_by_id, run.partners_scored) == ("manual", members["channel_manager"].pk, 3)
    page = client.get("/analytics/operations/").content.decode()
    assert "Run now" in page and "3 / 3" in page
    assert "3 of 3 partners scored." in page and "Started " in page  # the last run: start, end, count
    detail = client.get(f"/analytics/operations/runs/{run.pk}/").content.decode()
    assert "Chunks" in detail


def test_run_now_while_a_run_is_in_progress_says_so(tenant, program, members, client_for):
    from analytics.services.runs import health_run_start

    with tenant_scope(tenant):
        health_run_start(tenant=tenant, day=program["northwind"].joined_at.date(), enqueue=False)
    response = client_for(tenant, members["tenant_admin"]).post("/analytics/operations/run", HTTP_HX_REQUEST="true")
    assert "A run is already in progress" in response.content.decode()
    progress = client_for(tenant, members["executive"]).get("/analytics/operations/progress").content.decode()
    assert 'hx-trigger="every 2s"' in progress and "Run now" not in progress


def test_executives_see_operations_but_cannot_run(tenant, members, client_for):
    client = client_for(tenant, members["executive"])
    assert client.get("/analytics/operations/").status_code == 200
    assert client.post("/analytics/operations/run").status_code == 403


def test_run_detail_of_another_tenant_is_404(tenant, other_tenant, members, client_for):
    from tests.factories import HealthRunFactory

    run = HealthRunFactory(tenant=other_tenant)
    assert client_for(tenant, members["executive"]).get(f"/analytics/operations/runs/{run.pk}/").status_code == 404


def test_tenant_admins_change_the_weights_with_an_audit_row(tenant, members, client_for):
    from prm.audit.models import AuditEntry

    client = client_for(tenant, members["tenant_admin"])
    data = {"weight_activity": 40, "weight_recency": 10, "weight_trend": 10, "weight_deals": 10, "weight_wins": 10,
            "weight_onboarding": 10, "weight_certifications": 5, "weight_mdf": 5, "activity_target": 20,
            "deals_target": 3, "certifications_target": 2, "recency_full_days": 7, "recency_zero_days": 60,
            "churn_horizon_days": 60, "at_risk_percent": 60}
    assert client.post("/analytics/settings/", data).status_code == 302
    with scopes_disabled():
        assert AnalyticsSettings.objects.get(tenant=tenant).weight_activity == 40
        assert AuditEntry.objects.filter(tenant=tenant, action="analytics.settings").exists()
    zero = {**data, **{k: 0 for k in data if k.startswith("weight_")}}
    response = client.post("/analytics/settings/", zero)
    assert response.status_code == 400 and "Give at least one component a weight" in response.content.decode()
    bad = {**data, "recency_zero_days": 5}
    assert client.post("/analytics/settings/", bad).status_code == 400
    assert client_for(tenant, members["channel_manager"]).get("/analytics/settings/").status_code == 403


def test_platform_runs_page_is_for_superusers_on_the_base_domain(tenant, members, client_for):
    from tests.factories import HealthRunFactory, UserFactory

    HealthRunFactory(tenant=tenant)
    admin = UserFactory(email="root@platform.test", is_superuser=True, is_staff=True)
    assert client_for(None, admin).get("/analytics/platform/runs/").status_code == 200
    assert client_for(tenant, admin).get("/analytics/platform/runs/").status_code == 404
    assert client_for(None, members["tenant_admin"]).get("/analytics/platform/runs/").status_code == 404


def test_the_proposals_page_says_how_the_program_evaluates_tiers(tenant, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    assert "The nightly evaluation proposes tier changes" in client.get("/analytics/tiers/proposals/").content.decode()
    set_settings(tenant, PartnerSettings, tier_evaluation=PartnerSettings.TierEvaluation.AUTOMATIC)
    assert "This program applies tier changes automatically" in client.get(
        "/analytics/tiers/proposals/").content.decode()


def test_a_course_passed_since_the_night_is_no_longer_suggested(tenant, members, client_for):
    """The scores are nightly; the suggestion to take a course disappears as soon as it is passed."""
    from datetime import timedelta

    from django.utils import timezone

    from analytics.models import PartnerHealthSnapshot
    from prm.tenancy.models import Membership
    from prm.tenancy.scoping import tenant_scope
    from tests.factories import CertificationFactory, CourseFactory

    user = members["partner_admin"]
    with tenant_scope(tenant):
        partner = Membership.objects.get(user=user).partner
    course = CourseFactory(tenant=tenant, title="Advanced solution selling")
    yesterday = timezone.localdate() - timedelta(days=1)
    snapshot = PartnerHealthSnapshot(tenant=tenant, partner=partner, date=yesterday, status="active", score=40,
                                     churn_risk=0.2, computed_at=timezone.now(),
                                     next_actions=[{"code": "take_course", "course_id": str(course.pk),
                                                    "title": course.title}])
    with tenant_scope(tenant):
        snapshot.save()
    client = client_for(tenant, user)
    assert "Advanced solution selling" in client.get("/analytics/scorecard/").content.decode()
    CertificationFactory(tenant=tenant, course=course, partner=partner, user=user)
    assert "Take the course" not in client.get("/analytics/scorecard/").content.decode()
    assert "Take the course" not in client.get("/").content.decode()
