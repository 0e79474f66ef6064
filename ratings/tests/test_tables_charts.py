"""Tables and charts read at a desk (issue 14, item 8): numbers right-aligned under right-aligned headers,
whole month labels on the axes, each star round's own cut-offs."""

import base64
import re

import pytest
from django.utils import timezone

from ratings import charts
from ratings.tests.factories import star_round

pytestmark = pytest.mark.django_db


def svg_text(img: str) -> str:
    """The text of a chart (an <img> with an SVG data: URL)."""
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', img).group(1)
    return base64.b64decode(data).decode()


def months(n: int) -> list[str]:
    return [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


@pytest.mark.parametrize("n", [12, 18, 36])
def test_month_labels_are_never_cut(n):
    labels = months(n)
    svg = svg_text(charts.line_chart("投诉比", labels, [("投诉比", [1] * n)], partial=[False] * (n - 1) + [True]))
    assert "…" not in svg
    shown = set(re.findall(r">(\d{4}-\d{2})<", svg))
    assert shown <= set(labels) and labels[0] in shown
    assert len(shown) == (n if n <= 24 else len(labels[::3]))  # long spans label every third month, whole


def th_of(html: str, table_key: str) -> list[str]:
    block = html.split(f'id="table-{table_key}"', 1)[1].split("</thead>", 1)[0]
    return re.findall(r"<th(?=[\s>])([^>]*)>", block)


def test_dashboard_charts_show_whole_months_and_number_headers_align(world, client):
    star_round(world, publish=True)
    client.force_login(world.district)
    # Up to the current, unfinished month: its label is the month alone (the dashed segment and the legend
    # say it is unfinished), where "2026-12 (not finished, to day 5)" was cut to "2026-1…".
    now = timezone.localdate()
    first, current = f"{now.year - 1}-{now.month:02d}", f"{now:%Y-%m}"
    html = client.get(f"/ratings/?from={first}&to={current}").content.decode()
    svgs = [svg_text(m) for m in re.findall(r'<img class="chart-svg"[^>]+>', html)]
    trends = [s for s in svgs if f">{current}<" in s]
    assert len(trends) == 3 and all("…" not in s for s in trends)
    # Star distribution by town: the town left, every star count and its header right.
    heads = th_of(html, "stars")
    assert 'class="num"' not in heads[0] and all('class="num"' in h for h in heads[1:]), heads
    # Monthly figures: the month left, every figure column right.
    heads = th_of(html, "trend")
    assert 'class="num"' not in heads[0] and all('class="num"' in h for h in heads[1:]), heads


def test_star_round_pages_print_the_rounds_own_cut_offs(world, client):
    rnd = star_round(world, publish=True, cut_5="95.28")
    client.force_login(world.district)
    listing = client.get("/ratings/stars/").content.decode()
    assert "5★ ≥ 95.28" in listing and "90 分以上五星" not in listing
    assert "默认分数线为 90 分及以上五星" in listing  # a new round's defaults, said to be defaults
    detail = client.get(f"/ratings/stars/{rnd.pk}/").content.decode()
    assert "95.28 分及以上为五星" in detail
    heads = th_of(detail, "ratings")
    # Compound, town | four figures, score, proposed and confirmed stars | reason.
    assert [('class="num"' in h) for h in heads] == [False, False, True, True, True, True, True, True, True, False], heads
