"""Demo complaints: about twelve months of work orders across the demo district (seed_demo).

- Complaints are spread over the last twelve finished calendar months and the current month so far
  (in proportion to the days gone), in every compound, by household count (old compounds a little
  more), with a gentle district-wide fall as the campaign takes hold; channels app / 12345 hotline / walk-in; every status; ratings whose
  satisfaction rises through the year (roughly 84% → 97%, the seed article's figures).
- 天马华耀城 (1268 households) gets 271 complaints in the first six finished months and 181 in the last
  six, none rejected: its monthly-average complaint ratio falls by 33.21% (seed article: 月均投诉比下降33.21%),
  whether or not a figure leaves out the current, partial month.
- An early warning (预警): this week's complaints in the busiest community are all e-bike parking and
  charging (relabelled, so no count changes), and the detector runs once, raising the warning and
  notifying that community's officials.
- Each complaint carries the events of the path it took (filed, dispatched, signed for, resolved,
  confirmed or auto-closed, returned, rejected, reopened), written with bulk_create.

Deterministic (fixed random seed, relative to today's month) and safe to run twice: if demo
complaints exist (numbers with a `D`), nothing is written.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from communities.models import Compound, ManagementContract, RoleAssignment
from complaints.models import Category, Complaint, ComplaintEvent
from core.models import User
from core.workdays import add_working_days, add_working_hours

S = Complaint.Status
K = ComplaintEvent.Kind
MONTHS = 12  # finished months; the current month follows them (index MONTHS)
BASE_RATIO = 0.42  # complaints per 100 households per month, district-wide, at the start of the year
TIANMA_FIRST_HALF = [47, 46, 45, 45, 44, 44]  # 271
TIANMA_SECOND_HALF = [34, 32, 30, 29, 28, 28]  # 181: (181 − 271) ÷ 271 = −33.21%

CATEGORY_WEIGHTS = {
    "ebike": 14,
    "elevator": 8,
    "elevator-entrapment": 1,
    "parking": 12,
    "road": 6,
    "lighting": 7,
    "fire-lane": 4,
    "sewage": 8,
    "leak": 9,
    "sanitation": 12,
    "greenery": 6,
    "noise": 7,
    "fees": 4,
    "other": 2,
}
TEXTS = {
    "ebike": ["{b}楼道里停满电动车，还有人飞线充电，很危险", "{b}单元门口电动车乱停，消防隐患大", "小区没有集中充电桩，居民只能拉线充电"],
    "elevator": ["{b}电梯经常停运，老人上下楼很困难", "{b}电梯运行有异响，担心安全", "{b}电梯按键失灵好几天了"],
    "elevator-entrapment": ["{b}电梯困人，已被困十多分钟", "{b}电梯突然停在两层之间，有人被困"],
    "parking": ["小区主干道车辆乱停，救护车进不来", "{b}楼下车位被外来车辆长期占用", "车辆停在人行道上，老人小孩通行困难"],
    "road": ["小区{b}前路面坑洼，下雨积水", "{b}旁边的路面塌陷，晚上容易摔倒", "小区道路破损多处，一直没人修"],
    "lighting": ["{b}楼道灯坏了很久，晚上漆黑一片", "小区路灯不亮，晚上出行不安全", "地下车库照明不足"],
    "fire-lane": ["消防通道被私家车堵死", "{b}旁消防通道堆放杂物", "消防通道被改成停车位"],
    "sewage": ["{b}下水道堵塞，污水外溢", "化粪池满了，臭味很大", "{b}一楼排污管道反水"],
    "leak": ["{b}顶楼漏水，墙面发霉", "{b}地下室渗水严重", "小区供水管爆管，一直在漏水"],
    "sanitation": ["垃圾清运不及时，{b}旁垃圾堆积发臭", "楼道卫生长期没人打扫", "垃圾桶周边污水横流，蚊虫很多"],
    "greenery": ["{b}前树木太高遮挡采光，需修剪", "绿化带被改成菜地", "草坪长期无人养护"],
    "noise": ["{b}夜间装修噪声扰民", "小区广场舞音响太大，影响休息", "{b}楼下商铺噪声很大"],
    "fees": ["物业费上涨没有公示", "停车费收费标准不清楚", "公摊水电费用不透明"],
    "other": ["小区门禁系统坏了", "快递柜占用公共通道", "希望增设休闲座椅"],
}
SURNAMES = "陈林黄张李王吴刘蔡杨郑庄郭洪许何苏柯"
GIVEN = "明华红丽芳伟强军燕秀英玲志勇建国海峰"


def seed(stdout) -> None:
    from complaints import demo_integrations  # Open311 clients (complaints-io)

    demo_integrations.seed(stdout)
    if Complaint.objects.filter(number__contains="D").exists():
        stdout.write("  demo complaints already present")
        return
    categories = {c.code: c for c in Category.objects.all()}
    if not categories:
        stdout.write("  no complaint categories; run migrate first")
        return
    today = timezone.localdate()
    now = timezone.now()
    months = list(_months(today))
    compounds = list(Compound.objects.filter(is_active=True).select_related("community").order_by("id"))
    company_of = dict(ManagementContract.objects.in_force().values_list("compound_id", "company_id"))
    staff_of = {
        r.company_id: r.user for r in RoleAssignment.objects.filter(role="staff", is_active=True).select_related("user").order_by("id")
    }
    officials = {
        r.community_id: r.user for r in RoleAssignment.objects.filter(role="official", community__isnull=False).select_related("user")
    }
    district_official = User.objects.filter(username="district").first()
    resident = User.objects.filter(username="resident_fulian").first()

    rng = random.Random("linli-complaints")
    plans = []
    for m_index, month_start in enumerate(months):
        month_end = _next_month(month_start)
        trend = 1.15 - 0.3 * m_index / (MONTHS - 1)
        # The current month so far: its share of a month's complaints.
        share = min(1.0, ((today - month_start).days + 1) / (month_end - month_start).days)
        for compound in compounds:
            if compound.name == "天马华耀城":
                n = (TIANMA_FIRST_HALF + TIANMA_SECOND_HALF)[m_index] if m_index < MONTHS else round(TIANMA_SECOND_HALF[-1] * share)
            else:
                mean = compound.household_count / 100 * BASE_RATIO * trend * (1.4 if compound.is_old else 1.0)
                n = _poisson(rng, mean * share)
            for _ in range(n):
                plans.append((m_index, month_start, month_end, compound))

    complaints: list[Complaint] = []
    paths: list[list[tuple]] = []
    for seq, (m_index, month_start, month_end, compound) in enumerate(plans, start=1):
        c, path = _one(
            rng,
            seq,
            m_index,
            month_start,
            month_end,
            compound,
            categories,
            company_of,
            staff_of,
            officials,
            district_official,
            resident if compound.name == "福炼小区" and rng.random() < 0.15 else None,
            now,
            today,
        )
        complaints.append(c)
        paths.append(path)

    with transaction.atomic():
        created = Complaint.objects.bulk_create(complaints, batch_size=1000)
        events = [
            ComplaintEvent(complaint_id=c.pk, kind=kind, actor=actor, at=at, from_status=frm, to_status=to, note=note)
            for c, path in zip(created, paths, strict=True)
            for kind, actor, at, frm, to, note in path
        ]
        ComplaintEvent.objects.bulk_create(events, batch_size=2000)
    stdout.write(f"  {len(created)} complaints with {len(events)} events over {MONTHS} months and this one")
    _surge(categories, now, stdout)
    _waiting_to_sign(categories, district_official, stdout)


def _waiting_to_sign(categories: dict, district_official, stdout) -> None:
    """This morning's walk-ins, filed through the service: each demo company login opens Linli to
    complaints waiting to be signed for (待签收), whatever the hour the demo is seeded at."""
    from complaints import services

    if district_official is None:
        return
    walk_ins = [
        ("福炼小区", "lighting", "3号楼楼道灯坏了，晚上漆黑一片", "陈大爷"),
        ("福炼小区", "sanitation", "垃圾清运不及时，5号楼旁垃圾堆积发臭", "林阿姨"),
    ]
    filed = 0
    for compound_name, code, text, name in walk_ins:
        compound = Compound.objects.filter(name=compound_name, is_active=True).first()
        if compound is None or code not in categories:
            continue
        services.complaint_file(
            actor=district_official,
            channel=Complaint.Channel.WALKIN,
            compound=compound,
            category=categories[code],
            description=text,
            reporter_name=name,
            reporter_phone="13905950000",
        )
        filed += 1
    stdout.write(f"  {filed} walk-in complaints waiting to be signed for")


def _surge(categories: dict, now: dt.datetime, stdout) -> None:
    from django.db.models import Count

    from complaints import surges

    monday = surges.week_start(timezone.localtime(now).date())
    this_week = Complaint.objects.filter(made_at__gte=surges.local_midnight(monday)).exclude(status=S.REJECTED)
    busiest = this_week.values("compound__community_id").annotate(n=Count("id")).order_by("-n").first()
    if not busiest or busiest["n"] < surges.MIN_COUNT:
        stdout.write("  no early-warning demo: too few complaints so far this week")
        return
    this_week.filter(compound__community_id=busiest["compound__community_id"]).update(category=categories["ebike"])
    raised = surges.surge_detect(now=now)
    stdout.write(f"  early warnings this week: {len(raised)}")


def _months(today: dt.date) -> Iterator[dt.date]:
    first = today.replace(day=1)
    for back in range(MONTHS, -1, -1):
        y, m = first.year, first.month - back
        while m <= 0:
            y, m = y - 1, m + 12
        yield dt.date(y, m, 1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is fine for the small means here.
    import math

    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _aware(day: dt.date, seconds: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds))


CHANNEL_ZH = {"app": "App/API", "hotline": "12345 热线", "walkin": "来访"}
RATING_ZH = {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}


def _one(rng, seq, m_index, month_start, month_end, compound, categories, company_of, staff_of, officials, district, resident, now, today):
    # A day in the month (up to today), between 07:00 and 22:00; never in the future, never outside the month.
    days = (min(month_end, today + dt.timedelta(days=1)) - month_start).days
    made_at = _aware(month_start + dt.timedelta(days=rng.randrange(max(days, 1))), rng.randint(7 * 3600, 22 * 3600))
    if made_at > now - dt.timedelta(hours=1):
        made_at = max(now - dt.timedelta(hours=1), _aware(month_start, 60))
    code = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
    category = categories[code]
    channel = rng.choices([Complaint.Channel.APP, Complaint.Channel.HOTLINE, Complaint.Channel.WALKIN], weights=[55, 35, 10])[0]
    if resident is not None:
        channel = Complaint.Channel.APP
    text = rng.choice(TEXTS[code]).format(b=f"{rng.randint(1, 12)}号楼")
    name = resident.display_name if resident else rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
    phone = resident.phone if resident else f"139{rng.randint(0, 99_999_999):08d}"
    company_id = company_of.get(compound.pk)
    handler = staff_of.get(company_id) if company_id else officials.get(compound.community_id)
    assignee_note = "" if company_id else compound.community.name
    dispatched_at = made_at + (
        dt.timedelta(minutes=rng.randint(20, 180)) if channel == Complaint.Channel.HOTLINE else dt.timedelta(seconds=1)
    )
    response_due = add_working_hours(dispatched_at, category.accept_hours)
    resolve_due = add_working_days(dispatched_at, category.resolve_days)
    c = Complaint(
        number=f"TS{timezone.localtime(made_at):%Y%m%d}D{seq:05d}",
        compound=compound,
        category=category,
        channel=channel,
        description=text,
        reporter=resident,
        reporter_name=name,
        reporter_phone=phone,
        is_anonymous=rng.random() < 0.08,
        hotline_ticket=f"QZ12345{timezone.localtime(made_at):%Y%m%d}{seq:05d}" if channel == Complaint.Channel.HOTLINE else None,
        assigned_company_id=company_id,
        assigned_community_id=None if company_id else compound.community_id,
        made_at=made_at,
        created_at=dispatched_at,
        dispatched_at=dispatched_at,
        response_due=response_due,
        resolve_due=resolve_due,
    )
    reporter_actor = resident
    path = [
        (K.CREATE, reporter_actor, made_at, "", S.SUBMITTED, CHANNEL_ZH[channel]),
        (K.DISPATCH, None, dispatched_at, S.SUBMITTED, S.DISPATCHED, assignee_note),
    ]
    age = now - made_at
    late_in_year = m_index / (MONTHS - 1)

    # Rejected: a few, never in 天马华耀城 (its complaint ratio must count every complaint).
    if compound.name != "天马华耀城" and rng.random() < 0.035:
        at = dispatched_at + dt.timedelta(hours=rng.randint(2, 30))
        if at < now:
            c.status, c.reject_reason, c.closed_at = S.REJECTED, Complaint.RejectReason.INVALID, at
            path.append((K.REJECT, district, at, S.DISPATCHED, S.REJECTED, "无效投诉"))
            return c, path

    # Last month and this one: a few returned (退单) for reassignment, a few neglected orders, overdue and supervised.
    recent = m_index >= MONTHS - 1
    if recent and rng.random() < 0.03 and compound.name != "天马华耀城":
        at = dispatched_at + dt.timedelta(minutes=rng.randint(10, 60))
        if at < now:
            c.status, c.assigned_company_id, c.assigned_community_id = S.SUBMITTED, None, None
            path.append((K.RETURN, handler, at, S.DISPATCHED, S.SUBMITTED, "非本公司管理范围"))
            c.is_overdue = response_due < now
            return c, path
    if recent and rng.random() < 0.1:
        c.status = S.DISPATCHED
        if rng.random() < 0.5 and dispatched_at + dt.timedelta(hours=1) < now:
            c.status, c.accepted_at = S.ACCEPTED, dispatched_at + dt.timedelta(hours=1)
            path.append((K.ACCEPT, handler, c.accepted_at, S.DISPATCHED, S.ACCEPTED, ""))
        c.is_overdue = (c.status == S.DISPATCHED and response_due < now) or resolve_due < now
        if c.is_overdue and rng.random() < 0.5:
            c.supervised = True
            at = max(resolve_due if resolve_due < now else response_due, now - dt.timedelta(hours=2))
            path.append((K.OVERDUE, None, min(response_due, resolve_due) if resolve_due < now else response_due, "", "", "已超过期限"))
            path.append((K.SUPERVISE, district, at, "", "", "请抓紧处理并回复"))
        return c, path

    # Sign for: usually within the deadline, a little more often as the year goes on.
    on_time = rng.random() < 0.85 + 0.1 * late_in_year
    accept_at = (
        dispatched_at + dt.timedelta(minutes=rng.randint(10, 120)) if on_time else response_due + dt.timedelta(hours=rng.randint(1, 20))
    )
    accept_at = min(accept_at, response_due) if on_time else accept_at
    if accept_at >= now or (age < dt.timedelta(days=2) and rng.random() < 0.5):
        c.status = S.DISPATCHED
        c.is_overdue = response_due < now
        return c, path
    c.accepted_at = accept_at
    path.append((K.ACCEPT, handler, accept_at, S.DISPATCHED, S.ACCEPTED, ""))
    resolve_at = accept_at + dt.timedelta(hours=rng.randint(3, 24 * (category.resolve_days + (2 if rng.random() < 0.1 else 0))))
    if resolve_at >= now:
        c.status = S.ACCEPTED
        c.is_overdue = resolve_due < now
        return c, path
    c.resolved_at = resolve_at
    path.append((K.RESOLVE, handler, resolve_at, S.ACCEPTED, S.RESOLVED, "已处理完毕，请业主确认"))

    # Rating, satisfaction rising through the year (≈84% → ≈97% satisfied or basically satisfied):
    # a dissatisfied resident reopens the order; most of those never rate it again, so it closes by
    # itself keeping the dissatisfied verdict.
    unhappy = 0.23 - 0.195 * late_in_year
    r = rng.random()
    rating = Complaint.Rating.DISSATISFIED if r < unhappy else Complaint.Rating.BASIC if r < unhappy + 0.22 else Complaint.Rating.SATISFIED
    confirm_at = resolve_at + dt.timedelta(hours=rng.randint(2, 96))
    unrated = rng.random() < 0.15
    if unrated:
        close_at = resolve_at + dt.timedelta(days=7, minutes=15)
        if close_at >= now:
            c.status = S.RESOLVED
            return c, path
        c.status, c.closed_at = S.CLOSED, close_at
        path.append((K.CLOSE, None, close_at, S.RESOLVED, S.CLOSED, "7天内未确认，自动关闭"))
        return c, path
    if confirm_at >= now:
        c.status = S.RESOLVED
        return c, path
    if rating == Complaint.Rating.DISSATISFIED:
        # Reopened once (重办) and fixed again; then either rated again or closed by itself, still dissatisfied.
        c.reopen_count, c.rating, c.rated_at = 1, rating, confirm_at
        path.append((K.REOPEN, reporter_actor, confirm_at, S.RESOLVED, S.DISPATCHED, "不满意，问题仍存在"))
        again = confirm_at + dt.timedelta(hours=rng.randint(1, 8))
        fixed = again + dt.timedelta(hours=rng.randint(4, 48))
        if fixed >= now:
            c.status, c.accepted_at, c.resolved_at = S.DISPATCHED, None, None
            return c, path
        path.append((K.ACCEPT, handler, again, S.DISPATCHED, S.ACCEPTED, ""))
        path.append((K.RESOLVE, handler, fixed, S.ACCEPTED, S.RESOLVED, "已重新处理"))
        c.accepted_at, c.resolved_at = again, fixed
        if rng.random() < 0.7:
            close_at = fixed + dt.timedelta(days=7, minutes=15)
            if close_at >= now:
                c.status = S.RESOLVED
                return c, path
            c.status, c.closed_at = S.CLOSED, close_at
            path.append((K.CLOSE, None, close_at, S.RESOLVED, S.CLOSED, "7天内未确认，自动关闭"))
            return c, path
        confirm_at = fixed + dt.timedelta(hours=rng.randint(2, 48))
        if confirm_at >= now:
            c.status = S.RESOLVED
            return c, path
        rating = Complaint.Rating.BASIC if rng.random() < 0.6 else Complaint.Rating.SATISFIED
    c.status, c.rating, c.rated_at, c.closed_at = S.CLOSED, rating, confirm_at, confirm_at
    path.append((K.CONFIRM, reporter_actor, confirm_at, S.RESOLVED, S.CLOSED, RATING_ZH[rating]))
    return c, path
