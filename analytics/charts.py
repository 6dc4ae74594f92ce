"""Server-side SVG charts: no JavaScript, no inline styles (CSP), printable, and every chart has
the same figures in a table next to it. Colours come from classes in analytics.css / portal.css."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal


def _num(value) -> float:
    return float(value) if value is not None else 0.0


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def bar_chart(items: Sequence[tuple[str, Number]], *, title: str, fmt: Callable = _fmt,
              series: Sequence[tuple[str, Sequence[Number]]] | None = None) -> SafeString:
    """Horizontal bars, one row per item. With `series`, several bars per row (legend on top)."""
    if series is None:
        series = [("", [v for _l, v in items])]
    labels = [label for label, _v in items]
    rows, per_row = len(labels), len(series)
    bar_h, gap, left, right, top = 14, 10, 150, 90, 8 + (18 if per_row > 1 else 0)
    row_h = per_row * bar_h + gap
    width, height = 640, top + rows * row_h + 4
    peak = max([_num(v) for _name, values in series for v in values] + [0]) or 1.0
    span = width - left - right
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    if per_row > 1:
        x = left
        for i, (name, _values) in enumerate(series):
            parts.append(f'<rect class="bar-s{i}" x="{x}" y="2" width="10" height="10"></rect>'
                         f'<text x="{x + 14}" y="11">{escape(name)}</text>')
            x += 14 + 8 * len(name) + 16
    for r, label in enumerate(labels):
        y0 = top + r * row_h
        parts.append(f'<text x="{left - 6}" y="{y0 + per_row * bar_h / 2 + 4:.0f}" text-anchor="end">'
                     f'{escape(label[:24])}</text>')
        for i, (_name, values) in enumerate(series):
            value = values[r]
            w = max(0.0, _num(value) / peak * span)
            y = y0 + i * bar_h
            parts.append(f'<rect class="bar-s{i}" x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}"></rect>'
                         f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 4}">{escape(fmt(value))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(points: Sequence[tuple[str, Number | None]], *, title: str, fmt: Callable = _fmt,
               y_max: float | None = None) -> SafeString:
    """A line over evenly spaced labels; missing values leave a gap."""
    width, height, left, right, top, bottom = 640, 180, 44, 16, 12, 28
    values = [_num(v) for _l, v in points if v is not None]
    peak = y_max or (max(values) if values else 0) or 1.0
    n = max(len(points) - 1, 1)
    span_x, span_y = width - left - right, height - top - bottom

    def xy(i, v):
        return left + i * span_x / n, top + span_y - _num(v) / peak * span_y

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line class="axis" x1="{left}" y1="{top + span_y}" x2="{width - right}" y2="{top + span_y}"></line>',
             f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{escape(fmt(peak))}</text>',
             f'<text x="{left - 6}" y="{top + span_y}" text-anchor="end">0</text>']
    segment: list[str] = []
    segments = []
    for i, (_label, v) in enumerate(points):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        x, y = xy(i, v)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{escape(fmt(v))}</title></circle>')
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(f'<polyline class="line" points="{" ".join(seg)}"></polyline>')
    step = max(1, len(points) // 6)
    for i, (label, _v) in enumerate(points):
        if i % step == 0 or i == len(points) - 1:
            x, _y = xy(i, 0)
            parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
