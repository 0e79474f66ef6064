"""Demo data of the seed article's third part, for this year so far, so the figures page reproduces it:

- 锦祥安置小区's 邻里议事亭; venues in 9 compounds and 议事日 rules (2nd and 4th Saturday) in 18 compounds of
  山腰街道 (锦祥社区 first), with their sessions this year and the coming ones;
- in 锦祥社区: 32 disputes settled by agreement and 13 micro-consultations;
- four-party joint meetings across the district settling 152 issues (three of them missing a party);
- 26 legal workers and 119 police officers linked to 119 compounds; 138 legal consultations; 36 cases solved;
- 7 judges' workstations (one per town) with 24 screenings, 8 major hazards handled, and 79 disputes resolved.

Deterministic (seeded random), bulk inserts, and safe to run twice: a second run finds the pavilion and stops.
"""

import datetime as dt
import random

from django.utils import timezone

from communities.demo import _person_name
from communities.models import Community, Compound, Subdistrict
from core.models import User
from mediation import services
from mediation.models import (
    ActionItem,
    Attendee,
    CaseMediator,
    DeliberationRule,
    DisputeCase,
    DisputeParty,
    Hazard,
    LegalConsultation,
    LegalLiaison,
    Meeting,
    PoliceCase,
    Screening,
    Topic,
    Venue,
)

PAVILION = "邻里议事亭"
ISSUES = [
    "物业管理费拖欠",
    "地下管网漏水",
    "消防通道占用",
    "电动自行车停放充电难",
    "电梯频繁故障",
    "车辆停放无序",
    "路面破损",
    "公共照明不足",
    "污水管堵塞",
    "楼道杂物堆放",
    "绿化带毁绿种菜",
    "外墙渗水",
    "垃圾分类投放点设置",
    "夜间噪音扰民",
    "高空抛物隐患",
    "二次供水水箱清洗",
]
DISPUTES = [
    ("leak", "楼上卫生间渗水至楼下"),
    ("neighbour", "邻居装修噪音纠纷"),
    ("parking", "私家车位被长期占用"),
    ("fees", "物业费收缴争议"),
    ("property_service", "物业维修不及时引发纠纷"),
    ("fire_lane", "消防通道堆放杂物纠纷"),
    ("neighbour", "宠物扰邻纠纷"),
    ("other", "公共部位使用争议"),
]
QUESTIONS = [
    "业主大会召开程序是否合法？",
    "拖欠物业费物业公司能否停水停电？",
    "维修资金使用需经多少业主同意？",
    "更换物业公司需要哪些程序？",
    "楼上漏水造成损失如何索赔？",
    "开发商未交付的车位归属如何认定？",
    "业委会成员任期届满如何换届？",
    "公共收益应当如何分配与公示？",
]
LAW_FIRMS = ["福建泉港律师事务所", "泉州惠泉律师事务所", "泉港区法律援助中心", "福建闽中律师事务所"]
HAZARDS = [
    ("major", "物业费纠纷集体投诉苗头"),
    ("major", "地下车库消防设施损坏"),
    ("major", "业主与物业围绕公共收益对立"),
    ("ordinary", "楼道堆放杂物"),
    ("ordinary", "电动车楼道充电"),
    ("ordinary", "路灯损坏"),
]


def _days(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def seed(stdout) -> None:
    jinxiang = Compound.objects.filter(name="锦祥安置小区").first()
    if jinxiang is None or Venue.objects.filter(compound=jinxiang, name=PAVILION).exists():
        return
    rng = random.Random("linli-mediation")
    today = timezone.localdate()
    jan1 = today.replace(month=1, day=1)
    last = max(jan1, today - dt.timedelta(days=1))  # everything this year happened before today
    recorder = User.objects.filter(username="mediator_shanyao").first()

    shanyao = Subdistrict.objects.get(name="山腰街道")
    jinxiang_c = jinxiang.community
    # 锦祥安置小区 first, then the rest of 锦祥社区, then the other communities of 山腰街道.
    shanyao_compounds = sorted(
        Compound.objects.filter(community__subdistrict=shanyao).exclude(pk=jinxiang.pk),
        key=lambda c: (c.community_id != jinxiang_c.pk, c.community_id, c.pk),
    )
    with_rules = [jinxiang, *shanyao_compounds][:18]
    with_venues = with_rules[:9]

    # --- venues -------------------------------------------------------------------------------
    venues = [Venue(kind=Venue.Kind.PAVILION, name=PAVILION, compound=jinxiang, address="锦祥安置小区广场一角")]
    kinds = [Venue.Kind.PAVILION, Venue.Kind.TEA_HOUSE, Venue.Kind.COLLECTION_POINT]
    for i, compound in enumerate(with_venues[1:]):
        kind = kinds[i % 3]
        venues.append(Venue(kind=kind, name=f"{compound.name}{Venue.Kind(kind).label}", compound=compound))
    communities = list(Community.objects.select_related("subdistrict").order_by("id"))
    for community in communities:
        venues.append(Venue(kind=Venue.Kind.HALL, name=f"{community.name}居民议事厅", community=community, address="党群服务中心"))
    workstations: dict[int, Venue] = {}
    for town in Subdistrict.objects.order_by("id"):
        seat = next(c for c in communities if c.subdistrict_id == town.pk)
        ws = Venue(kind=Venue.Kind.JUDGES_WORKSTATION, name=f"{town.name}法官工作站", community=seat)
        workstations[town.pk] = ws
        venues.append(ws)
    Venue.objects.bulk_create(venues)
    venue_of = {v.compound_id: v for v in venues if v.compound_id}

    # --- 议事日 rules and their sessions --------------------------------------------------------
    rules = DeliberationRule.objects.bulk_create(
        [
            DeliberationRule(
                compound=c,
                venue=venue_of.get(c.pk),
                title=f"{c.name}议事日",
                positions=[2, 4],
                weekday=DeliberationRule.Weekday.SATURDAY,
                start_date=jan1,
                start_time=dt.time(19, 30),
            )
            for c in with_rules
        ]
    )
    held = []
    for rule in rules:
        for day in rule.dates(start=jan1, until=last):
            held.append(
                Meeting(
                    kind=Meeting.Kind.DELIBERATION_DAY,
                    compound=rule.compound,
                    venue=rule.venue,
                    rule=rule,
                    title=rule.title,
                    starts_at=_at(day, 19, 30),
                    status=Meeting.Status.HELD,
                    minutes="居民到亭议事，现场记录诉求并逐项答复。",
                    recorded_by=recorder,
                )
            )
    Meeting.objects.bulk_create(held)
    for rule in rules:
        services.rule_generate_sessions(rule_id=rule.pk, today=today)
    topics = []
    for meeting in held:
        if meeting.compound_id != jinxiang.pk:
            continue
        for issue in rng.sample(ISSUES, 2):
            topics.append(_settled_topic(meeting, issue, "物业与居民当场议定处理办法"))

    # --- 13 micro-consultations in 锦祥社区 --------------------------------------------------------
    jinxiang_compounds = [c for c in with_rules if c.community_id == jinxiang_c.pk]
    micro = Meeting.objects.bulk_create(
        [
            Meeting(
                kind=Meeting.Kind.MICRO_CONSULTATION,
                compound=jinxiang_compounds[i % len(jinxiang_compounds)],
                venue=venue_of.get(jinxiang_compounds[i % len(jinxiang_compounds)].pk),
                title=f"小区微协商：{ISSUES[i % len(ISSUES)]}",
                starts_at=_at(_days(rng, jan1, last), 15),
                status=Meeting.Status.HELD,
                minutes="楼栋长、居民代表与物业协商。",
                recorded_by=recorder,
            )
            for i in range(13)
        ]
    )
    topics += [_settled_topic(m, m.title.split("：")[-1], "协商一致") for m in micro]

    # --- four-party joint meetings settling 152 issues ------------------------------------------
    managed = list(Compound.objects.filter(has_party_branch=True, contracts__isnull=False).distinct().order_by("id"))
    four_party = Meeting.objects.bulk_create(
        [
            Meeting(
                kind=Meeting.Kind.FOUR_PARTY,
                compound=managed[(i * 7) % len(managed)],
                title="四方联席会议",
                starts_at=_at(_days(rng, jan1, last), 9),
                status=Meeting.Status.HELD,
                minutes="社区党组织、小区党支部、物业服务企业、业委会共商小区事务。",
                recorded_by=recorder,
            )
            for i in range(38)
        ]
    )
    attendees, items = [], []
    for i, meeting in enumerate(four_party):
        parties = list(Attendee.FOUR_PARTIES) if i % 13 != 5 else list(Attendee.FOUR_PARTIES[:3])  # three missed the committee
        for party in parties:
            attendees.append(Attendee(meeting=meeting, name=_person_name(rng), party=party, organisation=Attendee.Party(party).label))
        for issue in rng.sample(ISSUES, 4):
            topics.append(_settled_topic(meeting, issue, "明确责任主体和完成时限"))
        due = meeting.starts_at.date() + dt.timedelta(days=30)
        done = due < today - dt.timedelta(days=20) or i % 4 != 0
        items.append(
            ActionItem(
                meeting=meeting,
                title=f"落实：{rng.choice(ISSUES)}",
                owner_name=rng.choice(["物业服务企业", "小区党支部", "业委会", "社区"]),
                due_date=due,
                status=ActionItem.Status.DONE if done else ActionItem.Status.IN_PROGRESS,
                done_at=_at(min(due, last), 17) if done else None,
            )
        )
    Attendee.objects.bulk_create(attendees)
    Topic.objects.bulk_create(topics)
    ActionItem.objects.bulk_create(items)
    _seed_proposals(today)

    # --- 公检法司: 26 legal workers, 119 police officers, 119 compounds ---------------------------
    linked = list(Compound.objects.exclude(name="逸涛步行街").select_related("community__subdistrict").order_by("id"))[:119]
    used: set[str] = set()

    def unique_name() -> str:
        while True:
            name = _person_name(rng)
            if name not in used:
                used.add(name)
                return name

    lawyers = LegalLiaison.objects.bulk_create(
        [
            LegalLiaison(name=unique_name(), kind=LegalLiaison.Kind.LEGAL_WORKER, organisation=LAW_FIRMS[i % 4], phone=f"1395950{i:04d}")
            for i in range(26)
        ]
    )
    police = LegalLiaison.objects.bulk_create(
        [
            LegalLiaison(
                name=unique_name(),
                kind=LegalLiaison.Kind.POLICE_OFFICER,
                organisation=f"泉港公安分局{c.community.subdistrict.name}派出所",
                phone=f"1385950{i:04d}",
            )
            for i, c in enumerate(linked)
        ]
    )
    through = LegalLiaison.compounds.through
    lawyer_of = {c.pk: lawyers[i % 26] for i, c in enumerate(linked)}
    police_of = {c.pk: police[i] for i, c in enumerate(linked)}
    through.objects.bulk_create(
        [through(legalliaison_id=lawyer_of[c.pk].pk, compound_id=c.pk) for c in linked]
        + [through(legalliaison_id=police_of[c.pk].pk, compound_id=c.pk) for c in linked]
    )
    LegalConsultation.objects.bulk_create(
        [
            LegalConsultation(
                compound=c,
                liaison=lawyer_of[c.pk],
                given_on=_days(rng, jan1, last),
                question=rng.choice(QUESTIONS),
                answer="已依据《民法典》物权编及相关司法解释当面解答。",
            )
            for c in (rng.choice(linked) for _ in range(138))
        ]
    )
    PoliceCase.objects.bulk_create(
        [
            PoliceCase(
                compound=c,
                liaison=police_of[c.pk],
                solved_on=_days(rng, jan1, last),
                summary=rng.choice(["盗窃电动车案", "入室盗窃案", "诈骗案", "故意损毁财物案"]),
            )
            for c in (rng.choice(linked) for _ in range(36))
        ]
    )

    # --- judges' workstations: 24 screenings, 8 major hazards handled, 79 disputes resolved ------
    towns = list(Subdistrict.objects.order_by("id"))
    compounds_of = {t.pk: [c for c in linked if c.community.subdistrict_id == t.pk] for t in towns}
    latest = max(jan1, today - dt.timedelta(days=25))
    screenings = Screening.objects.bulk_create(
        [
            Screening(
                subdistrict=towns[i % 7],
                workstation=workstations[towns[i % 7].pk],
                held_on=_days(rng, jan1, latest),
                summary="法官工作站联合司法所、派出所、物业企业开展物业纠纷排查。",
                recorded_by=recorder,
            )
            for i in range(24)
        ]
    )
    covered, hazards = [], []
    screening_compounds: dict[int, list[Compound]] = {}
    for s in screenings:
        chosen = rng.sample(compounds_of[s.subdistrict_id], min(3, len(compounds_of[s.subdistrict_id])))
        screening_compounds[s.pk] = chosen
        covered += [Screening.compounds.through(screening_id=s.pk, compound_id=c.pk) for c in chosen]
    Screening.compounds.through.objects.bulk_create(covered)
    for i in range(22):
        s = screenings[i]
        severity, text = HAZARDS[i % 3] if i < 8 else HAZARDS[3 + i % 3]
        handled = i < 18
        hazards.append(
            Hazard(
                screening=s,
                compound=screening_compounds[s.pk][0],
                description=text,
                severity=severity,
                status=Hazard.Status.HANDLED if handled else Hazard.Status.OPEN,
                outcome="约谈物业企业限期整改，已复查销号" if handled else "",
                handled_on=min(s.held_on + dt.timedelta(days=10), last) if handled else None,
            )
        )
    Hazard.objects.bulk_create(hazards)

    cases: list[tuple[DisputeCase, list[tuple[str, str]], list[tuple[str, str, LegalLiaison | None]]]] = []
    outside = [s for s in screenings if any(c.community_id != jinxiang_c.pk for c in screening_compounds[s.pk])]
    for i in range(79):
        s = outside[i % len(outside)]
        compound = next(c for c in screening_compounds[s.pk] if c.community_id != jinxiang_c.pk)
        kind, summary = DISPUTES[i % len(DISPUTES)]
        closed = min(s.held_on + dt.timedelta(days=rng.randint(3, 20)), last)
        case = DisputeCase(
            compound=compound,
            type=kind,
            source=DisputeCase.Source.SCREENING,
            screening=s,
            summary=summary,
            registered_on=s.held_on,
            status=DisputeCase.Status.CLOSED,
            outcome=DisputeCase.Outcome.AGREEMENT,
            agreement_text="经法官工作站调解，双方自愿达成协议并当场履行。",
            closed_on=closed,
            registered_by=recorder,
        )
        mediators = [
            (CaseMediator.Kind.JUDGES_WORKSTATION, s.workstation.name, None),
            (CaseMediator.Kind.LEGAL_WORKER, lawyer_of[compound.pk].name, lawyer_of[compound.pk]),
        ]
        cases.append((case, [(_person_name(rng), "applicant"), (f"{compound.name}物业", "respondent")], mediators))

    # 32 settled in 锦祥社区 on deliberation days and by walk-in, mediated by the community and its legal worker.
    sessions_of = {}
    for m in held:
        sessions_of.setdefault(m.compound_id, []).append(m)
    for i in range(32):
        compound = jinxiang_compounds[i % len(jinxiang_compounds)]
        kind, summary = DISPUTES[(i * 3) % len(DISPUTES)]
        meeting = rng.choice(sessions_of[compound.pk]) if sessions_of.get(compound.pk) and i % 4 else None
        registered = meeting.starts_at.date() if meeting else _days(rng, jan1, last)
        case = DisputeCase(
            compound=compound,
            type=kind,
            source=DisputeCase.Source.DELIBERATION_DAY if meeting else DisputeCase.Source.WALK_IN,
            meeting=meeting,
            summary=summary,
            registered_on=registered,
            status=DisputeCase.Status.CLOSED,
            outcome=DisputeCase.Outcome.AGREEMENT,
            agreement_text="在社区多方调解下，双方解开“心结”，达成和解。",
            closed_on=min(registered + dt.timedelta(days=rng.randint(0, 10)), last),
            registered_by=recorder,
        )
        lawyer = lawyer_of.get(compound.pk)
        mediators = [(CaseMediator.Kind.COMMUNITY_CADRE, "庄开桂", None)]
        if lawyer:
            mediators.append((CaseMediator.Kind.LEGAL_WORKER, lawyer.name, lawyer))
        cases.append((case, [(_person_name(rng), "applicant"), (_person_name(rng), "respondent")], mediators))

    # Still open, or ended otherwise: these are not "resolved".
    for i, (outcome, status) in enumerate([("", "open"), ("", "open"), ("", "open"), ("court", "closed"), ("withdrawn", "closed")]):
        compound = jinxiang_compounds[i % len(jinxiang_compounds)] if status == "open" else managed[i]
        kind, summary = DISPUTES[i]
        registered = _days(rng, max(jan1, today - dt.timedelta(days=30)), last)
        case = DisputeCase(
            compound=compound,
            type=kind,
            source=DisputeCase.Source.HOTLINE,
            summary=summary,
            registered_on=registered,
            status=status,
            outcome=outcome,
            outcome_note="当事人向泉港区人民法院起诉" if outcome == "court" else ("申请人撤回" if outcome else ""),
            closed_on=last if status == "closed" else None,
            registered_by=recorder,
        )
        cases.append(
            (
                case,
                [(_person_name(rng), "applicant"), (_person_name(rng), "respondent")],
                [(CaseMediator.Kind.COMMUNITY_CADRE, "社区调委会", None)],
            )
        )

    DisputeCase.objects.bulk_create([c for c, _p, _m in cases])
    DisputeParty.objects.bulk_create([DisputeParty(case=c, name=n, side=side) for c, parties, _m in cases for n, side in parties])
    CaseMediator.objects.bulk_create(
        [CaseMediator(case=c, kind=k, name=n, liaison=liaison) for c, _p, mediators in cases for k, n, liaison in mediators]
    )
    stdout.write(
        f"  {len(venues)} venues, {len(rules)} deliberation-day rules, {Meeting.objects.count()} meetings, "
        f"{len(cases)} dispute cases, {len(lawyers)}+{len(police)} liaisons, {len(screenings)} screenings"
    )


def _settled_topic(meeting: Meeting, title: str, resolution: str) -> Topic:
    return Topic(
        compound_id=meeting.compound_id,
        meeting=meeting,
        title=title,
        status=Topic.Status.SETTLED,
        resolution=resolution,
        settled_at=meeting.starts_at + dt.timedelta(hours=2),
        decided_at=meeting.starts_at,
    )


def _seed_proposals(today: dt.date) -> None:
    """福炼小区: an owners' tea house next week with a resident's proposal waiting, and one overdue action item."""
    fulian = Compound.objects.filter(name="福炼小区").first()
    resident = User.objects.filter(username="resident_fulian").first()
    if fulian is None:
        return
    tea = Meeting.objects.create(
        kind=Meeting.Kind.TEA_HOUSE,
        compound=fulian,
        title="福炼小区业主茶馆",
        starts_at=_at(today + dt.timedelta(days=7), 15),
        status=Meeting.Status.UPCOMING,
    )
    Topic.objects.create(compound=fulian, meeting=tea, title="电动车充电桩再多建一些", proposed_by=resident)
    past = Meeting.objects.create(
        kind=Meeting.Kind.DELIBERATION_DAY,
        compound=fulian,
        title="福炼小区议事日",
        starts_at=_at(today - dt.timedelta(days=20), 19, 30),
        status=Meeting.Status.HELD,
        minutes="居民反映小区污水管堵塞，物业承诺两周内疏通。",
    )
    topic = Topic.objects.create(
        compound=fulian,
        meeting=past,
        title="疏通小区污水管",
        status=Topic.Status.SETTLED,
        resolution="物业两周内疏通",
        settled_at=past.starts_at + dt.timedelta(hours=1),
        proposed_by=resident,
    )
    ActionItem.objects.create(
        meeting=past, topic=topic, title="疏通小区污水管", owner_name="一方物业 陈欢", due_date=today - dt.timedelta(days=6)
    )
