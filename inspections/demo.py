"""Demo inspections and the 172 rectification lists of the seed article (开出…整改清单172份).

Every list comes from its own expert inspection of a managed compound, scored on the seeded
92-item checklist. Most lists were closed on time, some late, some are overdue and some are
open; 福炼小区 has a list issued to 一方物业 waiting for its report (the demo flow), and a few
reports wait in the review queue. Deterministic (fixed seeds, dates relative to today) and safe to
run twice: a second run finds the demo lists and stops. Volume goes through bulk_create.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from simple_history.utils import bulk_create_with_history

from communities.models import Compound, PropertyCompany, RoleAssignment
from communities.selectors import with_current_company
from core.models import User
from inspections.models import (
    ActionPhoto,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionScore,
    RectificationItem,
    RectificationList,
    RectificationReport,
    ReportAction,
)

LIST_COUNT = 172
MARK = "-D"  # demo list numbers look like ZG2026-D001
CENT = Decimal("0.01")

# (status, how many): 142 + 8 + 12 + 6 + 4 = 172
PLAN = [("on_time", 142), ("late", 8), ("overdue", 12), ("open", 6), ("reported", 4)]

PROBLEMS = {
    "1": [
        "未在小区显著位置公示物业服务收费项目及标准",
        "报修记录不完整，缺少维修回访记录",
        "停车、广告等公共收益收支情况未按规定公示",
        "突发事件应急预案未组织演练，无演练记录",
    ],
    "2": [
        "垃圾分类投放点垃圾满溢，周边有明显异味",
        "楼道堆放杂物、废旧家具，未及时清理",
        "化粪池外溢，污水漫流至小区道路",
        "楼道墙面小广告未及时清除",
        "环境景观脏乱，水景池积水发臭",
    ],
    "3": [
        "消防车通道被私家车长期占用",
        "电动自行车楼道停放并“飞线”充电",
        "监控设施部分损坏，录像资料无法调取",
        "外来人员、车辆进出未登记",
    ],
    "4": [
        "绿地黄土裸露，缺株断档未补植",
        "绿地内有毁绿种菜现象，未及时劝阻",
        "高大乔木未修剪，台风季存在倒伏隐患",
    ],
    "5": [
        "外墙瓷砖空鼓脱落，存在坠落隐患",
        "屋面防水层破损，顶层住户家中渗漏",
        "地下室堆放易燃杂物",
        "单元门门禁损坏未及时维修",
    ],
    "6": [
        "消火栓箱内水带、水枪缺失，消防设施损坏严重",
        "楼道灯多处不亮，公共照明完好率不足",
        "配套供水管线老化，频繁爆管漏水",
        "电梯检验合格标志未张贴，维保记录不全",
        "窨井盖破损缺失，无警示标志",
    ],
}
ACTIONS = [
    "已组织人员清理完毕，并安排专人每日巡查",
    "已更换损坏设施，张贴警示标识，建立巡检台账",
    "已联系专业维修单位完成维修，经测试运行正常",
    "已完成补植补种，并纳入绿化养护计划",
    "已在小区公示栏公示，并将公示照片存档",
    "已劝离占用车辆，施划禁停标线并安装提示牌",
]
RETURN_COMMENTS = ["整改照片不清晰，请补充整改前后对比照片", "部分问题未整改到位，请继续整改", "未提供维修单位的检测报告"]


def _evidence_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (48, 36), (46, 139, 87)).save(buf, "PNG")
    return buf.getvalue()


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _demo_staff(company: PropertyCompany, password: str) -> User:
    """A staff account for companies that have none among the demo logins (no usable password)."""
    role = RoleAssignment.objects.filter(role="staff", company=company, is_active=True).select_related("user").order_by("id").first()
    if role:
        return role.user
    user, _ = User.objects.get_or_create(
        username=f"staff_{company.credit_code[-6:].lower()}",
        defaults={"display_name": f"{company.name[:12]} {company.contact_person}", "password": password},
    )
    RoleAssignment.objects.get_or_create(user=user, role="staff", company=company)
    return user


def seed(stdout) -> None:
    if RectificationList.objects.filter(number__contains=MARK).exists():
        stdout.write("  inspections demo already present")
        return
    template = ChecklistTemplate.objects.filter(is_current=True).order_by("id").first()
    if template is None:
        stdout.write("  no current checklist; run migrate first")
        return
    items = list(template.items.select_related("area").order_by("order"))
    max_total = sum((i.max_score for i in items), Decimal(0))
    today = timezone.localdate()
    rng = random.Random("linli-inspections-demo")

    district_official = User.objects.get(username="district")
    houlong_official = User.objects.get(username="town_houlong")
    unusable = make_password(None)
    compounds = list(with_current_company(Compound.objects.select_related("community__subdistrict")).order_by("id"))
    managed = [c for c in compounds if c.cc_id]
    staff = {c.cc_id: None for c in managed}
    for company in PropertyCompany.objects.filter(pk__in=staff):
        staff[company.pk] = _demo_staff(company, unusable)
    quality = {c.pk: rng.uniform(0.74, 0.96) for c in compounds}
    fulian = next(c for c in compounds if c.name == "福炼小区")

    # Which list gets which outcome, and for which compound.
    outcomes = [status for status, n in PLAN for _ in range(n)]
    outcomes.remove("open")
    outcomes.remove("on_time")
    rng.shuffle(outcomes)
    order = managed[:]
    rng.shuffle(order)
    plan = [("open", fulian), ("on_time", fulian)] + [(status, order[n % len(order)]) for n, status in enumerate(outcomes)]
    # town_houlong's review queue is never empty in the demo: one report waits from another 后龙镇 compound.
    houlong = next(c for c in order if c.community.subdistrict.name == "后龙镇" and c is not fulian)
    first_reported = next(n for n, (status, _c) in enumerate(plan) if status == "reported")
    plan[first_reported] = ("reported", houlong)

    inspections: list[Inspection] = []
    for status, compound in plan:
        if status in ("open", "reported"):
            inspected = today - timedelta(days=6 if compound is fulian else rng.randint(3, 12))
        elif status == "overdue":
            inspected = today - timedelta(days=rng.randint(45, 120))
        else:
            inspected = today - timedelta(days=rng.randint(35, 330))
        inspections.append(
            Inspection(
                compound=compound,
                template=template,
                inspected_on=inspected,
                recorded_by=houlong_official if compound.community.subdistrict.name == "后龙镇" else district_official,
                company_id=compound.cc_id,
                summary="行业专家全方位检查指导（演示数据）",
                status=Inspection.Status.SUBMITTED,
                submitted_at=_aware(inspected, 17),
            )
        )
    # Every other compound is inspected too (self-managed ones get no list: no company to issue to).
    planned = {c.pk for _s, c in plan}
    for compound in compounds:
        if compound.pk not in planned:
            inspected = today - timedelta(days=rng.randint(20, 200))
            inspections.append(
                Inspection(
                    compound=compound,
                    template=template,
                    inspected_on=inspected,
                    recorded_by=district_official,
                    company_id=compound.cc_id,
                    summary="行业专家全方位检查指导（演示数据）",
                    status=Inspection.Status.SUBMITTED,
                    submitted_at=_aware(inspected, 17),
                )
            )

    scores: list[InspectionScore] = []
    deducted: list[list] = []
    for inspection in inspections:
        q = quality[inspection.compound.pk]
        total = Decimal(0)
        lost = []
        for item in items:
            if rng.random() < q:
                score = item.max_score
            else:
                score = (item.max_score * Decimal(rng.choice(["0.75", "0.5", "0.5", "0.25", "0"]))).quantize(CENT, ROUND_HALF_UP)
                lost.append(item)
            scores.append(InspectionScore(item=item, score=score, max_score=item.max_score))
            total += score
        if not lost:
            lost = [rng.choice(items)]
        inspection.total_score, inspection.max_total = total, max_total
        inspection.percentage = (total * 100 / max_total).quantize(CENT, ROUND_HALF_UP)
        deducted.append(lost)
    Inspection.objects.bulk_create(inspections)
    for n, score in enumerate(scores):
        score.inspection = inspections[n // len(items)]
    InspectionScore.objects.bulk_create(scores, batch_size=5000)
    through = Inspection.inspectors.through
    through.objects.bulk_create(
        [through(inspection_id=i.pk, user_id=i.recorded_by_id) for i in inspections]
        + [through(inspection_id=i.pk, user_id=district_official.pk) for i in inspections if i.recorded_by_id != district_official.pk]
    )

    findings: list[Finding] = []
    per_inspection: list[list[Finding]] = []
    for inspection, lost in zip(inspections, deducted, strict=True):
        chosen = rng.sample(lost, k=min(len(lost), rng.randint(1, 3)))
        rows = []
        for item in sorted(chosen, key=lambda i: i.order):
            text = rng.choice(PROBLEMS[item.area.code])
            severe = any(word in text for word in ("消防", "坠落", "隐患", "外溢"))
            severity = Finding.Severity.SERIOUS if severe else rng.choice([Finding.Severity.MINOR, Finding.Severity.MAJOR])
            rows.append(Finding(inspection=inspection, item=item, severity=severity, description=text, created_by=inspection.recorded_by))
        findings += rows
        per_inspection.append(rows)
    Finding.objects.bulk_create(findings)

    lists: list[RectificationList] = []
    for n, ((status, compound), inspection) in enumerate(zip(plan, inspections, strict=False), start=1):
        issued = inspection.inspected_on + timedelta(days=1 if status in ("open", "reported") else 2)
        deadline = issued + timedelta(days=rng.choice([15, 20, 30]))
        if compound is fulian and status == "open":
            deadline = today + timedelta(days=14)
        rect = RectificationList(
            number=f"ZG{issued:%Y}{MARK}{n:03d}",
            inspection=inspection,
            compound=compound,
            company_id=compound.cc_id,
            issued_by=inspection.recorded_by,
            issued_at=_aware(issued, 9),
            deadline=deadline,
            requirements="请于期限内完成整改，并上传整改前后对比照片。",
            status=RectificationList.Status.ISSUED,
        )
        if status in ("on_time", "late"):
            if status == "on_time":
                accepted = max(issued + timedelta(days=3), deadline - timedelta(days=rng.randint(0, 10)))
            else:
                accepted = min(today - timedelta(days=1), deadline + timedelta(days=rng.randint(1, 12)))
            rect.status, rect.accepted_on, rect.accepted_at = RectificationList.Status.ACCEPTED, accepted, _aware(accepted, 16)
        elif status == "reported":
            rect.status = RectificationList.Status.REPORTED
        elif status == "overdue":
            rect.status = RectificationList.Status.RETURNED if rng.random() < 0.35 else RectificationList.Status.ISSUED
            rect.overdue_alerted_at = _aware(deadline + timedelta(days=1), 8)
        rect._history_user = rect.issued_by
        rect._history_date = rect.accepted_at or rect.issued_at
        lists.append(rect)
    bulk_create_with_history(lists, RectificationList, batch_size=500)

    rect_items: list[RectificationItem] = []
    items_of: list[list[RectificationItem]] = []
    for rect, rows in zip(lists, per_inspection, strict=False):
        mine = [
            RectificationItem(rectification_list=rect, finding=f, description=f"[{f.item.code}] {f.description}", order=k)
            for k, f in enumerate(rows, start=1)
        ]
        rect_items += mine
        items_of.append(mine)
    RectificationItem.objects.bulk_create(rect_items)

    reports: list[RectificationReport] = []
    report_items: list[list[RectificationItem]] = []
    Status, Decision = RectificationList.Status, RectificationReport.Decision
    for rect, mine in zip(lists, items_of, strict=True):
        submitter = staff[rect.company_id]
        issued = timezone.localtime(rect.issued_at).date()
        rounds: list[tuple[str, date]] = []
        if rect.status == Status.ACCEPTED:
            if rng.random() < 0.15 and (rect.accepted_on - issued).days >= 6:
                rounds.append((Decision.RETURNED, issued + timedelta(days=2)))
            rounds.append((Decision.ACCEPTED, rect.accepted_on))
        elif rect.status == Status.REPORTED:
            rounds.append((Decision.PENDING, min(today, issued + timedelta(days=2))))
        elif rect.status == Status.RETURNED:
            rounds.append((Decision.RETURNED, issued + timedelta(days=5)))
        for k, (decision, day) in enumerate(rounds, start=1):
            report = RectificationReport(
                rectification_list=rect,
                round=k,
                summary="已按整改清单逐项落实整改。",
                submitted_by=submitter,
                decision=decision,
            )
            if decision != Decision.PENDING:
                report.reviewed_by, report.reviewed_at = rect.issued_by, _aware(day, 16)
                report.review_comment = rng.choice(RETURN_COMMENTS) if decision == Decision.RETURNED else "整改到位，予以验收。"
            report._history_user = submitter
            report._history_date = _aware(day, 11)
            reports.append(report)
            report_items.append(mine)
        rect.round_count = len(rounds)
    bulk_create_with_history(reports, RectificationReport, batch_size=500)
    # submitted_at is auto_now_add: set the historical days in one pass per report.
    for report in reports:
        report.submitted_at = _aware(timezone.localtime(report.reviewed_at).date() if report.reviewed_at else today, 9)
    RectificationReport.objects.bulk_update(reports, ["submitted_at"], batch_size=500)
    RectificationList.objects.bulk_update(lists, ["round_count"], batch_size=500)
    actions = ReportAction.objects.bulk_create(
        [
            ReportAction(report=report, item=item, action=rng.choice(ACTIONS))
            for report, mine in zip(reports, report_items, strict=True)
            for item in mine
        ]
    )
    # Every action carries its evidence photo, as the report form requires (a tiny generated PNG).
    evidence = _evidence_png()
    ActionPhoto.objects.bulk_create([ActionPhoto(action=a, image=ContentFile(evidence, name=f"demo-{a.pk}.png")) for a in actions])
    overdue = sum(1 for r in lists if r.is_overdue(today))
    stdout.write(f"  {len(inspections)} inspections, {len(lists)} rectification lists ({overdue} overdue), {len(reports)} reports")
