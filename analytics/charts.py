"""Chart data for the analytics pages, drawn in the browser by Chart.js (static/vendor/chart-*.js).

Each function returns a plain, JSON-serialisable description of one chart. The template
analytics/_chart.html puts it on a `<canvas data-chart="chart-x" data-chart-spec="{…}">` (JSON in an
attribute: htmx drops `<script>` elements, json_script's too, from the dashboard body it swaps), and
analytics/static/analytics/charts.js turns it into a Chart.js configuration: the tenant's brand
colour (the --prm-brand custom property), numbers in the page's language, no animation for people
who asked for reduced motion. Nothing here is HTML or script, so the Content-Security-Policy
('self' only) stays as it is.

Every chart carries a one-sentence description (`description`, the canvas's aria-label), and every
page keeps the figures in a table next to the chart: that table is the text alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from django.utils.formats import date_format, get_format, number_format
from django.utils.translation import gettext as _

Number = int | float | Decimal
Series = Sequence[tuple[str, Sequence[Number | None]]]
Format = Literal["integer", "decimal", "percent", "money"]

# Heights (CSS classes chart-s / chart-m / chart-l in analytics.css: 220, 280, 360 px): a horizontal
# bar chart grows with its bars so that each stays about 16 px thick or more; a line chart is "s".
_BARS_FOR_SIZE = ((8, "s"), (14, "m"))


def _value(value: Number | None) -> float | int | None:
    """Decimals would reach the page as strings (DjangoJSONEncoder); the chart needs numbers."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return float(value)


def format_value(value: Number | None, fmt: Format, currency: str = "") -> str:
    """A figure as the page writes it (in the active language), for the description."""
    if value is None:
        return "—"
    if fmt == "money":
        amount = number_format(Decimal(str(value)), decimal_pos=0, use_l10n=True, force_grouping=True)
        return f"{currency} {amount}".strip()
    decimals = 0 if fmt == "integer" or float(value) % 1 == 0 else 1
    text = number_format(Decimal(str(value)), decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{text} %" if fmt == "percent" else text


def _series(series: Series) -> list[dict]:
    return [{"name": str(name), "values": [_value(v) for v in values]} for name, values in series]


def _size(bars: int) -> str:
    for limit, size in _BARS_FOR_SIZE:
        if bars <= limit:
            return size
    return "l"


def bar_chart(labels: Sequence[str], series: Series, *, title: str, value_title: str, category_title: str = "",
              fmt: Format = "integer", currency: str = "") -> dict:
    """Horizontal bars, one row per label; with several series, one bar of each per row (and a legend)."""
    labels = [str(label) for label in labels]
    data = _series(series)
    parts = []
    for i, label in enumerate(labels):
        figures = [format_value(s["values"][i], fmt, currency) for s in data]
        if len(data) == 1:
            parts.append(f"{label}: {figures[0]}")
        else:
            parts.append(f"{label}: " + ", ".join(f"{s['name']} {f}" for s, f in zip(data, figures, strict=True)))
    return {
        "type": "bar", "title": str(title), "labels": labels, "series": data, "format": fmt, "currency": currency,
        "value_title": str(value_title), "category_title": str(category_title),
        "size": _size(len(labels) * len(data)),
        "description": f"{title}. " + "; ".join(parts) + "." if parts else f"{title}. " + _("No figures."),
    }


def line_chart(labels: Sequence[str], series: Series, *, title: str, value_title: str, category_title: str = "",
               fmt: Format = "decimal", y_max: float | None = None) -> dict:
    """Lines over evenly spaced labels (dates); a missing value leaves a gap."""
    labels = [str(label) for label in labels]
    data = _series(series)
    parts = []
    for s in data:
        known = [(label, v) for label, v in zip(labels, s["values"], strict=True) if v is not None]
        if not known:
            continue
        (first_label, first), (last_label, last) = known[0], known[-1]
        prefix = f"{s['name']}: " if len(data) > 1 else ""
        if len(known) == 1:
            parts.append(prefix + _("%(value)s on %(date)s") % {"value": format_value(last, fmt),
                                                                "date": last_label})
        else:
            parts.append(prefix + _("from %(first)s on %(first_date)s to %(last)s on %(last_date)s") % {
                "first": format_value(first, fmt), "first_date": first_label,
                "last": format_value(last, fmt), "last_date": last_label})
    return {
        "type": "line", "title": str(title), "labels": labels, "series": data, "format": fmt, "currency": "",
        "value_title": str(value_title), "category_title": str(category_title), "y_max": y_max, "size": "s",
        "description": f"{title}: " + "; ".join(parts) + "." if parts else f"{title}. " + _("No figures."),
    }


def day_label(day) -> str:
    """A date on a chart's axis: day and short month in the language's order ("Mar 5", "5. Mär")."""
    return date_format(day, get_format("MONTH_DAY_FORMAT").replace("F", "M"))


# --- Leads (analytics/leads.html) ------------------------------------------------------------------


def _pct(value: float | None) -> float | None:
    """A rate of leads.selectors (0–1) as a percentage with one decimal."""
    return None if value is None else round(100 * value, 1)


def lead_funnel_chart(totals: dict) -> dict:
    """Offered → accepted → converted to a deal → won, one bar each (leads.selectors.lead_stats totals)."""
    steps = [(_("Offered"), "offered"), (_("Accepted"), "accepted"), (_("Converted to a deal"), "converted"),
             (_("Won"), "won")]
    return bar_chart([label for label, _key in steps], [(_("Lead offers"), [totals.get(key, 0) for _l, key in steps])],
                     title=_("Lead funnel"), value_title=_("Lead offers"))


def lead_acceptance_chart(partners: Sequence[dict]) -> dict:
    """Acceptance and win rate (%) of the partners with the most offers (lead_stats rows, in order)."""
    return bar_chart([p["partner__name"] for p in partners],
                     [(_("Acceptance rate"), [_pct(p["acceptance_rate"]) for p in partners]),
                      (_("Win rate"), [_pct(p["win_rate"]) for p in partners])],
                     title=_("Acceptance and win rate by partner"), value_title=_("Rate (%)"), fmt="percent")


def lead_share_chart(rows: Sequence) -> dict:
    """Each partner's share of the leads routed against the share it was due and its floor (%)
    (leads.selectors.ShareRow, in order)."""
    return bar_chart([r.partner_name for r in rows],
                     [(_("Received share"), [round(100 * r.received_share, 1) for r in rows]),
                      (_("Due share"), [round(100 * r.due_share, 1) for r in rows]),
                      (_("Fairness floor"), [round(100 * r.floor_share, 1) for r in rows])],
                     title=_("Lead share received, due and the floor"), value_title=_("Share (%)"), fmt="percent")
