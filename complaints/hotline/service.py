"""12345 hotline import: read the platform's export, match each ticket, file it as a complaint.

The hotline platform exports a CSV (UTF-8 or GBK) or an Excel workbook with one ticket a row.
Columns are found by their header, Chinese or English (see `COLUMNS`); order does not matter and
extra columns are ignored. Required: ticket number, call time, content, address. Optional:
category, caller phone, compound name.

Every row ends in exactly one `HotlineImportRow`: imported (with its complaint), already imported
(the ticket number exists: re-importing a file creates nothing) or refused with the reason.
Nothing is dropped silently. Files above `ASYNC_THRESHOLD` rows run in a Celery task that
reports progress on the batch (`processed_rows` / `total_rows`).

Layout: parsing (pure functions), matching (`Matcher`, built once per batch), services
(`hotline_import_create`, `hotline_import_run`) and selectors (`hotline_imports_visible_to`).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Compound, RoleAssignment
from communities.selectors import compound_ids_visible_to, has_role
from complaints.models import Category, Complaint, HotlineImport, HotlineImportRow
from core import errors
from core.models import User

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Files with more rows than this are imported by a Celery task, with progress on the batch page.
ASYNC_THRESHOLD = 200
MAX_ROWS = 20_000
MAX_FILE_BYTES = 10 * 1024 * 1024
PROGRESS_EVERY = 25
OTHER_CATEGORY_CODE = "other"

# Canonical column -> accepted headers (compared after `_norm_header`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "ticket": ("工单编号", "工单号", "工单编码", "编号", "ticket", "ticketnumber", "ticketno", "ticketid"),
    "time": ("来电时间", "受理时间", "登记时间", "诉求时间", "时间", "calltime", "time", "datetime"),
    "content": ("诉求内容", "来电内容", "内容", "问题描述", "content", "description"),
    "category": ("诉求类别", "诉求分类", "问题类别", "类别", "分类", "category"),
    "address": ("地址", "诉求地址", "事发地址", "事发地点", "address"),
    "phone": ("来电号码", "联系电话", "来电电话", "电话", "callerphone", "phone"),
    "compound": ("小区", "小区名称", "所属小区", "compound"),
}
REQUIRED_COLUMNS = ("ticket", "time", "content", "address")
COLUMN_LABELS = {"ticket": "工单编号", "time": "来电时间", "content": "诉求内容", "address": "地址"}


@dataclass(frozen=True)
class RawRow:
    """One data row of the file; `number` is the row's line in the file (the header is row 1)."""

    number: int
    ticket: str
    time: object
    content: str
    category: str
    address: str
    phone: str
    compound: str


# --- Parsing ---------------------------------------------------------------------------------


def _norm_header(value: object) -> str:
    return re.sub(r"[\s_\-:：()（）*]", "", str(value or "")).lstrip("\ufeff").lower()


_HEADER_INDEX = {_norm_header(alias): key for key, aliases in COLUMNS.items() for alias in aliases}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores long ticket numbers and phones as floats.
        return str(int(value))
    return str(value).strip()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; the platform's default GBK export otherwise (GB18030 is its superset)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise errors.ValidationError(_("The file is neither UTF-8 nor GBK text."), field="file") from exc


def _table_rows_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


MAX_UNZIPPED_BYTES = 200 * 1024 * 1024


def _table_rows_xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # A small workbook can inflate to gigabytes (a "zip bomb"); real exports stay far below this.
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise errors.ValidationError(_("The Excel file is too large once unpacked."), field="file")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise errors.ValidationError(_("The Excel file cannot be read."), field="file") from exc
    try:
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def parse_table(data: bytes) -> list[RawRow]:
    """Rows of an export, CSV or Excel decided by the content (not the file name). Raises ValidationError."""
    if not data:
        raise errors.ValidationError(_("The file is empty."), field="file")
    if len(data) > MAX_FILE_BYTES:
        raise errors.ValidationError(_("The file is larger than 10 MB."), field="file")
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        table = _table_rows_xlsx(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise errors.ValidationError(_("Old .xls workbooks are not supported: save the file as .xlsx or CSV."), field="file")
    else:
        table = _table_rows_csv(data)

    # The header is the first non-empty row.
    start = 0
    while start < len(table) and not any(_cell(v) for v in table[start]):
        start += 1
    if start == len(table):
        raise errors.ValidationError(_("The file has no header row."), field="file")
    positions: dict[str, int] = {}
    for i, title in enumerate(table[start]):
        key = _HEADER_INDEX.get(_norm_header(title))
        if key and key not in positions:
            positions[key] = i
    missing = [COLUMN_LABELS[k] for k in REQUIRED_COLUMNS if k not in positions]
    if missing:
        raise errors.ValidationError(_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)}, field="file")

    rows: list[RawRow] = []
    for offset, values in enumerate(table[start + 1 :], start=start + 2):
        if not any(_cell(v) for v in values):
            continue  # blank lines are layout, not tickets

        def get(key: str, values: list = values) -> object:
            i = positions.get(key)
            return values[i] if i is not None and i < len(values) else None

        rows.append(
            RawRow(
                number=offset,
                ticket=_cell(get("ticket")),
                time=get("time"),
                content=_cell(get("content")),
                category=_cell(get("category")),
                address=_cell(get("address")),
                phone=_cell(get("phone")),
                compound=_cell(get("compound")),
            )
        )
    if len(rows) > MAX_ROWS:
        raise errors.ValidationError(_("The file has more than %(n)d rows; split it.") % {"n": MAX_ROWS}, field="file")
    return rows


# Forms the hotline platforms' exports use, after `_normalise_time` has turned Chinese dates and times
# into "2026-11-30 23:45:00" and full-width characters into ASCII. ISO 8601 (with or without an
# offset, "Z" included) is read by datetime.fromisoformat before these are tried.
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y%m%d%H%M%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
EXCEL_EPOCH = datetime(1899, 12, 30)
_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_CN_TIME = re.compile(r"(\d{1,2})\s*[时点]\s*(\d{1,2})\s*分(?:\s*(\d{1,2})\s*秒)?")
_EXCEL_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def _normalise_time(text: str) -> str:
    """'2026年11月30日23时45分' (spaces or not, seconds or not) → '2026-11-30 23:45:00'; full-width → ASCII."""
    text = unicodedata.normalize("NFKC", text)
    text = _CN_DATE.sub(lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d} ", text)
    text = _CN_TIME.sub(lambda m: f"{int(m[1]):02d}:{int(m[2]):02d}:{int(m[3] or 0):02d}", text)
    return re.sub(r"\s+", " ", text).strip()


def _from_excel(serial: float) -> datetime | None:
    # Serial day numbers of 2000-01-01 .. 2099-12-31: a call time outside them is some other number.
    if not 36_526 <= serial < 73_051:
        return None
    return EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))


def parse_call_time(value: object) -> datetime | None:
    """The call time as an aware datetime, to the second; naive times are Asia/Shanghai. None if unreadable.

    Reads Excel date cells (a datetime, or the serial number of an unformatted cell), ISO 8601 with or
    without an offset, and the text forms of `_TIME_FORMATS`, Chinese ones included.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _from_excel(float(value))
    else:
        text = _normalise_time(_cell(value))
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        for fmt in _TIME_FORMATS if moment is None else ():
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None and _EXCEL_SERIAL.fullmatch(text):
            moment = _from_excel(float(text))  # a date cell exported to CSV as its serial number
    if moment is None:
        return None
    # Excel stores times as fractions of a day: 23:45 may come back as 23:44:59.999999.
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1 if moment.microsecond >= 500_000 else 0)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


# --- Matching --------------------------------------------------------------------------------


class Matcher:
    """Finds the compound and category of a ticket. Built once per batch: two queries, then pure Python."""

    def __init__(self) -> None:
        compounds = list(Compound.objects.filter(is_active=True).select_related("community__subdistrict"))
        self.by_term: dict[str, list[Compound]] = {}
        self.addresses: list[tuple[str, Compound]] = []
        for c in compounds:
            terms = {c.name.strip(), *(a.strip() for a in re.split(r"[,，、;；]", c.aliases or ""))}
            for term in terms - {""}:
                self.by_term.setdefault(term, []).append(c)
            if c.address.strip():
                self.addresses.append((c.address.strip(), c))
        # Longest first, so "福炼小区二期" wins over "福炼小区".
        self.terms = sorted(self.by_term, key=len, reverse=True)
        categories = list(Category.objects.filter(is_active=True))
        self.category_names: dict[str, Category] = {}
        self.keywords: list[tuple[str, Category]] = []
        for cat in categories:
            for name in (cat.name_zh, cat.name_en, cat.code):
                if name.strip():
                    self.category_names.setdefault(name.strip().lower(), cat)
            for kw in re.split(r"[,，、;；]", cat.keywords or ""):
                if kw.strip():
                    self.keywords.append((kw.strip().lower(), cat))
        self.keywords.sort(key=lambda pair: len(pair[0]), reverse=True)
        self.other = next((c for c in categories if c.code == OTHER_CATEGORY_CODE), None)

    def compound(self, row: RawRow) -> tuple[Compound | None, str]:
        """(compound, "") or (None, reason)."""
        if row.compound and row.compound in self.by_term:
            return self._one(self.by_term[row.compound], row)
        text = f"{row.compound} {row.address}"
        for term in self.terms:
            if term in text:
                # Every term of the same length that also matches competes (two 福苑小区 in two towns).
                tied = [c for t in self.terms if len(t) == len(term) and t in text for c in self.by_term[t]]
                return self._one(tied, row)
        by_address = [c for addr, c in self.addresses if addr in text]
        if by_address:
            return self._one(by_address, row)
        return None, _("No compound matches the address “%(address)s”.") % {"address": row.address[:80]}

    def _one(self, candidates: list[Compound], row: RawRow) -> tuple[Compound | None, str]:
        unique = list({c.pk: c for c in candidates}.values())
        if len(unique) > 1:
            # Same name in several places: keep those whose community or town the address names.
            text = f"{row.compound} {row.address}"
            narrowed = [c for c in unique if c.community.name in text or c.community.subdistrict.name in text]
            if len(narrowed) == 1:
                return narrowed[0], ""
            names = "、".join(f"{c.community.name}{c.name}" for c in unique[:4])
            return None, _("Several compounds match (%(names)s); add the community to the address.") % {"names": names}
        return unique[0], ""

    def category(self, row: RawRow) -> Category | None:
        """By name, then by keyword in the category column, then in the content; "other" otherwise."""
        label = row.category.strip().lower()
        if label and label in self.category_names:
            return self.category_names[label]
        for text in (label, row.content.lower()):
            if not text:
                continue
            for kw, cat in self.keywords:
                if kw in text:
                    return cat
        return self.other


# --- Services --------------------------------------------------------------------------------


def _official_roles_required(user: User) -> None:
    if not (user.is_superuser or has_role(user, RoleAssignment.Role.OFFICIAL)):
        raise errors.PermissionDenied(_("Only officials import 12345 tickets."))


def hotline_import_create(*, file: UploadedFile, uploaded_by: User) -> HotlineImport:
    """Store an uploaded export and import it.

    The file is read and its header checked at once (a bad file is a ValidationError and nothing is
    stored). Up to ASYNC_THRESHOLD rows are imported in this request; larger files are queued for
    `complaints.hotline.tasks.run_hotline_import` after commit and report progress on the batch.
    """
    _official_roles_required(uploaded_by)
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise errors.ValidationError(_("The file is larger than 10 MB."), field="file")
    data = file.read()
    rows = parse_table(data)
    if not rows:
        raise errors.ValidationError(_("The file has no ticket rows."), field="file")
    file.seek(0)
    name = (getattr(file, "name", "") or "hotline")[-200:]
    with transaction.atomic():
        batch = HotlineImport(original_name=name, uploaded_by=uploaded_by, total_rows=len(rows))
        batch.file.save(name.rsplit("/", 1)[-1], file, save=False)
        batch.save()
    if len(rows) > ASYNC_THRESHOLD:
        from complaints.hotline.tasks import run_hotline_import

        transaction.on_commit(lambda: _enqueue(run_hotline_import, batch.pk))
    else:
        hotline_import_run(batch_id=batch.pk, rows=rows)
        batch.refresh_from_db()
    return batch


def hotline_import_requeue(*, batch: HotlineImport) -> bool:
    """Queue a batch again that is still `queued` (its task was lost, e.g. the broker was down at upload).

    Harmless if the first task does arrive: whichever claims the batch first runs it, the other returns.
    """
    if batch.status != HotlineImport.Status.QUEUED:
        return False
    from complaints.hotline.tasks import run_hotline_import

    transaction.on_commit(lambda: _enqueue(run_hotline_import, batch.pk))
    return True


def _enqueue(task, batch_id: int) -> None:
    try:
        task.delay(batch_id)
    except Exception:  # broker down: the batch stays queued and the page says so
        log.warning("broker unavailable; 12345 import %s stays queued", batch_id, exc_info=True)


def hotline_import_run(*, batch_id: int, rows: list[RawRow] | None = None) -> HotlineImport | None:
    """Import the rows of a batch that have no outcome yet; idempotent and resumable.

    Claims the batch (queued -> running) with a conditional update so two workers never run it
    together. Each row is its own transaction: a complaint and its row report are written together,
    so a crash loses nothing and a rerun continues where it stopped. Side effects: complaints with
    channel `hotline` (through `complaint_create`: events, notifications), HotlineImportRow rows,
    progress counters on the batch.
    """
    claimed = HotlineImport.objects.filter(pk=batch_id, status=HotlineImport.Status.QUEUED).update(status=HotlineImport.Status.RUNNING)
    if not claimed:
        return None
    batch = HotlineImport.objects.select_related("uploaded_by").get(pk=batch_id)
    try:
        if rows is None:
            with batch.file.open("rb") as fh:
                rows = parse_table(fh.read())
        _run_rows(batch, rows)
    except Exception as exc:
        log.exception("12345 import %s failed", batch_id)
        message = exc.message if isinstance(exc, errors.DomainError) else _("The import stopped on an unexpected error.")
        HotlineImport.objects.filter(pk=batch_id).update(status=HotlineImport.Status.FAILED, error=message)
        _refresh_counts(batch_id)
        if not isinstance(exc, errors.DomainError):
            raise
        return None
    HotlineImport.objects.filter(pk=batch_id).update(status=HotlineImport.Status.DONE)
    _refresh_counts(batch_id, processed=len(rows))
    batch.refresh_from_db()
    return batch


def _refresh_counts(batch_id: int, processed: int | None = None) -> None:
    from django.db.models import Count, Q

    Outcome = HotlineImportRow.Outcome
    counts = HotlineImportRow.objects.filter(batch_id=batch_id).aggregate(
        total=Count("id"),
        imported=Count("id", filter=Q(outcome=Outcome.IMPORTED)),
        duplicates=Count("id", filter=Q(outcome=Outcome.DUPLICATE)),
        refused=Count("id", filter=Q(outcome=Outcome.REFUSED)),
    )
    HotlineImport.objects.filter(pk=batch_id).update(
        processed_rows=processed if processed is not None else counts["total"],
        imported=counts["imported"],
        duplicates=counts["duplicates"],
        refused=counts["refused"],
    )


def _run_rows(batch: HotlineImport, rows: list[RawRow]) -> None:
    done = set(HotlineImportRow.objects.filter(batch=batch).values_list("row_number", flat=True))
    matcher = Matcher()
    user = batch.uploaded_by
    in_scope = (
        None if user.is_superuser else set(compound_ids_visible_to(user, roles=[RoleAssignment.Role.OFFICIAL]).values_list("id", flat=True))
    )
    seen_in_file: dict[str, int] = {}
    now = timezone.now()
    for i, row in enumerate(rows, start=1):
        if row.number not in done:
            _import_row(batch, row, matcher, in_scope, seen_in_file, now)
        elif row.ticket:
            seen_in_file.setdefault(row.ticket, row.number)
        if i % PROGRESS_EVERY == 0:
            _refresh_counts(batch.pk, processed=i)


def _import_row(
    batch: HotlineImport, row: RawRow, matcher: Matcher, in_scope: set[int] | None, seen_in_file: dict[str, int], now: datetime
) -> None:
    Outcome = HotlineImportRow.Outcome

    def report(outcome: str, reason: str = "", complaint: Complaint | None = None) -> None:
        HotlineImportRow.objects.create(
            batch=batch, row_number=row.number, ticket=row.ticket[:40], outcome=outcome, reason=reason[:300], complaint=complaint
        )

    refusal = _check(row, now)
    if refusal:
        return report(Outcome.REFUSED, refusal)
    first = seen_in_file.setdefault(row.ticket, row.number)
    if first != row.number:
        return report(Outcome.DUPLICATE, _("Same ticket as row %(row)d of this file.") % {"row": first})
    existing = Complaint.objects.filter(hotline_ticket=row.ticket).only("id", "number").first()
    if existing:
        return report(Outcome.DUPLICATE, _("Already imported as complaint %(number)s.") % {"number": existing.number}, existing)
    compound, reason = matcher.compound(row)
    if compound is None:
        return report(Outcome.REFUSED, reason)
    if in_scope is not None and compound.pk not in in_scope:
        return report(Outcome.REFUSED, _("%(compound)s is outside your area.") % {"compound": compound.name})
    category = matcher.category(row)
    if category is None:
        return report(Outcome.REFUSED, _("No category matches and there is no “other” category."))

    from complaints.services import complaint_create

    try:
        with transaction.atomic():
            complaint = complaint_create(
                compound=compound,
                category=category,
                description=row.content,
                channel=Complaint.Channel.HOTLINE,
                made_at=parse_call_time(row.time),
                location=row.address[:200],
                reporter_phone=row.phone[:20],
                hotline_ticket=row.ticket,
                actor=batch.uploaded_by,
            )
            report(Outcome.IMPORTED, "", complaint)
    except (IntegrityError, errors.ValidationError) as exc:
        # Another import may have filed the same ticket between our check and our insert.
        existing = Complaint.objects.filter(hotline_ticket=row.ticket).only("id", "number").first()
        if existing is not None:
            report(Outcome.DUPLICATE, _("Already imported as complaint %(number)s.") % {"number": existing.number}, existing)
        elif isinstance(exc, errors.ValidationError):
            report(Outcome.REFUSED, exc.message)
        else:
            raise
    except errors.DomainError as exc:
        report(Outcome.REFUSED, exc.message)


def _check(row: RawRow, now: datetime) -> str:
    """The reason a row cannot be imported whatever it matches, or ""."""
    if not row.ticket:
        return _("The ticket number is empty.")
    if len(row.ticket) > 40:
        return _("The ticket number is longer than 40 characters.")
    if not row.content:
        return _("The content is empty.")
    moment = parse_call_time(row.time)
    if moment is None:
        return _("The call time “%(value)s” cannot be read.") % {"value": _cell(row.time)[:40]}
    if moment > now + timedelta(minutes=5):
        return _("The call time is in the future.")
    return ""


# --- Selectors -------------------------------------------------------------------------------


def hotline_imports_visible_to(user: User) -> QuerySet[HotlineImport]:
    """Officials see the batches they uploaded; superusers all. Others see none."""
    if getattr(user, "is_superuser", False):
        return HotlineImport.objects.all()
    if not getattr(user, "is_authenticated", False) or not has_role(user, RoleAssignment.Role.OFFICIAL):
        return HotlineImport.objects.none()
    return HotlineImport.objects.filter(uploaded_by=user)


def hotline_import_rows(batch: HotlineImport) -> QuerySet[HotlineImportRow]:
    return batch.rows.select_related("complaint__compound", "complaint__category").order_by("row_number")


def iter_expected_columns() -> Iterator[tuple[str, Iterable[str], bool]]:
    """(column, accepted headers, required) for the upload page's help."""
    for key, aliases in COLUMNS.items():
        yield key, aliases, key in REQUIRED_COLUMNS
