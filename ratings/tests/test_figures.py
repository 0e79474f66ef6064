"""One figure, one meaning (issue 12): the catalogue, periods beside figures, the same number for the same
area, indicator and period on every surface, partial months and the "520" dimensions."""

import base64
import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from communities.tests import factories as f
from ratings import engine, indicators, selectors, services
from ratings.models import Level, Target
from ratings.tests.factories import complaint, local, response, survey

NOW = local(2026, 11, 20)
SPAN = {"from": "2026-06", "to": "2026-11"}
AREA_LINK = re.compile(r'href="/ratings/(district|subdistrict|community|compound)/(\d+)/"')


@pytest.fixture
def figures_world(world):
    """Complaints over several months, two survey rounds with the five dimensions, an inspection and a
    rectification list: every family of the catalogue has data in 后龙镇 and 界山镇."""
    from inspections.models import ChecklistTemplate, Inspection, RectificationList

    w = world
    units = {c.pk: [f.UnitFactory(compound=c) for _ in range(6)] for c in (w.fulian, w.tianma, w.jinxiang)}
    for month, n in ((6, 2), (7, 3), (8, 1), (9, 4), (10, 2), (11, 3)):
        for i in range(n):
            complaint(w.fulian, local(2026, month, 3 + i), status="closed", rating="satisfied" if i % 2 else "dissatisfied")
            complaint(w.tianma, local(2026, month, 5 + i), status="resolved")
        complaint(w.tianma, local(2026, month, 20), is_overdue=True)
    for month, answers in (((2026, 7), "sbsdsb"), ((2026, 10), "ssbsds")):
        rnd = survey(w, month=month)
        for c in (w.fulian, w.tianma, w.jinxiang):
            for unit, a in zip(units[c.pk], answers, strict=True):
                overall = {"s": "satisfied", "b": "basic", "d": "dissatisfied"}[a]
                response(rnd, unit, overall, governance="dissatisfied" if a == "b" else overall, neighbours="satisfied")
    template = ChecklistTemplate.objects.create(name="检查表", version=1)
    inspection = Inspection.objects.create(
        compound=w.fulian,
        template=template,
        inspected_on=date(2026, 7, 1),
        recorded_by=w.town_houlong,
        status="submitted",
        submitted_at=local(2026, 7, 1),
        total_score=82,
        max_total=100,
        percentage=82,
    )
    RectificationList.objects.create(
        number="ZG-1", inspection=inspection, compound=w.fulian, company=w.yifang, issued_by=w.town_houlong, deadline=date(2026, 8, 30)
    )
    engine.compute(full=True, now=NOW)
    return w


# --- Parsing what each surface shows --------------------------------------------------------------
def _html_figures(body: str, page_area: tuple[str, int]) -> list[tuple]:
    """(level, id, key, period, text) of every figure on a page: cards belong to the page's area, table
    cells to the area their row links to (else the page's area)."""
    out = []
    for m in re.finditer(r'id="kpi-[^"]+" data-indicator="([^"]+)" data-period="([^"]*)".*?data-value>([^<]*)<', body, re.S):
        out.append((*page_area, m.group(1), unescape(m.group(2)), m.group(3).strip()))
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        link = AREA_LINK.search(row)
        area = (link.group(1), int(link.group(2))) if link else page_area
        for key, period, text in re.findall(r'<td class="num" data-indicator="([^"]+)" data-period="([^"]*)"[^>]*>([^<]*)</td>', row):
            period = unescape(period)
            text = unescape(text).strip()
            # A cell whose period differs from its column's carries it: "97.81%（2026年第2轮调查（10月））".
            suffix = f"（{period}）"
            out.append((*area, key, period, text[: -len(suffix)] if text.endswith(suffix) else text))
    return out


def _labels() -> dict[str, str]:
    return {i.label(): k for k, i in indicators.INDICATORS.items()} | {i.label(month=True): k for k, i in indicators.INDICATORS.items()}


def _shown(cell):
    """A cell as Excel shows it: a rate is a fraction with a percent format (0.8314 → 83.14%), a figure of two
    decimals a number with format 0.00."""
    value = cell.value
    if isinstance(value, int | float) and cell.number_format == "0.00%":
        return f"{Decimal(str(value)) * 100:.2f}%"
    if isinstance(value, int | float) and cell.number_format == "0.00":
        return f"{Decimal(str(value)):.2f}"
    return value


def _xlsx_figures(content: bytes, names: dict[str, tuple[str, int]]) -> list[tuple]:
    """Figures of an exported table: header "name（period）" names the indicator and the period; the row's
    area is found by its name."""
    rows = [[_shown(c) for c in row] for row in load_workbook(BytesIO(content)).active.iter_rows()]
    labels, header, out = _labels(), rows[0], []
    columns = {}
    for i, h in enumerate(header):
        m = re.fullmatch(r"(.+?)（(.+)）", str(h or ""))
        if m and m.group(1) in labels:
            columns[i] = (labels[m.group(1)], m.group(2))
    assert columns, header
    for row in rows[1:]:
        area = next((names[c] for c in row if isinstance(c, str) and c in names), None)
        if area is None:
            continue
        for i, (key, period) in columns.items():
            text = str(row[i])
            m = re.fullmatch(r"(.+?)（(.+)）", text)
            out.append((*area, key, m.group(2) if m else period, m.group(1) if m else text))
    return out


def _api_figures(client, level: str, pk: int, **params) -> list[tuple]:
    data = client.get("/api/v1/metrics/summary/", {"level": level, "area": pk, **params}).json()
    return [(level, pk, fig["key"], fig["period"], fig["text"]) for fig in data["figures"]]


def test_same_area_same_period_same_label_gives_the_same_number_everywhere(figures_world, client):
    w = figures_world
    client.force_login(w.district)
    star_round = services.star_round_create(
        actor=w.district, district_id=w.district_area.pk, title="星级评定", month_from=date(2026, 6, 1), month_to=date(2026, 11, 1)
    )
    services.star_round_propose(actor=w.district, round_id=star_round.pk)
    names = {
        "后龙镇": ("subdistrict", w.houlong.pk),
        "界山镇": ("subdistrict", w.jieshan.pk),
        "山腰街道": ("subdistrict", w.shanyao.pk),
        "福炼社区": ("community", w.fulian_community.pk),
        "福炼小区": ("compound", w.fulian.pk),
        "天马华耀城": ("compound", w.tianma.pk),
        "锦祥安置小区": ("compound", w.jinxiang.pk),
    }
    seen: dict[tuple, set] = defaultdict(set)
    surfaces: dict[str, set] = defaultdict(set)

    def record(surface: str, figures: list[tuple]) -> None:
        assert figures, surface
        for level, pk, key, period, text in figures:
            seen[(level, pk, key, period)].add((text, surface))
            surfaces[key].add(surface)

    pages = [
        ("district dashboard", "/ratings/", ("district", w.district_area.pk)),
        ("town dashboard", f"/ratings/subdistrict/{w.houlong.pk}/", ("subdistrict", w.houlong.pk)),
        ("community dashboard", f"/ratings/community/{w.fulian_community.pk}/", ("community", w.fulian_community.pk)),
        ("compound page", f"/ratings/compound/{w.fulian.pk}/", ("compound", w.fulian.pk)),
        ("compound page tianma", f"/ratings/compound/{w.tianma.pk}/", ("compound", w.tianma.pk)),
    ]
    for surface, url, area in pages:
        r = client.get(url, SPAN)
        assert r.status_code == 200, url
        record(surface, _html_figures(r.content.decode(), area))
        for table in ("children", "best", "worst"):
            export = client.get(url, {**SPAN, "export": table})
            if export.status_code == 200:
                record(f"{surface} export {table}", _xlsx_figures(export.content, names))
    # The star-round breakdown over the same months, on the page and in its export.
    body = client.get(f"/ratings/stars/{star_round.pk}/").content.decode()
    record("star-round breakdown", _html_figures(body, ("district", w.district_area.pk)))
    record("star-round export", _xlsx_figures(client.get(f"/ratings/stars/{star_round.pk}/", {"export": "ratings"}).content, names))
    for level, pk in [("district", w.district_area.pk), *names.values()]:
        record("api", _api_figures(client, level, pk, month_from="2026-06-01", month_to="2026-11-01"))

    # The default span (the last twelve months, the current one unfinished): the compound's dashboard, the
    # API and the public compound page, which compares the compound with its town and district.
    from communities.models import Compound

    Compound.objects.filter(pk=w.fulian.pk).update(public_page=True)
    w.fulian.refresh_from_db()
    record(
        "compound page, default span", _html_figures(client.get(f"/ratings/compound/{w.fulian.pk}/").content.decode(), names["福炼小区"])
    )
    record(
        "town dashboard, default span", _html_figures(client.get(f"/ratings/subdistrict/{w.houlong.pk}/").content.decode(), names["后龙镇"])
    )
    for level, pk in [("district", w.district_area.pk), names["后龙镇"], names["福炼小区"]]:
        record("api, default span", _api_figures(client, level, pk))
    client.logout()
    public = client.get(f"/p/{w.fulian.public_id}/").content.decode()
    areas = [names["福炼小区"], names["后龙镇"], ("district", w.district_area.pk)]
    public_figures = []
    for key, period, cells in re.findall(
        r'<tr><th data-indicator="([^"]+)"[^>]*>.*?class="period">([^<]*)</small></th>(.*?)</tr>', public, re.S
    ):
        for area, text in zip(areas, re.findall(r"<td[^>]*>([^<]*)</td>", cells), strict=True):
            m = re.fullmatch(r"(.+?)（(.+)）", unescape(text))
            public_figures.append((*area, key, m.group(2) if m else unescape(period), m.group(1) if m else unescape(text)))
    assert len(public_figures) == 9
    record("public compound page", public_figures)

    disagreements = {k: v for k, v in seen.items() if len({text for text, _s in v}) > 1}
    assert not disagreements, disagreements
    # The comparison covers every indicator of the catalogue on at least two surfaces.
    thin = {k: s for k, s in surfaces.items() if len(s) < 2}
    assert set(surfaces) == set(indicators.INDICATORS) and not thin, (set(indicators.INDICATORS) - set(surfaces), thin)
    # The figures the issue quoted now agree: the town's own 居民满意率 is the district table's, and the star
    # round's 累计满意率 is the compound page's over the same months.
    fulian = ("compound", w.fulian.pk, "satisfaction_rate_span", "2026年6—11月")
    assert {s for _t, s in seen[fulian]} >= {"compound page", "star-round breakdown", "star-round export", "api"}
    houlong = [k for k in seen if k[:3] == ("subdistrict", w.houlong.pk, "satisfaction_rate")]
    assert houlong and {s for _t, s in seen[houlong[0]]} >= {"district dashboard", "town dashboard", "api"}
    public_ratio = [
        k for k, v in seen.items() if k[:3] == ("compound", w.fulian.pk, "complaint_ratio") and "public compound page" in {s for _t, s in v}
    ]
    assert public_ratio and {s for _t, s in seen[public_ratio[0]]} >= {"compound page, default span", "api, default span"}


def test_two_computations_never_share_a_label():
    names = [str(i.name) for i in indicators.INDICATORS.values()]
    assert len(names) == len(set(names))
    month_names = {i.label(month=True) for i in indicators.INDICATORS.values() if i.month_name}
    assert not month_names & set(names)
    assert set(Target.Indicator.values) <= set(indicators.INDICATORS)


def test_latest_round_and_span_satisfaction_are_named_apart_with_their_periods(figures_world, client):
    client.force_login(figures_world.district)
    body = client.get("/ratings/", SPAN).content.decode()
    latest = re.search(r'id="kpi-satisfaction_rate" data-indicator="satisfaction_rate" data-period="([^"]+)"', body).group(1)
    span = re.search(r'id="kpi-satisfaction_rate_span" data-indicator="satisfaction_rate_span" data-period="([^"]+)"', body).group(1)
    assert latest == "2026年第2轮调查（10月）" and span == "2026年6—11月"
    assert "居民满意率" in body and "累计满意率" in body
    assert ">2026年第2轮调查（10月）</div>" in body  # the period is printed beside the figure


def test_indicators_api_lists_the_catalogue(world, client):
    client.force_login(world.resident_fulian)
    data = client.get("/api/v1/indicators/").json()
    assert [d["key"] for d in data] == list(indicators.INDICATORS)
    sat = next(d for d in data if d["key"] == "satisfaction_rate")
    assert sat["name_zh"] == "居民满意率" and sat["rule"] == "round" and sat["better"] == "higher"
    assert sat["numerator"] == "survey_satisfied" and sat["denominator"] == "survey_responses" and sat["unit"] == "percent"
    assert sat["url"] == "/ratings/definitions/#satisfaction_rate"
    assert client.get("/api/v1/indicators/complaint_ratio/").json()["rule"] == "mean"
    assert client.get("/api/v1/indicators/nope/").status_code == 404
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/indicators/" in schema and "/api/v1/metrics/summary/" in schema


def test_metrics_summary_is_scoped_and_validates(figures_world, client):
    w = figures_world
    client.force_login(w.town_houlong)
    ok = client.get("/api/v1/metrics/summary/", {"level": "subdistrict", "area": w.houlong.pk, "month_to": "2026-11-01"})
    assert ok.status_code == 200 and ok.json()["period"] == "2025年12月—2026年11月"
    assert client.get("/api/v1/metrics/summary/", {"level": "subdistrict", "area": w.jieshan.pk}).status_code == 404
    bad = client.get("/api/v1/metrics/summary/", {"level": "planet", "area": 1})
    assert bad.status_code == 400 and "level" in bad.json()
    bad = client.get(
        "/api/v1/metrics/summary/", {"level": "subdistrict", "area": w.houlong.pk, "month_from": "2026-11-01", "month_to": "2026-06-01"}
    )
    assert bad.status_code == 400


def test_definitions_page_lists_every_indicator_and_figures_link_to_it(figures_world, client):
    client.force_login(figures_world.district)
    body = client.get("/ratings/definitions/").content.decode()
    for key, indicator in indicators.INDICATORS.items():
        assert f'id="{key}"' in body and str(indicator.definition) in body
    assert "期间内最新一轮调查" in body and "越低越好" in body
    dashboard = client.get("/ratings/", SPAN).content.decode()
    for key in ("satisfaction_rate", "complaint_ratio", "dim_governance", "response_rate"):
        assert f'href="/ratings/definitions/#{key}"' in dashboard


# --- Partial months -------------------------------------------------------------------------------
@pytest.fixture
def partial_world(world):
    """Complaints last month and this (unfinished) month in 福炼小区."""
    today = timezone.localdate()
    current = today.replace(day=1)
    previous = engine.add_months(current, -1)
    for i in range(10):
        complaint(world.fulian, local(previous.year, previous.month, 1 + i))
    complaint(world.fulian, local(current.year, current.month, 1, 0, 5))
    engine.compute(full=True)
    return world, previous, current, today


def _card_value(body: str, key: str) -> str:
    return re.search(rf'id="kpi-{key}" data-indicator="{key}" data-period="[^"]*".*?data-value>([^<]*)<', body, re.S).group(1)


def test_current_month_is_marked_partial_in_table_chart_export_and_api(partial_world, client):
    world, previous, current, today = partial_world
    client.force_login(world.district)
    span = {"from": f"{previous:%Y-%m}", "to": f"{current:%Y-%m}"}
    body = client.get("/ratings/", span).content.decode()
    label = f"{current:%Y-%m}（未满月，截至{today.day}日）"
    assert f"<td>{label}</td>" in body and f"<td>{previous:%Y-%m}</td>" in body
    charts = [base64.b64decode(m).decode() for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', body)]
    assert all("（未满月）" in svg and "stroke-dasharray" in svg for svg in charts[:3])
    rows = list(load_workbook(BytesIO(client.get("/ratings/", {**span, "export": "trend"}).content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:3]] == [f"{previous:%Y-%m}", label]
    assert any(str(r[0]).startswith("统计期") and f"{current.month}月截至{today.day}日" in str(r[0]) for r in rows if r), [
        r[0] for r in rows
    ]
    api = client.get("/api/v1/metrics/", {"level": "compound", "area": world.fulian.pk, "month_from": current}).json()["results"]
    assert api[0]["partial"] is True and "未满月" in api[0]["period"]
    previous_row = client.get(
        "/api/v1/metrics/", {"level": "compound", "area": world.fulian.pk, "month_from": previous, "month_to": previous}
    )
    assert previous_row.json()["results"][0]["partial"] is False


def test_monthly_average_uses_finished_months_unless_the_current_one_is_picked(partial_world, client):
    world, previous, current, today = partial_world
    client.force_login(world.district)
    span = {"from": f"{previous:%Y-%m}", "to": f"{current:%Y-%m}"}
    households = 486 + 1268 + 932
    finished = indicators.calc.two_places(indicators.calc.ratio(10, households))
    both = indicators.calc.two_places((indicators.calc.ratio(10, households) + indicators.calc.ratio(1, households)) / 2)
    assert finished != both
    body = client.get("/ratings/", span).content.decode()
    assert _card_value(body, "complaint_ratio") == str(finished)
    assert f"{previous.month}月未满月" not in body and f"{current.month}月未满月，未计入" in body
    picked = client.get("/ratings/", {**span, "partial": "1"}).content.decode()
    assert _card_value(picked, "complaint_ratio") == str(both)
    # Against a target: the same rule.
    target = Target.objects.create(
        district=world.district_area,
        indicator="complaint_ratio",
        direction="fall",
        baseline=Decimal(1),
        target=Decimal("0.1"),
        month_from=previous,
    )
    assert indicators.calc.two_places(selectors.target_status(target).actual) == finished
    assert indicators.calc.two_places(selectors.target_status(target, include_partial=True).actual) == both
    # A span rate (Σ÷Σ) counts the unfinished month's complaints and says it runs to today.
    fig = selectors.area_figures(
        selectors.Area(Level.DISTRICT, world.district_area), selectors.span_of(previous, current, today=today), ["complaints"]
    )["complaints"]
    assert fig.value == 11 and fig.partial and f"截至{today.day}日" in fig.period


def test_span_of_finished_months_has_no_partial_mark(figures_world, client):
    client.force_login(figures_world.district)
    body = client.get("/ratings/", SPAN).content.decode()
    assert "未满月" not in body


# --- The "520" dimensions -------------------------------------------------------------------------
def test_five_dimensions_on_dashboard_town_and_compound_pages_and_export(figures_world, client):
    w = figures_world
    client.force_login(w.district)
    for url in ("/ratings/", f"/ratings/subdistrict/{w.houlong.pk}/", f"/ratings/compound/{w.fulian.pk}/"):
        body = client.get(url, SPAN).content.decode()
        for key in indicators.DIMENSION_KEYS:
            assert f'id="kpi-{key}"' in body, (url, key)
        # answers "ssbsds" in October: governance dissatisfied for the basic and the dissatisfied ones → 4 of 6
        assert _card_value(body, "dim_governance") == "66.67%"
        assert _card_value(body, "dim_neighbours") == "100.00%"
        assert _card_value(body, "satisfaction_rate") == "83.33%"
    rows = list(load_workbook(BytesIO(client.get("/ratings/", {**SPAN, "export": "survey"}).content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("调查轮次", "答卷数", "居民满意率") and rows[0][3] == "治理方式满意率"
    assert rows[1][0] == "2026年第1轮调查（7月）" and rows[2][0] == "2026年第2轮调查（10月）"
    # Rates are numbers with a percent format (they sum and chart), shown as on the page.
    sheet = load_workbook(BytesIO(client.get("/ratings/", {**SPAN, "export": "survey"}).content)).active
    assert rows[2][1] == 18 and abs(rows[2][3] - 2 / 3) < 1e-9 and rows[1][3] == 0.5
    assert sheet.cell(row=3, column=4).number_format == "0.00%" and _shown(sheet.cell(row=3, column=4)) == "66.67%"


def test_star_round_breakdown_names_the_cumulative_rate_and_its_months(figures_world, client):
    w = figures_world
    star_round = services.star_round_create(
        actor=w.district, district_id=w.district_area.pk, title="星级评定", month_from=date(2026, 6, 1), month_to=date(2026, 11, 1)
    )
    services.star_round_propose(actor=w.district, round_id=star_round.pk)
    client.force_login(w.district)
    rows = list(
        load_workbook(BytesIO(client.get(f"/ratings/stars/{star_round.pk}/", {"export": "ratings"}).content)).active.iter_rows(
            values_only=True
        )
    )
    assert "累计满意率（2026年6—11月）" in rows[0] and "检查得分（截至2026年11月30日）" in rows[0]
    assert not any(h == "满意率" for h in rows[0])


def test_period_labels():
    span = indicators.Span(date(2025, 12, 1), date(2026, 12, 1), date(2026, 12, 4))
    from django.utils import translation

    with translation.override("zh-hans"):
        assert indicators.span_period(span.months(), span) == "2025年12月—2026年12月（12月截至4日）"
        assert indicators.month_period(date(2026, 12, 1), span) == "2026年12月（截至4日，未满月）"
        assert indicators.as_of_period(date(2026, 11, 1), span) == "截至2026年11月30日"
        assert indicators.as_of_period(date(2026, 12, 1), span) == "截至2026年12月4日"
        assert indicators.round_period(4, date(2026, 11, 1)) == "2026年第4轮调查（11月）"
        whole = indicators.Span(date(2026, 1, 1), date(2026, 12, 1), date(2027, 1, 2))
        assert indicators.span_period(whole.months(), whole) == "2026年1—12月"
    assert date(2026, 12, 4) - timedelta(days=3) == date(2026, 12, 1)
