"""The catalogue reads right where it is shown (issue 14, item 6).

Django merges every installed app's catalogue into one table per language, and an app listed earlier wins: the
catalogues of django_celery_beat, django-filter, DRF, simplejwt and Django's admin translated our "Name" as 任务名
and "Filter" as 过滤器. The project catalogue (LOCALE_PATHS) comes first of all and pins our wording.

Two checks:
- every entry of our own catalogues renders as its own translation (nothing shadows it);
- the demo, signed in as each role, renders every portal page it can reach (the URL resolver's argument-free
  GET views, plus the detail pages linked from them) in Chinese, and no visible text holds a known-wrong
  rendering or an untranslated English word.
"""

import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import translation

from complaints.hotline import service as hotline

ROOT = Path(__file__).resolve().parent.parent
ROLES = [
    "district", "town_houlong", "community_fulian", "staff_yifang", "staff_yijiayuan",
    "resident_fulian", "committee_fulian", "mediator_shanyao",
]  # fmt: skip

# Renderings that are wrong wherever they are shown in this portal: (tags it is wrong in, or None for any;
# the whole text of the element). Each is a third-party catalogue's sense of one of our msgids.
KNOWN_WRONG: list[tuple[frozenset[str] | None, str]] = [
    (None, "任务名"),  # "Name" in django_celery_beat (a periodic task's name)
    (None, "过滤器"),  # "Filter" / "Filters" in django-filter
    (None, "内容主体"),  # "content" in django_celery_beat
    (None, "会话"),  # "Sessions" in django.contrib.sessions
    (None, "分钟"),  # "Minutes" in django_celery_beat (crontab minutes), for meeting minutes
    (None, "键"),  # "Key" in DRF (token key)
    (None, "动作"),  # "Action" in the admin log
    (None, "已修改"),  # "Changed" in the admin log
    (None, "令牌未包含用户标识符"),  # simplejwt
    (frozenset({"h1", "h2", "h3"}), "行数"),  # "Rows" as the heading of the 12345 batch's per-row results
]

# English words that may stand in a Chinese page: the language switch, brand and format names.
ALLOWED_ENGLISH = {"English", "Excel", "CSV", "GBK", "PDF", "XLSX", "API", "IP", "QR", "JSON", "PNG", "JPG", "JPEG", "WebP"}

# Portal pages only: not the API, admin, downloads or the public pages (which have their own tests).
SKIP_PREFIXES = ("/api/", "/admin/", "/i18n/", "/open311/", "/p/", "/media/", "/static/", "/logout/", "/sitemap", "/healthz", "/readyz")
PER_VIEW = 2  # detail pages visited per view name: enough to see each template with demo data


def catalogue_paths() -> list[Path]:
    return sorted(p for p in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def test_no_entry_of_ours_is_shadowed_by_another_catalogue():
    shadowed = []
    with translation.override("zh-hans"):
        for path in [*catalogue_paths(), ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"]:
            for e in polib.pofile(str(path)):
                if e.obsolete or not e.translated() or e.msgid_plural:
                    continue
                got = translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt else translation.gettext(e.msgid)
                if got != e.msgstr:
                    shadowed.append(f"{path.relative_to(ROOT)}: {e.msgid!r} renders {got!r}, not {e.msgstr!r}")
    assert not shadowed, "Add these to locale/zh_Hans/LC_MESSAGES/django.po:\n" + "\n".join(shadowed)


class VisibleText(HTMLParser):
    """Text a reader sees: text nodes outside script/style/code, plus placeholders, titles and labels."""

    HIDDEN = {"script", "style", "code", "pre", "kbd", "samp", "svg", "textarea", "title"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    ATTRS = ("placeholder", "title", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.pieces: list[tuple[str, str]] = []  # (enclosing tag, text)
        self.links: list[str] = []

    def hidden(self) -> bool:
        return any(h for _, h in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        hide = tag in self.HIDDEN or "mono" in (a.get("class") or "").split() or a.get("translate") == "no"
        if not self.hidden() and not hide:
            for name in self.ATTRS:
                if a.get(name):
                    self.pieces.append((tag, a[name]))
            if tag == "input" and a.get("type") in {"submit", "button"} and a.get("value"):
                self.pieces.append((tag, a["value"]))
        if tag not in self.VOID:
            self.stack.append((tag, hide))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip() and not self.hidden():
            self.pieces.append((self.stack[-1][0] if self.stack else "", data.strip()))


class Tables(HTMLParser):
    """Each `table.data` as a header row and body rows of (classes, text, colspan) cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.cell: list | None = None
        self.row: list | None = None
        self.depth = 0  # nested tables are left to their own entry

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append({"id": a.get("id") or "", "data": "data" in (a.get("class") or "").split(), "head": [], "body": []})
        elif self.depth == 1 and tag == "tr":
            self.row = []
        elif self.depth == 1 and tag in {"th", "td"} and self.row is not None:
            self.cell = [set((a.get("class") or "").split()), "", int(a.get("colspan") or 1), tag]

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth -= 1
        elif self.depth == 1 and tag in {"th", "td"} and self.cell is not None and self.row is not None:
            self.row.append(self.cell)
            self.cell = None
        elif self.depth == 1 and tag == "tr" and self.row is not None:
            table = self.tables[-1]
            if all(c[3] == "th" for c in self.row) and not table["head"]:
                table["head"] = self.row
            else:
                table["body"].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?\s*(%|‰|★+)?$")


PHONE = re.compile(r"^\d{7,}$")


def misaligned_columns(html: str) -> list[str]:
    """Numeric columns of a data table must carry `num` on every number and on their header (one CSS class
    right-aligns both)."""
    parser = Tables()
    parser.feed(html)
    found = []
    for t in parser.tables:
        if not t["data"] or not t["head"] or any(c[2] != 1 for c in t["head"]):
            continue
        rows = [r for r in t["body"] if all(c[2] == 1 for c in r) and len(r) == len(t["head"])]
        for i, head in enumerate(t["head"]):
            texts = [(r[i][0], r[i][1].strip()) for r in rows if r[i][1].strip() not in {"", "—", "-"} and "ident" not in r[i][0]]
            # Phone numbers and item codes (class `ident`) are identifiers, not quantities.
            numbers = [classes for classes, text in texts if NUMBER.match(text) and not PHONE.match(text)]
            if not texts or len(numbers) < len(texts):
                continue
            name = f"table#{t['id'] or '?'} column {head[1].strip()[:20]!r}"
            if not all("num" in classes for classes in numbers):
                found.append(f"{name}: numbers not right-aligned")
            if "num" not in head[0]:
                found.append(f"{name}: header not aligned with its numbers")
    return found


# A label in Chinese ends with a full-width colon (统计期：2026年11月), never "统计期: ".
HALF_WIDTH_COLON = re.compile(r"[\u4e00-\u9fff）]: ")
ENGLISH_WORD = re.compile(r"(?<![\w@./:-])[A-Za-z][A-Za-z'’]+(?![\w@/:-])")


def problems_in(html: str, user_values: set[str]) -> tuple[list[str], list[str]]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for tag, text in parser.pieces:
        for tags, wrong in KNOWN_WRONG:
            if text == wrong and (tags is None or tag in tags):
                found.append(f"known-wrong {wrong!r} in <{tag}>")
        if text in user_values:
            continue
        if HALF_WIDTH_COLON.search(text):
            found.append(f"half-width colon after Chinese in <{tag}>: {text[:80]!r}")
        for word in ENGLISH_WORD.findall(text):
            if word not in ALLOWED_ENGLISH and len(word) > 1:
                found.append(f"English {word!r} in <{tag}>: {text[:80]!r}")
    return found, parser.links


def argument_free_get_paths() -> list[str]:
    """Every portal URL pattern without converters, walked from the root resolver."""
    paths = []

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if "<" in route or "(?P" in route:
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route.lstrip("^"))
            elif isinstance(p, URLPattern):
                paths.append("/" + prefix + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted({p for p in paths if not p.startswith(SKIP_PREFIXES) and "." not in p.rsplit("/", 1)[-1]})


def user_entered_values() -> set[str]:
    """Names people typed (usernames, display names of demo rows in Latin script), shown as they were typed."""
    from core.models import User

    values = set()
    for username, display in User.objects.values_list("username", "display_name"):
        values.update({username, display})
    return {v for v in values if v}


def crawl(client, start: list[str]) -> tuple[dict[str, list[str]], set[str]]:
    """GET every start path and the same-site pages linked from them (PER_VIEW per view name): problems per
    URL, and the view names of the pages rendered."""
    user_values = user_entered_values()
    seen_views: dict[str, int] = defaultdict(int)
    queue, visited, report, rendered = list(start), set(), {}, set()
    while queue:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        rendered.add(resolve(url).view_name)
        html = response.content.decode()
        found, links = problems_in(html, user_values)
        found += misaligned_columns(html)
        if found:
            report[url] = sorted(set(found))
        for href in links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP_PREFIXES):
                continue
            try:
                match = resolve(parts.path)
            except Resolver404:
                continue
            if not (match.args or match.kwargs):
                continue
            if seen_views[match.view_name] >= PER_VIEW or parts.path in visited:
                continue
            seen_views[match.view_name] += 1
            queue.append(parts.path)
    return report, rendered


@pytest.mark.django_db
def test_every_portal_page_reads_right_in_chinese_for_every_role(client):
    from core.models import User

    call_command("seed_demo", stdout=io.StringIO())
    # The demo has no 12345 batch: import one (a good row and a refused one) so its page is read too.
    rows = [
        "工单编号,来电时间,诉求内容,诉求类别,地址,来电号码",
        "GD-CAT-1,2026-11-01 09:15,3号楼电梯停运,电梯故障,福炼小区3号楼,",
        "GD-CAT-2,昨天,路灯坏了,,福炼小区,",
    ]
    upload = SimpleUploadedFile("12345.csv", "\n".join(rows).encode(), content_type="text/csv")
    hotline.hotline_import_create(file=upload, uploaded_by=User.objects.get(username="district"))
    start = argument_free_get_paths()
    assert "/accounts/new/" in start and "/ratings/" in start
    report, rendered = {}, set()
    for username in ROLES:
        client.logout()
        client.force_login(User.objects.get(username=username))
        found_for_user, rendered_for_user = crawl(client, start)
        rendered |= rendered_for_user
        for url, found in found_for_user.items():
            report[f"{username} {url}"] = found
    # The pages the catalogue got wrong were all read.
    expected = {
        "communities:account_create", "communities:account_list", "committees:compound", "committees:vote",
        "mediation:venue_list", "mediation:liaison_list", "mediation:meeting_detail", "mediation:dispute_detail",
        "complaints:hotline_import_detail", "ratings:star_round_detail", "ratings:company_stars",
    }  # fmt: skip
    assert expected <= rendered, expected - rendered
    assert not report, "\n".join(f"{k}: {v}" for k, v in sorted(report.items()))
