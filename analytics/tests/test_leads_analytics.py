"""Lead analytics: the staff page's figures, charts and fairness table on a small hand-built set of
offers, its access and constant query count; the executive dashboard's leads section; expired lead
offers lowering the health score (with the deduction and the churn reason shown).

The offers (now = the test's clock; "h" = hours after the offer):
  Alpha   4 offers, rule "EMEA resellers": accepted 2 h (converted, won: a USD 10,000 deal),
          accepted 4 h (converted), accepted 30 h after a 24 h window, declined
          and one offer 200 days ago that expired (only in the 365-day period)
  Bravo   4 offers, rule "NA round robin": accepted 6 h, three expired
  Charlie 1 offer, rule "EMEA resellers", still awaiting acceptance
Fairness window (30 days, floor 0.50): received / due — Alpha 6 / 4, Bravo 4 / 4, Charlie 0 / 4.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from analytics import charts
from analytics.selectors.leads import leads_page
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory, PartnerFactory, at_days_ago, events_at
from tests.factories.leads import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/analytics/leads/"


def _offer(tenant, partner, *, rule: str, ago: timedelta, outcome: str, answer_hours: float | None = None,
           window_hours: int = 24, converted: bool = False, won_amount: Decimal | None = None):
    """One lead with one offer to `partner`, `ago` before now, answered `answer_hours` after it."""
    from leads.models import Lead, LeadAssignment

    now = timezone.now()
    offered = now - ago
    accept_by = offered + timedelta(hours=window_hours)
    decided = offered + timedelta(hours=answer_hours) if answer_hours is not None else None
    if outcome == "expired":
        decided = accept_by
    status = {"pending": "assigned", "accepted": "converted" if converted else "accepted"}.get(outcome, "unassigned")
    holder = partner if outcome in ("pending", "accepted") else None
    deal = None
    if won_amount is not None:
        deal = DealFactory(tenant=tenant, partner=partner, status="won", amount=won_amount, won_amount=won_amount,
                           won_base_amount=won_amount, closed_on=timezone.localdate(), decided_at=decided)
    lead = LeadFactory(tenant=tenant, status=status, partner=holder, created_at=offered, offered_at=offered,
                       accept_by=accept_by if holder else None, accepted_at=decided if outcome == "accepted" else None,
                       converted_at=decided if converted else None, deal=deal,
                       deal_outcome=Lead.DealOutcome.WON if won_amount is not None else "")
    with scopes_disabled():
        LeadAssignment.objects.create(tenant=tenant, lead=lead, seq=1, partner=partner, rule_name=rule,
                                      strategy="round_robin", reason="round_robin", created_at=offered,
                                      accept_by=accept_by, outcome=outcome, decided_at=decided)
    return lead


def _share(tenant, partner, received: int, due: float, days_ago: int = 3) -> None:
    from leads.models import LeadShare

    with scopes_disabled():
        LeadShare.objects.create(tenant=tenant, partner=partner, day=timezone.localdate() - timedelta(days=days_ago),
                                 received=received, due=due)


@pytest.fixture
def offers(tenant):
    alpha = PartnerFactory(tenant=tenant, name="Alpha", regions=["EMEA"])
    bravo = PartnerFactory(tenant=tenant, name="Bravo", regions=["NA"])
    charlie = PartnerFactory(tenant=tenant, name="Charlie", regions=["EMEA"])
    emea, na = "EMEA resellers", "NA round robin"
    _offer(tenant, alpha, rule=emea, ago=timedelta(days=10), outcome="accepted", answer_hours=2, converted=True,
           won_amount=Decimal("10000"))
    _offer(tenant, alpha, rule=emea, ago=timedelta(days=9), outcome="accepted", answer_hours=4, converted=True)
    _offer(tenant, alpha, rule=emea, ago=timedelta(days=8), outcome="accepted", answer_hours=30)
    _offer(tenant, alpha, rule=emea, ago=timedelta(days=7), outcome="declined", answer_hours=1)
    _offer(tenant, alpha, rule=emea, ago=timedelta(days=200), outcome="expired")
    _offer(tenant, bravo, rule=na, ago=timedelta(days=6), outcome="accepted", answer_hours=6)
    for days in (5, 4, 3):
        _offer(tenant, bravo, rule=na, ago=timedelta(days=days), outcome="expired")
    _offer(tenant, charlie, rule=emea, ago=timedelta(hours=3), outcome="pending")
    _share(tenant, alpha, 6, 4.0)
    _share(tenant, bravo, 4, 4.0)
    _share(tenant, charlie, 0, 4.0)
    _share(tenant, charlie, 5, 0.0, days_ago=60)  # outside the 30-day routing window
    return {"alpha": alpha, "bravo": bravo, "charlie": charlie}


def _viewer(tenant, user):
    from prm.tenancy.models import Membership
    from prm.tenancy.viewer import Viewer

    with scopes_disabled():
        membership = Membership.objects.select_related("tenant", "partner").get(tenant=tenant, user=user)
    return Viewer.of(membership, user)


def _page(tenant, members, period=90):
    with tenant_scope(tenant):
        return leads_page(_viewer(tenant, members["channel_manager"]), period=period)


def _spec(html: str, chart_id: str) -> dict:
    import html as html_lib
    import re

    match = re.search(rf'data-chart="{chart_id}" data-chart-spec="([^"]*)"', html)
    assert match, chart_id
    return json.loads(html_lib.unescape(match.group(1)))


# --- Figures ------------------------------------------------------------------------------------


def test_totals_rates_and_median_time_to_accept_follow_the_offers_of_the_period(tenant, offers, members):
    page = _page(tenant, members)
    t = page.totals
    assert (t["offered"], t["accepted"], t["in_window"], t["declined"], t["expired"]) == (9, 4, 3, 1, 3)
    assert (t["converted"], t["won"]) == (2, 1)
    # 4 accepted of 8 answered; 3 within the window; hours to accept 2, 4, 30, 6 → median 5.
    assert (t["acceptance_pct"], t["in_window_pct"], t["median_hours_to_accept"]) == (50.0, 37.5, 5.0)
    assert (t["conversion_pct"], t["win_pct"]) == (50.0, 25.0)
    # The year adds Alpha's offer of 200 days ago, which expired.
    year = _page(tenant, members, period=365).totals
    assert (year["offered"], year["expired"], year["acceptance_pct"]) == (10, 4, round(100 * 4 / 9, 1))


def test_each_partner_and_each_rule_has_its_own_figures(tenant, offers, members):
    page = _page(tenant, members)
    by_name = {r["partner__name"]: r for r in page.partners}
    assert [r["partner__name"] for r in page.partners] == ["Alpha", "Bravo", "Charlie"]  # most offers first
    alpha, bravo, charlie = by_name["Alpha"], by_name["Bravo"], by_name["Charlie"]
    assert (alpha["offered"], alpha["accepted"], alpha["in_window"], alpha["declined"]) == (4, 3, 2, 1)
    assert (alpha["acceptance_pct"], alpha["median_hours_to_accept"]) == (75.0, 4.0)
    assert (alpha["conversion_pct"], alpha["win_pct"]) == (66.7, 33.3)
    assert (bravo["offered"], bravo["expired"], bravo["acceptance_pct"], bravo["median_hours_to_accept"]) == (
        4, 3, 25.0, 6.0)
    assert (charlie["offered"], charlie["acceptance_pct"], charlie["median_hours_to_accept"]) == (1, None, None)
    rules = {r["rule_name"]: r for r in page.rules}
    assert set(rules) == {"EMEA resellers", "NA round robin"}
    assert (rules["EMEA resellers"]["offered"], rules["EMEA resellers"]["acceptance_pct"]) == (5, 75.0)
    assert (rules["NA round robin"]["offered"], rules["NA round robin"]["win_pct"]) == (4, 0.0)


def test_the_fairness_table_compares_shares_with_the_floor_and_lists_those_below_it_first(tenant, offers, members):
    page = _page(tenant, members)
    assert (page.window_days, page.floor, page.below_floor, page.share_count) == (30, 0.5, 1, 3)
    rows = [(s["row"].partner_name, s["row"].received, s["received_pct"], s["due_pct"], s["floor_pct"],
             s["below_floor"]) for s in page.shares]
    assert rows == [("Charlie", 0, 0.0, 33.3, 16.7, True),  # 0 received of 4 due: floor 2, more than a lead short
                    ("Alpha", 6, 60.0, 33.3, 16.7, False),
                    ("Bravo", 4, 40.0, 33.3, 16.7, False)]


def test_the_chart_data_are_the_funnel_and_the_shares(tenant, offers, members):
    page = _page(tenant, members)
    with tenant_scope(tenant):
        funnel = charts.lead_funnel_chart(page.totals)
        shares = charts.lead_share_chart([s["row"] for s in page.shares])
        acceptance = charts.lead_acceptance_chart(page.partners)
    assert funnel["labels"] == ["Offered", "Accepted", "Converted to a deal", "Won"]
    assert funnel["series"] == [{"name": "Lead offers", "values": [9, 4, 2, 1]}]
    assert shares["labels"] == ["Charlie", "Alpha", "Bravo"] and shares["format"] == "percent"
    assert [s["values"] for s in shares["series"]] == [[0.0, 60.0, 40.0], [33.3, 33.3, 33.3], [16.7, 16.7, 16.7]]
    assert acceptance["series"][0]["values"] == [75.0, 25.0, None]
    assert acceptance["series"][1]["values"] == [33.3, 0.0, None]


# --- The page -------------------------------------------------------------------------------------


def test_the_page_shows_tiles_tables_charts_and_the_floor_marker(tenant, offers, members, client_for):
    response = client_for(tenant, members["executive"]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for kpi, text in (("offered", "9"), ("acceptance", "50 %"), ("in-window", "37.5 %"), ("median-hours", "5.0 h"),
                      ("conversion", "50 %"), ("win", "25 %")):
        assert f'data-kpi="{kpi}">{text}<' in html, kpi
    assert _spec(html, "chart-lead-funnel")["series"][0]["values"] == [9, 4, 2, 1]
    assert _spec(html, "chart-lead-shares")["labels"] == ["Charlie", "Alpha", "Bravo"]
    partners = html[html.index('id="table-lead-partners"'):]
    partners = partners[:partners.index("</table>")]
    alpha = partners[partners.index(f'data-partner="{offers["alpha"].pk}"'):]
    assert 'data-figure="acceptance">75 %<' in alpha[:alpha.index("</tr>")]
    assert 'data-figure="offered">9<' in partners[partners.index('data-partner="total"'):]
    assert "EMEA resellers" in html[html.index('id="table-lead-rules"'):]
    fairness = html[html.index('id="table-lead-fairness"'):]
    fairness = fairness[:fairness.index("</table>")]
    charlie = fairness[fairness.index(f'data-partner="{offers["charlie"].pk}"'):]
    charlie = charlie[:charlie.index("</tr>")]
    assert "data-below-floor" in charlie and "Below the floor" in charlie
    assert fairness.count("Below the floor") == 1 and fairness.count("Meets the floor") == 2
    assert "1 partner below the floor" in html


def test_the_period_selector_changes_the_figures_and_htmx_gets_the_body_only(tenant, offers, members, client_for):
    client = client_for(tenant, members["channel_manager"])
    assert 'data-kpi="offered">10<' in client.get(URL + "?period=365").content.decode()
    body = client.get(URL + "?period=30", HTTP_HX_REQUEST="true").content.decode()
    assert body.lstrip().startswith('<div id="leads-body">') and "<html" not in body
    assert 'data-kpi="offered">9<' in body
    bad = client.get(URL + "?period=7")
    assert bad.status_code == 400 and 'data-kpi="offered">9<' in bad.content.decode()  # falls back to 90 days


def test_a_tenant_without_leads_gets_an_empty_state(tenant, members, client_for):
    html = client_for(tenant, members["channel_manager"]).get(URL).content.decode()
    assert 'id="leads-empty"' in html and "No leads yet." in html and "data-chart-spec" not in html


@pytest.mark.parametrize(("role", "status"), [("executive", 200), ("channel_manager", 200), ("tenant_admin", 200),
                                              ("partner_admin", 403), ("partner_user", 403)])
def test_the_page_is_for_staff_only(tenant, offers, members, client_for, role, status):
    assert client_for(tenant, members[role]).get(URL).status_code == status


def test_a_manager_confined_to_a_book_is_told_the_page_is_program_wide(tenant, offers, members, client_for):
    from partners.models import PartnerSettings
    from tests.factories.core import set_settings

    set_settings(tenant, PartnerSettings, restrict_managers_to_book=True)
    response = client_for(tenant, members["channel_manager"]).get(URL)
    assert response.status_code == 403 and "whole program" in response.content.decode()


def test_the_page_answers_405_to_post(tenant, members, client_for):
    assert client_for(tenant, members["executive"]).post(URL).status_code == 405


def _more(tenant, n: int) -> None:
    """n more partners, each with an accepted and an expired offer and a fairness row."""
    for i in range(n):
        p = PartnerFactory(tenant=tenant, name=f"Extra {i:03d}")
        _offer(tenant, p, rule=f"Rule {i % 4}", ago=timedelta(days=2 + i % 20), outcome="accepted", answer_hours=3)
        _offer(tenant, p, rule=f"Rule {i % 4}", ago=timedelta(days=1 + i % 20), outcome="expired")
        _share(tenant, p, 1, 1.5)


# Tenant, session, user, membership (middleware); whether the tenant has a lead; lead_stats (per
# partner, per rule, the accepted offers' times); the leads settings row; share_report. The same
# for 3 partners with 10 offers and 60 partners with 124.
PAGE_QUERIES = 10


@pytest.mark.parametrize("size", [0, 57])
def test_the_page_runs_a_constant_number_of_queries(tenant, offers, members, client_for, size,
                                                    django_assert_num_queries):
    _more(tenant, size)
    client = client_for(tenant, members["executive"])
    client.get(URL)  # warm the session
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL + "?period=90")
    assert response.status_code == 200 and f'data-kpi="offered">{9 + 2 * size}<' in response.content.decode()


# --- The executive dashboard ----------------------------------------------------------------------


def _dashboard(tenant, **params):
    from analytics.selectors.dashboard import dashboard
    from analytics.selectors.filters import DashboardFilterForm

    with tenant_scope(tenant):
        form = DashboardFilterForm({k: str(v) for k, v in params.items()} or None, tenant=tenant)
        return dashboard(tenant, form.filters())


def test_the_dashboard_leads_section_counts_offers_acceptance_conversion_and_won_revenue(
        tenant, offers, members, client_for):
    from analytics.services.runs import health_compute

    leads = _dashboard(tenant, period=90).leads
    assert (leads["offered"], leads["decided"], leads["accepted"], leads["in_window"]) == (9, 8, 4, 3)
    assert (leads["in_window_pct"], leads["conversion_pct"], leads["win_pct"]) == (37.5, 50.0, 25.0)
    assert leads["won_revenue"] == Decimal("10000")
    assert _dashboard(tenant, period=365).leads["offered"] == 10
    # The region filter narrows to the partners serving it: Bravo (NA) only.
    na = _dashboard(tenant, period=90, region="NA").leads
    assert (na["offered"], na["accepted"], na["in_window_pct"], na["won_revenue"]) == (4, 1, 25.0, Decimal("0"))
    with tenant_scope(tenant):
        assert health_compute(tenant=tenant, day=timezone.localdate()).run.status == "done"
    html = client_for(tenant, members["executive"]).get("/analytics/dashboard/").content.decode()
    assert 'href="#h-leads"' in html and 'id="h-leads"' in html
    section = html[html.index('id="h-leads"'):]
    section = section[:section.index("</section>")]
    assert 'data-figure="leads-offered">9<' in section and 'data-figure="leads-in-window">37.5 %<' in section
    assert 'data-figure="leads-conversion">50 %<' in section and 'data-figure="leads-won-revenue">10,000<' in section
    assert 'href="/analytics/leads/?period=90"' in section


# --- Health score -------------------------------------------------------------------------------


def test_a_partner_that_lets_leads_expire_scores_lower_than_one_that_accepted_them(
        tenant, members, make_member, client_for):
    """Both: a sign-in 2 days ago, 20 content views in 30 days, a deal registered 10 days ago, so
    activity, recency and trend are full and deals a third: (25 + 15 + 10 + 15/3 + 0) / 75 × 100
    = 73.3 points. Keen accepted its 4 lead offers; Sleepy accepted 2 and let 2 expire:
    15 × 2 / 4 = 7.5 points off (66), and the churn estimate names it."""
    from analytics.models import PartnerHealthSnapshot
    from analytics.services.runs import health_compute
    from analytics.services.scoring import lead_penalty_of

    day = timezone.localdate()
    keen = PartnerFactory(tenant=tenant, name="Keen")
    sleepy = PartnerFactory(tenant=tenant, name="Sleepy")
    for p in (keen, sleepy):
        events_at(tenant, p, "sign_in", [2], day=day)
        events_at(tenant, p, "content_viewed", list(range(1, 20)), day=day)
        DealFactory(tenant=tenant, partner=p, submitted_at=at_days_ago(day, 10))
    events_at(tenant, keen, "lead_accepted", [3, 5, 7, 9], day=day)
    events_at(tenant, sleepy, "lead_accepted", [3, 5], day=day)
    events_at(tenant, sleepy, "lead_expired", [7, 9], day=day)
    with tenant_scope(tenant):
        assert health_compute(tenant=tenant, day=day).run.status == "done"
        k = PartnerHealthSnapshot.objects.get(partner=keen, date=day)
        s = PartnerHealthSnapshot.objects.get(partner=sleepy, date=day)
    # An expired offer is not engagement: Keen has 20 + 4, Sleepy 20 + 2 (both reach the target).
    assert (k.events_30, s.events_30) == (24, 22)
    assert k.component_values == s.component_values
    assert (k.score, s.score) == (73, 66)
    assert lead_penalty_of(k.activity) == {"expired": 0, "decisions": 4, "points": 0.0}
    assert lead_penalty_of(s.activity) == {"expired": 2, "decisions": 4, "points": 7.5}
    assert k.churn_reasons == [] and (k.churn_risk, s.churn_risk) == (0.05, 0.15)
    assert s.churn_reasons == [{"rule": "leads_expired", "contribution": 0.1, "value": [2, 4]}]
    # The deduction and the reason appear where the breakdown and the reasons are shown.
    html = client_for(tenant, members["channel_manager"]).get(f"/analytics/partners/{sleepy.pk}/").content.decode()
    assert 'data-component="lead-expiry"' in html and "Expired lead offers (90 days)" in html and "−7.5" in html
    assert "Let 2 of 4 lead offers expire in 90 days" in html
    assert 'data-component="lead-expiry"' not in client_for(tenant, members["channel_manager"]).get(
        f"/analytics/partners/{keen.pk}/").content.decode()  # nothing expired, nothing taken off
    own = client_for(tenant, make_member(tenant, "partner_user", partner=sleepy)).get("/analytics/scorecard/")
    assert "2 of 4 lead offers in the last 90 days expired without an answer." in own.content.decode()
