"""A bulletin as a document: plain text (the management command), PDF (WeasyPrint) and Excel (openpyxl).

All three read the stored `content` only, so they say the same thing; headings are translated in the
bulletin's language (Simplified Chinese).
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bulletins.models import Bulletin
from core import xlsx

LANGUAGE = "zh-hans"
NUMERALS = "一二三四五六七八九十"
CSS = Path(__file__).resolve().parent / "static" / "bulletins" / "bulletin.css"


def title(bulletin: Bulletin) -> str:
    with translation.override(LANGUAGE):
        return _("Monthly property-management bulletin of %(area)s, %(period)s") % {
            "area": bulletin.area_name,
            "period": bulletin.content.get("period", f"{bulletin.month:%Y-%m}"),
        }


def _ranking_lines(rows: list[dict], columns: list[dict]) -> list[str]:
    return [f"  {r['rank']}. {r['name']}　" + "；".join(f"{c['name']} {r['figures'][c['key']]}" for c in columns) for r in rows] or [
        f"  {pgettext('bulletin', 'none')}"
    ]


def as_text(bulletin: Bulletin) -> str:
    """The whole bulletin as plain text."""
    c = bulletin.content
    with translation.override(LANGUAGE):
        cols = c["ranked_columns"]
        lines = [title(bulletin), ""]
        status = bulletin.get_status_display()
        lines.append(
            _("Status: %(status)s · figures as of %(day)s · period covered: %(period)s")
            % {"status": status, "day": c["as_of"], "period": c["period"]}
        )
        lines += ["", f"{NUMERALS[0]}、{_('Main figures')}"]
        for f in c["headline"]:
            lines.append(
                f"  {f['name']}：{f['text']}（{f['period']}）；"
                + _("month on month: %(prev)s, change %(mom)s; year on year: %(yoy_value)s, change %(yoy)s")
                % {"prev": f["prev"], "mom": f["mom"], "yoy_value": f["yoy_value"], "yoy": f["yoy"]}
            )
        n = 2
        for key, heading in (
            ("towns", _("Towns ranked by complaint ratio, lowest first")),
            ("communities", _("Communities ranked by complaint ratio, lowest first")),
            ("companies", _("Property companies ranked by complaint ratio over the compounds they manage, lowest first")),
        ):
            if key == "towns" and not c["towns"]:
                continue
            lines += ["", f"{NUMERALS[n - 1]}、{heading}", *_ranking_lines(c[key], cols)]
            n += 1
        for key, heading in (("best", _("Best compounds")), ("worst", _("Compounds needing attention"))):
            lines += ["", f"{NUMERALS[n - 1]}、{heading}"]
            for i, r in enumerate(c[key], start=1):
                lines.append(
                    f"  {i}. {r['name']}（{r['town']} {r['community']}）　"
                    + "；".join(f"{col['name']} {r['figures'][col['key']]}" for col in cols)
                )
            n += 1
        lines += ["", f"{NUMERALS[n - 1]}、{_('District targets')}"]
        for t in c["targets"]:
            lines.append(
                f"  {t['name']}（{t['direction']}）："
                + _("baseline %(baseline)s, target %(target)s, actual %(actual)s (%(period)s): %(status)s")
                % {
                    "baseline": t["baseline"],
                    "target": t["target"],
                    "actual": t["actual"],
                    "period": t["period"],
                    "status": t["status_text"],
                }
            )
        if not c["targets"]:
            lines.append(f"  {pgettext('bulletin', 'none')}")
        n += 1
        lines += ["", f"{NUMERALS[n - 1]}、{_('The ten target problems: complaints by category')}"]
        months = c["problems"][0]["months"] if c["problems"] else []
        if months:
            lines.append("  " + _("trend over %(first)s to %(last)s") % {"first": months[0], "last": months[-1]})
        for p in c["problems"]:
            lines.append(
                f"  {p['category']}：{p['count']}　"
                + _("previous month %(prev)s (%(mom)s), same month last year %(last_year)s (%(yoy)s); trend %(trend)s")
                % {
                    "prev": p["prev"],
                    "mom": p["mom"],
                    "last_year": p["last_year"],
                    "yoy": p["yoy"],
                    "trend": " → ".join(map(str, p["trend"])),
                }
            )
        n += 1
        f = c["findings"]
        lines += [
            "",
            f"{NUMERALS[n - 1]}、{_('Inspection findings by checklist area and item')}",
            "  " + _("%(inspections)d inspections, %(total)d findings") % {"inspections": f["inspections"], "total": f["total"]},
        ]
        for block in f["areas"]:
            lines.append(f"  {block['area']}：{block['count']}")
            for item in block["items"]:
                where = _("%(n)d compounds") % {"n": item["compounds"]}
                lines.append(f"    [{item['code']}] {item['item']}：{item['count']}（{where}）")
        n += 1
        lines += ["", f"{NUMERALS[n - 1]}、{_('Summonses held in the month')}"]
        for s in c["summonses"]:
            # An office summons is named after its town already.
            town = f"（{s['town']}）" if s["town"] and s["town"] not in s["subject"] else ""
            lines.append(
                f"  {s['number']} {s['held_on']} {s['subject']}{town}："
                + _("%(status)s, %(done)d of %(commitments)d commitments done, %(overdue)d overdue")
                % {"status": s["status"], "done": s["done"], "commitments": s["commitments"], "overdue": s["overdue"]}
            )
        if not c["summonses"]:
            lines.append(f"  {pgettext('bulletin', 'none')}")
    return "\n".join(lines) + "\n"


def as_html(bulletin: Bulletin, *, standalone: bool = False) -> str:
    with translation.override(LANGUAGE):
        return render_to_string(
            "bulletins/document.html", {"bulletin": bulletin, "c": bulletin.content, "title": title(bulletin), "standalone": standalone}
        )


def as_pdf(bulletin: Bulletin) -> bytes:
    """The bulletin as an A4 PDF (WeasyPrint; Chinese text needs a CJK font such as fonts-noto-cjk)."""
    from weasyprint import CSS as WeasyCSS
    from weasyprint import HTML

    return HTML(string=as_html(bulletin, standalone=True)).write_pdf(stylesheets=[WeasyCSS(filename=str(CSS))])


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _typed(value):
    """A stored figure as a typed cell: "97.63%" a percent, "0.47" a number, "—" and words stay text."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%") and _NUMBER.match(text[:-1]):
            return xlsx.Cell(text[:-1], xlsx.PERCENT)
        if _NUMBER.match(text):
            return xlsx.Cell(text, xlsx.NUMBER if "." in text else xlsx.INTEGER)
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return xlsx.Cell(value, xlsx.INTEGER)
    if isinstance(value, float):
        return xlsx.Cell(value, xlsx.NUMBER)
    return value


def as_xlsx(bulletin: Bulletin) -> bytes:
    """One sheet per section, each with its header in row 1 and the period in a note below."""
    c = bulletin.content
    book = xlsx.workbook()
    with translation.override(LANGUAGE):
        cols = c["ranked_columns"]
        sheets = [
            (
                _("Main figures"),
                [
                    _("Indicator"),
                    _("Value"),
                    _("Period covered"),
                    _("Previous month"),
                    _("Month on month"),
                    _("Same month last year"),
                    _("Year on year"),
                ],
                [[f["name"], f["text"], f["period"], f["prev"], f["mom"], f["yoy_value"], f["yoy"]] for f in c["headline"]],
            ),
        ]
        ranked = (("towns", _("Towns")), ("communities", pgettext("bulletin", "Communities")), ("companies", _("Property companies")))
        for key, name in ranked:
            if c[key]:
                sheets.append(
                    (
                        name,
                        [_("Rank"), pgettext("bulletin", "Name"), *[col["name"] for col in cols]],
                        [[r["rank"], r["name"], *[r["figures"][col["key"]] for col in cols]] for r in c[key]],
                    )
                )
        for key, name in (("best", _("Best compounds")), ("worst", _("Compounds needing attention"))):
            sheets.append(
                (
                    name,
                    [_("Compound"), _("Town"), _("Community"), *[col["name"] for col in cols]],
                    [[r["name"], r["town"], r["community"], *[r["figures"][col["key"]] for col in cols]] for r in c[key]],
                )
            )
        sheets.append(
            (
                _("District targets"),
                [_("Indicator"), _("Direction"), _("Baseline"), _("Target"), _("Actual"), _("Period covered"), _("Status")],
                [[t["name"], t["direction"], t["baseline"], t["target"], t["actual"], t["period"], t["status_text"]] for t in c["targets"]],
            )
        )
        months = c["problems"][0]["months"] if c["problems"] else []
        sheets.append(
            (
                _("Target problems"),
                [_("Category"), *months, _("Month on month"), _("Same month last year"), _("Year on year")],
                [[p["category"], *p["trend"], p["mom"], p["last_year"], p["yoy"]] for p in c["problems"]],
            )
        )
        sheets.append(
            (
                _("Inspection findings"),
                [_("Checklist area"), _("Item"), _("Findings"), _("Compounds")],
                [[b["area"], f"[{i['code']}] {i['item']}", i["count"], i["compounds"]] for b in c["findings"]["areas"] for i in b["items"]],
            )
        )
        sheets.append(
            (
                _("Summonses"),
                [_("Number"), _("Date"), _("Summoned"), _("Town"), _("Status"), _("Commitments"), _("Done"), _("Overdue")],
                [
                    [s["number"], s["held_on"], s["subject"], s["town"], s["status"], s["commitments"], s["done"], s["overdue"]]
                    for s in c["summonses"]
                ],
            )
        )
        note = _("Period covered: %(period)s") % {"period": c["period"]} + f" · {title(bulletin)}"
        for name, headers, rows in sheets:
            typed = [[_typed(v) for v in row] for row in rows]
            sheet = xlsx.Sheet(book, str(name), [xlsx.Col(str(h), width=max(10, xlsx.text_width(str(h)))) for h in headers])
            sheet.extend(typed)
            sheet.notes([note])
    buffer = BytesIO()
    xlsx.save(book, buffer)
    return buffer.getvalue()
