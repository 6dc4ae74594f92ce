"""The charts: plain data built in Python (analytics.charts), drawn by Chart.js from the JSON on each
canvas, with no inline script or style (CSP), and a description in the page's language."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import translation

from analytics import charts
from analytics.services.runs import health_compute
from prm.tenancy.scoping import tenant_scope


class _Page(HTMLParser):
    """The bits of a page the chart tests look at."""

    def __init__(self):
        super().__init__()
        self.canvases, self.scripts, self.styled, self.sections, self.links = [], [], [], [], []
        self.json: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.styled.append(tag)
        if tag == "canvas" and "data-chart" in a:
            self.canvases.append(a)
            self.json[a["data-chart"]] = a["data-chart-spec"]  # the parser has unescaped it
        if tag == "script":
            self.scripts.append(a)
        if tag == "section" and a.get("aria-labelledby"):
            self.sections.append(a["aria-labelledby"])
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


# --- The data ---------------------------------------------------------------------------------


def test_a_bar_chart_is_plain_json_with_numbers_a_height_and_a_description():
    chart = charts.bar_chart(["Gold", "Silver"], [("Open pipeline", [Decimal("32000.50"), 0]),
                                                  ("Won", [Decimal("1000"), None])],
                             title="Pipeline by tier", value_title="USD", fmt="money", currency="USD")
    assert json.loads(json.dumps(chart)) == chart  # nothing but JSON types
    assert chart["series"] == [{"name": "Open pipeline", "values": [32000.5, 0]},
                               {"name": "Won", "values": [1000.0, None]}]
    assert (chart["type"], chart["format"], chart["currency"], chart["size"]) == ("bar", "money", "USD", "s")
    assert chart["description"] == ("Pipeline by tier. Gold: Open pipeline USD 32,000, Won USD 1,000; "
                                    "Silver: Open pipeline USD 0, Won —.")


def test_a_bar_chart_grows_with_its_bars():
    sizes = [charts.bar_chart([str(i) for i in range(n)], [("n", [1] * n)], title="t", value_title="v")["size"]
             for n in (1, 8, 9, 14, 15)]
    assert sizes == ["s", "s", "m", "m", "l"]


def test_a_line_chart_keeps_gaps_and_describes_where_it_starts_and_ends():
    chart = charts.line_chart(["Sep 21", "Sep 28", "Oct 5"], [("Score", [None, 40.0, 55.5])], title="Score, 12 weeks",
                              value_title="Score", y_max=100)
    assert chart["series"][0]["values"] == [None, 40.0, 55.5] and chart["y_max"] == 100
    assert chart["description"] == "Score, 12 weeks: from 40 on Sep 28 to 55.5 on Oct 5."
    empty = charts.line_chart(["Sep 21"], [("Score", [None])], title="Score", value_title="Score")
    assert empty["description"] == "Score. No figures."


def test_descriptions_and_dates_follow_the_language():
    with translation.override("de"):
        chart = charts.bar_chart(["Gold"], [("Won", [Decimal("32000")])], title="Umsatz", value_title="EUR",
                                 fmt="money", currency="EUR")
        assert chart["description"] == "Umsatz. Gold: EUR 32.000."
        assert charts.format_value(12.5, "percent") == "12,5 %"
        assert charts.day_label(date(2026, 3, 5)) == "5. Mär"
    with translation.override("en"):
        assert charts.day_label(date(2026, 3, 5)) == "Mar 5"


# --- The pages --------------------------------------------------------------------------------


def _computed(tenant, day):
    with tenant_scope(tenant):
        assert health_compute(tenant=tenant, day=day).run.status == "done"


@pytest.mark.django_db
def test_the_dashboard_draws_every_chart_from_its_own_json_without_inline_script_or_style(
        tenant, bigger, day, members, client_for):
    _computed(tenant, day)
    html = client_for(tenant, members["executive"]).get("/analytics/dashboard/").content.decode()
    page = _parse(html)
    ids = [c["data-chart"] for c in page.canvases]
    assert ids == ["chart-status", "chart-attribution", "chart-tiers", "chart-types", "chart-funnel",
                   "chart-score-trend", "chart-active-trend", "chart-risk-trend"]
    for canvas in page.canvases:
        spec = json.loads(page.json[canvas["data-chart"]])
        assert canvas["role"] == "img" and canvas["aria-label"] == spec["description"]
        assert spec["labels"] and all(isinstance(v, int | float) or v is None
                                      for s in spec["series"] for v in s["values"])
    # CSP: every script is a file from 'self'; nothing carries a style attribute.
    assert all(s.get("src") for s in page.scripts)
    assert any("vendor/chart-" in (s.get("src") or "") for s in page.scripts) and not page.styled
    # The figures of the long tables are folded under their charts.
    assert html.count('<details class="figures"') == 2 and 'id="table-trends"' in html


@pytest.mark.django_db
def test_the_dashboard_links_to_every_section_from_on_this_page(tenant, bigger, day, members, client_for):
    _computed(tenant, day)
    html = client_for(tenant, members["executive"]).get("/analytics/dashboard/").content.decode()
    page = _parse(html)
    toc = html[html.index('<nav class="dash-toc'):html.index("</nav>", html.index('<nav class="dash-toc'))]
    assert "On this page" in toc
    assert len(page.sections) == 11
    assert [h for h in page.links if f'href="#{h}"' in toc] == page.sections  # in the page's order
    for heading in page.sections:
        assert f'<h2 id="{heading}">' in html


@pytest.mark.django_db
def test_the_scorecard_and_partner_360_draw_their_charts_with_the_figures_beside(
        tenant, computed_twice, members, client_for):
    scorecard = client_for(tenant, computed_twice["user"]).get("/analytics/scorecard/").content.decode()
    page = _parse(scorecard)
    assert [c["data-chart"] for c in page.canvases] == ["chart-score-weeks"]
    weeks = json.loads(page.json["chart-score-weeks"])
    values = weeks["series"][0]["values"]
    assert len(weeks["labels"]) == 12 and values[-1] == 64 and values[-2] is not None
    assert values[:-2] == [None] * 10  # no run in those weeks: gaps, not zeros
    assert 'id="table-score-weeks"' in scorecard and not page.styled

    p360 = client_for(tenant, members["executive"]).get(
        f"/analytics/partners/{computed_twice['northwind'].pk}/").content.decode()
    page = _parse(p360)
    assert [c["data-chart"] for c in page.canvases] == ["chart-p360-score", "chart-p360-risk"]
    risk = json.loads(page.json["chart-p360-risk"])
    assert risk["format"] == "percent" and risk["y_max"] == 100 and len(risk["labels"]) == 2
    assert 'id="table-p360-history"' in p360


@pytest.mark.django_db
def test_pages_without_a_chart_do_not_load_the_chart_library(tenant, members, client_for):
    html = client_for(tenant, members["partner_user"]).get("/analytics/scorecard/").content.decode()
    assert "Your first scorecard is on its way." in html and "vendor/chart-" not in html


@pytest.fixture
def computed_twice(tenant, program, day):
    """Scores a week ago and today: two points on every line."""
    for when in (day - timedelta(days=7), day):
        _computed(tenant, when)
    return program


def test_a_label_cannot_break_out_of_the_chart_attribute():
    from django.template.loader import render_to_string

    chart = charts.bar_chart(['"><script>alert(1)</script>'], [("n", [1])], title="t", value_title="v")
    html = render_to_string("analytics/_chart.html", {"chart": chart, "id": "chart-x"})
    assert "<script" not in html and "&quot;&gt;&lt;script&gt;" in html
    page = _parse(html)
    assert json.loads(page.json["chart-x"])["labels"] == ['"><script>alert(1)</script>']


@pytest.mark.django_db
def test_the_htmx_body_carries_its_charts_data(tenant, bigger, day, members, client_for):
    """htmx drops <script> elements from what it swaps in: the data must not be in one."""
    _computed(tenant, day)
    body = client_for(tenant, members["executive"]).get("/analytics/dashboard/?region=APAC",
                                                        HTTP_HX_REQUEST="true").content.decode()
    page = _parse(body)
    assert len(page.canvases) >= 7 and "<script" not in body
    assert json.loads(page.json["chart-status"])["series"][0]["values"]
