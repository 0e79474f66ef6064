"""Demo committees, candidates and votes for the district of the seed article.

- The article's lead figures exactly, as the dashboard shows them (two decimals): active committees in
  70% of the eligible compounds (77 of 110: formation rate 70.00%) and, with five more committees in
  smaller compounds, 51 red of 82 active (Party members > half of the seated members): 62.20%.
- 福炼小区: a red committee chaired by 蔡明 (the `committee_fulian` account), an open by-election
  with ballots cast (resident_fulian has not voted yet) and paper ballots awaiting sign-off, and an
  open decision on using the maintenance fund.
- 天马华耀城: a closed election, certified, which seated its committee.
- 613 candidates across the district from the three recommendations, two recalls and joint nominations.

Deterministic (seeded random) and safe to run twice (returns early once seeded).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from committees.models import Ballot, BallotMark, Candidate, Choice, Committee, CommitteeMember, Matter, RollEntry, Vote
from committees.services import roll_build
from committees.tally import vote_tally
from communities.models import Compound, Owner, RoleAssignment
from core.models import User

TZ = timezone.get_fixed_timezone(8 * 60)
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢郭洪曾邱廖赖周徐苏叶庄吕何"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅玉兰海燕辉俊凯"
# The article: 613 residents mobilised to stand, by source.
SOURCE_TOTALS = {
    Candidate.Source.COMMUNITY_PARTY: 152,
    Candidate.Source.COMPOUND_BRANCH: 161,
    Candidate.Source.BUILDING_LEADER: 138,
    Candidate.Source.RETIRED_AGENCY: 69,
    Candidate.Source.SECRETARY_ELSEWHERE: 38,
    Candidate.Source.OWNERS_JOINT: 55,
}
REJECT_REASONS = ["欠缴物业费", "非本小区业主", "本人放弃参选", "存在违法搭建未整改"]
FULIAN_MEMBERS = [
    # name, role, party, retired cadre, deputy/CPPCC, model worker, Party branch, on-site team
    ("蔡明", CommitteeMember.Role.DIRECTOR, True, True, False, False, True, False),
    ("黄秀英", CommitteeMember.Role.DEPUTY, True, False, True, False, False, False),
    ("林志明", CommitteeMember.Role.MEMBER, True, False, False, True, False, False),
    ("郑丽华", CommitteeMember.Role.MEMBER, True, True, False, False, True, False),
    ("陈建国", CommitteeMember.Role.MEMBER, False, False, False, False, False, True),
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def seed(stdout) -> None:
    if Committee.objects.exists() or Vote.objects.exists():
        stdout.write("  committees already seeded")
        return
    rng = random.Random("linli-committees")
    fulian = Compound.objects.get(name="福炼小区")
    tianma = Compound.objects.get(name="天马华耀城")
    eligible = list(Compound.objects.filter(committee_eligible=True).order_by("id"))
    small = list(Compound.objects.filter(committee_eligible=False).order_by("id"))
    others = [c for c in eligible if c.pk not in (fulian.pk, tianma.pk)]
    active_target, small_target, red_target = _article_counts(len(eligible), len(small))
    chosen = rng.sample(others, active_target - 2)
    rest = [c for c in others if c not in chosen]
    official = User.objects.filter(username="community_fulian").first()
    town_official = RoleAssignment.objects.filter(role="official", subdistrict__isnull=False).select_related("user").first()
    certifier = town_official.user if town_official else official

    candidates_left = dict(SOURCE_TOTALS)
    tianma_committee = _tianma_certified_election(tianma, certifier, rng, candidates_left)
    _fulian_committee(fulian)
    _fulian_votes(fulian, official, rng, candidates_left)
    red_so_far = 1 + int(Committee.objects.with_counts().get(pk=tianma_committee.pk).is_red)
    _other_committees(chosen + rng.sample(small, small_target), red_target - red_so_far, rng)
    _preparing(rest[:3])
    _candidate_pool(eligible, candidates_left, official, rng)

    stdout.write(
        f"  {Committee.objects.filter(status='active').count()} active committees of {len(eligible)} eligible compounds, "
        f"{Candidate.objects.count()} candidates, {Vote.objects.count()} votes, {Ballot.objects.count()} ballots"
    )


def _article_counts(eligible: int, small: int) -> tuple[int, int, int]:
    """Committees in eligible compounds, committees in smaller ones, and red committees, so that the
    formation rate is the article's 70% and the red ratio, shown with two decimals, is closest to its
    62.2% (the fewest committees in smaller compounds among equally close choices)."""
    formed = round(eligible * Decimal("0.70"))

    def miss(choice: tuple[int, int]) -> tuple[Decimal, int]:
        extra, red = choice
        shown = (Decimal(red) * 100 / (formed + extra)).quantize(Decimal("0.01"))
        return abs(shown - Decimal("62.20")), extra

    extra, red = min(((m, r) for m in range(small + 1) for r in range(formed + m + 1)), key=miss)
    return formed, extra, red


def _take(candidates_left: dict, source: str) -> str:
    candidates_left[source] -= 1
    return source


def _fulian_committee(fulian: Compound) -> Committee:
    committee = Committee.objects.create(
        compound=fulian, status=Committee.Status.ACTIVE, term_start=date(2023, 6, 1), term_end=date(2028, 5, 31), filed_on=date(2023, 6, 20)
    )
    cai = User.objects.filter(username="committee_fulian").first()
    cai_owner = Owner.objects.filter(user=cai).first() if cai else None
    for name, role, party, cadre, deputy, model, branch, team in FULIAN_MEMBERS:
        CommitteeMember.objects.create(
            committee=committee,
            name=name,
            role=role,
            user=cai if name == "蔡明" else None,
            owner=cai_owner if name == "蔡明" else None,
            is_party_member=party,
            is_retired_cadre=cadre,
            is_deputy=deputy,
            is_model_worker=model,
            in_party_branch=branch,
            in_property_team=team,
            seat_start=date(2023, 6, 1),
        )
    return committee


def _new_candidates(compound: Compound, vote: Vote | None, specs, rng: random.Random, candidates_left: dict, vetter) -> list[Candidate]:
    owners = list(Owner.objects.filter(units__compound=compound, is_developer=False, user__isnull=True).distinct().order_by("id")[:60])
    rows = []
    for i, (source, party) in enumerate(specs):
        owner = owners[(i * 7) % len(owners)] if owners else None
        rows.append(
            Candidate(
                compound=compound,
                vote=vote,
                name=owner.name if owner else _name(rng),
                owner=owner,
                source=_take(candidates_left, source),
                is_party_member=party,
                is_retired_cadre=source == Candidate.Source.RETIRED_AGENCY,
                vetting=Candidate.Vetting.APPROVED,
                vetted_by=vetter,
                vetted_at=vote.opens_at - timedelta(days=5) if vote else None,
            )
        )
    return Candidate.objects.bulk_create(rows)


def _cast_bulk(vote: Vote, share: float, rng: random.Random, decide, *, skip_owner_users: bool = True) -> None:
    """Bulk ballots for a share of the register (demo volume); `decide(entry)` returns (choice, {candidate: choice})."""
    entries = list(RollEntry.objects.filter(vote=vote).prefetch_related("links").order_by("id"))
    with_accounts = set(Owner.objects.filter(user__isnull=False).values_list("id", flat=True)) if skip_owner_users else set()
    span = (min(vote.closes_at, timezone.now()) - vote.opens_at).total_seconds()
    ballots, plans = [], []
    for entry in entries:
        links = list(entry.links.all())
        if not links or rng.random() > share:
            continue
        owner_id = links[0].owner_id
        if any(link.owner_id in with_accounts for link in links):
            continue  # leave the demo accounts free to vote themselves
        choice, marks = decide(entry)
        ballots.append(
            Ballot(
                vote=vote,
                entry=entry,
                owner_id=owner_id,
                channel=Ballot.Channel.ONLINE,
                choice=choice,
                status=Ballot.Status.COUNTED,
                cast_at=vote.opens_at + timedelta(seconds=rng.random() * span),
            )
        )
        plans.append(marks)
    created = Ballot.objects.bulk_create(ballots, batch_size=2000)
    BallotMark.objects.bulk_create(
        [BallotMark(ballot=b, candidate=c, choice=ch) for b, marks in zip(created, plans, strict=True) for c, ch in marks.items()],
        batch_size=5000,
    )


def _election_marks(candidates: list[Candidate], seats: int, favour: dict[int, float], rng: random.Random):
    def decide(entry):
        marks, approvals = {}, 0
        for c in candidates:
            if approvals < seats and rng.random() < favour[c.pk]:
                marks[c] = Choice.APPROVE
                approvals += 1
            else:
                marks[c] = Choice.OPPOSE if rng.random() < 0.5 else Choice.ABSTAIN
        return None, marks

    return decide


def _tianma_certified_election(tianma: Compound, certifier, rng: random.Random, candidates_left: dict) -> Committee:
    opens = _at(date(2026, 5, 10))
    vote = Vote.objects.create(
        compound=tianma,
        matter=Matter.ELECTION,
        title="天马华耀城第二届业主委员会选举",
        description="依据《民法典》第二百七十八条，选举第二届业主委员会委员7名。",
        opens_at=opens,
        closes_at=_at(date(2026, 5, 24), 18),
        seats=7,
        term_years=5,
        status=Vote.Status.DRAFT,
    )
    S = Candidate.Source
    specs = [
        (S.COMMUNITY_PARTY, True),
        (S.COMPOUND_BRANCH, True),
        (S.BUILDING_LEADER, True),
        (S.RETIRED_AGENCY, True),
        (S.SECRETARY_ELSEWHERE, True),
        (S.OWNERS_JOINT, False),
        (S.OWNERS_JOINT, False),
        (S.BUILDING_LEADER, False),
        (S.COMPOUND_BRANCH, True),
    ]
    candidates = _new_candidates(tianma, vote, specs, rng, candidates_left, certifier)
    Candidate.objects.filter(pk=candidates[-1].pk).update(vetting=Candidate.Vetting.REJECTED, vetting_reason="欠缴物业费")
    on_ballot = candidates[:-1]
    roll_build(vote)
    favour = dict(zip([c.pk for c in on_ballot], [0.9, 0.88, 0.85, 0.8, 0.78, 0.74, 0.7, 0.3], strict=True))
    _cast_bulk(vote, 0.78, rng, _election_marks(on_ballot, 7, favour, rng), skip_owner_users=False)
    result = vote_tally(vote)
    certified_on = date(2026, 5, 28)
    Vote.objects.filter(pk=vote.pk).update(
        status=Vote.Status.CERTIFIED,
        published_at=opens - timedelta(days=3),
        result=result,
        certified_by=certifier,
        certified_at=_at(certified_on, 15),
    )
    committee = Committee.objects.create(
        compound=tianma,
        status=Committee.Status.ACTIVE,
        term_start=certified_on,
        term_end=date(2031, 5, 27),
        filed_on=date(2026, 6, 10),
        election=vote,
    )
    by_id = {c.pk: c for c in on_ballot}
    for i, cid in enumerate(result["elected"]):
        c = by_id[cid]
        CommitteeMember.objects.create(
            committee=committee,
            name=c.name,
            owner=c.owner,
            candidate=c,
            role=CommitteeMember.Role.DIRECTOR if i == 0 else (CommitteeMember.Role.DEPUTY if i == 1 else CommitteeMember.Role.MEMBER),
            is_party_member=c.is_party_member,
            is_retired_cadre=c.is_retired_cadre,
            in_party_branch=i == 0,
            seat_start=certified_on,
        )
    return committee


def _fulian_votes(fulian: Compound, official, rng: random.Random, candidates_left: dict) -> None:
    today = timezone.localdate()
    creator = User.objects.filter(username="committee_fulian").first()
    election = Vote.objects.create(
        compound=fulian,
        matter=Matter.ELECTION,
        title="福炼小区业主委员会增补委员选举",
        description="增补业委会委员2名。候选人经“三推荐、两回请”产生并经社区资格审查。",
        opens_at=_at(today - timedelta(days=3), 8),
        closes_at=_at(today + timedelta(days=7), 20),
        seats=2,
        term_years=5,
        created_by=creator,
    )
    S = Candidate.Source
    specs = [(S.COMMUNITY_PARTY, True), (S.BUILDING_LEADER, True), (S.RETIRED_AGENCY, True), (S.OWNERS_JOINT, False)]
    candidates = _new_candidates(fulian, election, specs, rng, candidates_left, official)
    roll_build(election)
    Vote.objects.filter(pk=election.pk).update(status=Vote.Status.OPEN, published_at=election.opens_at)
    election.refresh_from_db()
    favour = dict(zip([c.pk for c in candidates], [0.7, 0.62, 0.55, 0.35], strict=True))
    _cast_bulk(election, 0.52, rng, _election_marks(candidates, 2, favour, rng))
    _paper_ballots(election, candidates, rng)

    decision = Vote.objects.create(
        compound=fulian,
        matter=Matter.USE_FUND,
        title="使用专项维修资金更换2幢电梯",
        description="拟使用专项维修资金约38万元更换2幢两部电梯。",
        opens_at=_at(today - timedelta(days=1), 8),
        closes_at=_at(today + timedelta(days=13), 20),
        created_by=creator,
    )
    roll_build(decision)
    Vote.objects.filter(pk=decision.pk).update(status=Vote.Status.OPEN, published_at=decision.opens_at)
    decision.refresh_from_db()
    weights = [(Choice.APPROVE, 0.72), (Choice.OPPOSE, 0.9), (Choice.ABSTAIN, 1.0)]
    _cast_bulk(decision, 0.4, rng, lambda e: (next(c for c, w in weights if rng.random() < w), {}))


def _paper_ballots(vote: Vote, candidates: list[Candidate], rng: random.Random) -> None:
    """Three paper ballots entered by the committee, awaiting the community's sign-off."""
    voted = Ballot.objects.filter(vote=vote).values("entry_id")
    entries = list(
        RollEntry.objects.filter(vote=vote, is_developer=False)
        .exclude(pk__in=voted)
        .exclude(links__owner__user__isnull=False)
        .order_by("id")[:3]
    )
    entered_by = User.objects.filter(username="committee_fulian").first()
    for entry in entries:
        ballot = Ballot.objects.create(
            vote=vote,
            entry=entry,
            owner_id=entry.links.first().owner_id,
            channel=Ballot.Channel.PAPER,
            status=Ballot.Status.PENDING,
            entered_by=entered_by,
            note="纸质表决票（入户收集）",
        )
        for c in candidates[:2]:
            BallotMark.objects.create(ballot=ballot, candidate=c, choice=Choice.APPROVE)


def _other_committees(compounds: list[Compound], red_wanted: int, rng: random.Random) -> None:
    today = timezone.localdate()
    committees = []
    for i, compound in enumerate(compounds):
        if i < 4:  # terms ending within 90 days
            end = today + timedelta(days=20 + 15 * i)
            start = end - relativedelta(years=5) + timedelta(days=1)
        else:
            start = date(2021 + i % 5, 1 + i % 12, 1)
            end = date(start.year + 5, start.month, 1) - timedelta(days=1)
            if end < today:
                start, end = date(2024, start.month, 1), date(2029, start.month, 1) - timedelta(days=1)
        committees.append(
            Committee(
                compound=compound,
                status=Committee.Status.ACTIVE,
                term_start=start,
                term_end=end,
                filed_on=start + timedelta(days=20),
            )
        )
    committees = bulk_create_with_history(committees, Committee, batch_size=500)
    if committees and committees[0].pk is None:
        committees = list(Committee.objects.filter(compound__in=compounds, status=Committee.Status.ACTIVE))
    members = []
    for i, committee in enumerate(committees):
        size = rng.choice([5, 5, 7, 7, 9])
        party = size // 2 + 1 if i < red_wanted else size // 2 - rng.choice([0, 1])
        for seat in range(size):
            members.append(
                CommitteeMember(
                    committee=committee,
                    name=_name(rng),
                    role=CommitteeMember.Role.DIRECTOR
                    if seat == 0
                    else (CommitteeMember.Role.DEPUTY if seat == 1 else CommitteeMember.Role.MEMBER),
                    is_party_member=seat < party,
                    is_retired_cadre=rng.random() < 0.2,
                    is_deputy=rng.random() < 0.06,
                    is_model_worker=rng.random() < 0.05,
                    in_party_branch=seat == 0 and rng.random() < 0.6,
                    in_property_team=seat == size - 1 and rng.random() < 0.3,
                    seat_start=committee.term_start,
                )
            )
    bulk_create_with_history(members, CommitteeMember, batch_size=1000)
    # bulk_create sends no post_save: the committees count their seated and Party members here.
    Committee.objects.filter(pk__in=[c.pk for c in committees]).recount()


def _preparing(compounds: list[Compound]) -> None:
    today = timezone.localdate()
    for compound in compounds:
        Committee.objects.create(
            compound=compound, status=Committee.Status.PREPARING, term_start=today, term_end=date(today.year + 5, today.month, 1)
        )


def _candidate_pool(eligible: list[Compound], candidates_left: dict, vetter, rng: random.Random) -> None:
    """The rest of the 613 mobilised residents, spread over eligible compounds (bulk)."""
    pool = [source for source, n in candidates_left.items() for _ in range(n)]
    rng.shuffle(pool)
    rows = []
    for i, source in enumerate(pool):
        roll = rng.random()
        vetting = Candidate.Vetting.APPROVED if roll < 0.85 else (Candidate.Vetting.REJECTED if roll < 0.93 else Candidate.Vetting.PENDING)
        rows.append(
            Candidate(
                compound=eligible[i % len(eligible)],
                name=_name(rng),
                source=source,
                is_party_member=source != Candidate.Source.OWNERS_JOINT or rng.random() < 0.3,
                is_retired_cadre=source == Candidate.Source.RETIRED_AGENCY,
                is_deputy=rng.random() < 0.04,
                is_model_worker=rng.random() < 0.04,
                vetting=vetting,
                vetting_reason=rng.choice(REJECT_REASONS) if vetting == Candidate.Vetting.REJECTED else "",
                vetted_by=vetter if vetting != Candidate.Vetting.PENDING else None,
                vetted_at=timezone.now() if vetting != Candidate.Vetting.PENDING else None,
            )
        )
    Candidate.objects.bulk_create(rows, batch_size=1000)
