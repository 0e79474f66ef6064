"""Server-side SVG charts (pygal from PyPI). No JavaScript and nothing fetched from the internet."""

from __future__ import annotations

import base64
import re
from decimal import Decimal

import pygal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

STYLE_OPTIONS = dict(
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
STYLE = Style(**STYLE_OPTIONS)


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _svg(chart) -> SafeString:
    # pygal embeds an inline script (tooltips) and an inline <style>. The charts are static, so the script is
    # dropped; the SVG is then shown as a data: image, whose own styles the page's strict
    # Content-Security-Policy (style-src 'self') does not block, unlike inline SVG.
    svg = _SCRIPT.sub("", chart.render(is_unicode=True, disable_xml_declaration=True))
    data = base64.b64encode(svg.encode()).decode()
    title = escape(getattr(chart.config, "title", None) or "")
    return mark_safe(f'<img class="chart-svg" src="data:image/svg+xml;base64,{data}" alt="{title}">')


def line_chart(
    title: str,
    labels: list[str],
    series: list[tuple[str, list[Decimal | None]]],
    *,
    unit: str = "%",
    partial: list[bool] | None = None,
) -> SafeString:
    """A line chart of monthly values (None leaves a gap), returned as inline SVG.

    `partial` marks unfinished months (the current one): each series stops at the last finished month and
    a dashed segment in the same colour leads to the unfinished month's point, which is drawn hollow.
    """
    partial = partial or [False] * len(labels)
    tails = any(partial)
    # The dashed tails come after the series and take the same colours in the same order.
    style = Style(**{**STYLE_OPTIONS, "colors": STYLE_OPTIONS["colors"][: len(series)] * 2}) if tails else STYLE
    chart = pygal.Line(
        js=[],  # pygal would otherwise load its tooltip script from a CDN
        style=style,
        width=720,
        height=300,
        title=title,
        show_legend=len(series) > 1 or tails,
        legend_at_bottom=True,
        # Month labels are never cut ("2026-···"): up to a year they stand upright, longer spans tilt them
        # (and beyond two years only every third month is labelled, see below).
        truncate_label=-1,
        x_label_rotation=0 if len(labels) <= 12 else 40,
        show_minor_x_labels=True,
        allow_interruptions=True,
        value_formatter=lambda v: f"{v:.2f}{unit}",
        margin=12,
    )
    chart.x_labels = labels if len(labels) <= 24 else [label if i % 3 == 0 else "" for i, label in enumerate(labels)]
    for name, values in series:
        chart.add(name, [None if v is None or p else float(v) for v, p in zip(values, partial, strict=True)])
    if tails:
        for name, values in series:
            first = partial.index(True)
            tail = [None] * len(values)
            for i in range(max(0, first - 1), len(values)):
                tail[i] = None if values[i] is None else float(values[i])
            chart.add(
                _("%(name)s (unfinished month)") % {"name": name},
                tail,
                stroke_style={"dasharray": "6, 4", "width": 2},
                dots_size=4,
                show_only_major_dots=False,
                fill=False,
            )
    return _svg(chart)


def bar_chart(title: str, labels: list[str], values: list[int]) -> SafeString:
    chart = pygal.Bar(js=[], style=STYLE, width=420, height=260, title=title, show_legend=False, margin=12, truncate_label=-1)
    chart.x_labels = labels
    chart.add(title, values)
    return _svg(chart)
