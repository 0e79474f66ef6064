"""Server-side SVG charts (pygal from PyPI). No JavaScript and nothing fetched from the internet."""

from __future__ import annotations

import base64
import re
from decimal import Decimal

import pygal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#d9e2ec",
    colors=("#b3261e", "#0b6bcb", "#1e7f4f", "#b7791f", "#6b46c1"),
    font_family='"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif',
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=14,
)


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _svg(chart) -> SafeString:
    # pygal embeds an inline script (tooltips) and an inline <style>. The charts are static, so the script is
    # dropped; the SVG is then shown as a data: image, whose own styles the page's strict
    # Content-Security-Policy (style-src 'self') does not block, unlike inline SVG.
    svg = _SCRIPT.sub("", chart.render(is_unicode=True, disable_xml_declaration=True))
    data = base64.b64encode(svg.encode()).decode()
    title = escape(getattr(chart.config, "title", None) or "")
    return mark_safe(f'<img class="chart-svg" src="data:image/svg+xml;base64,{data}" alt="{title}">')


def line_chart(title: str, labels: list[str], series: list[tuple[str, list[Decimal | None]]], *, unit: str = "%") -> SafeString:
    """A line chart of monthly values (None leaves a gap), returned as inline SVG."""
    chart = pygal.Line(
        js=[],  # pygal would otherwise load its tooltip script from a CDN
        style=STYLE,
        width=720,
        height=300,
        title=title,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        x_label_rotation=0,
        show_minor_x_labels=True,
        allow_interruptions=True,
        value_formatter=lambda v: f"{v:.2f}{unit}",
        margin=12,
    )
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, [None if v is None else float(v) for v in values])
    return _svg(chart)


def bar_chart(title: str, labels: list[str], values: list[int]) -> SafeString:
    chart = pygal.Bar(js=[], style=STYLE, width=420, height=260, title=title, show_legend=False, margin=12)
    chart.x_labels = labels
    chart.add(title, values)
    return _svg(chart)
