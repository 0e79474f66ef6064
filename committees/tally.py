"""The tally of an owners' vote (SPEC §4.3; Civil Code Arts. 278, 1259; SPC interpretation Arts. 8–9).

Every figure comes from SQL aggregates over the register and the counted ballots (one counted
ballot per register entry, enforced by a partial unique constraint), so the same ballots always
give the same result. Thresholds are decided by integer cross-multiplication on areas in cents
and on head counts, never with floats:

- quorum        3 × participating ≥ 2 × eligible          (area and heads; "at least 2/3")
- matters 6–8   4 × approving     ≥ 3 × participating      (area and heads; "at least 3/4")
- other matters 2 × approving     > participating          (area and heads; "more than half")

Abstaining (or leaving a candidate unmarked) counts toward participation, never toward approval.
An election seats the candidates who each pass, ranked by approving area, then approving heads;
candidates still tied on both at the last seat are not separated by chance: the seat stays vacant
and the tally lists them for a run-off.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce

from committees.models import SUPERMAJORITY_MATTERS, Ballot, BallotMark, Candidate, Choice, Matter, RollEntry, Vote

ZERO = Value(Decimal("0.00"))
COUNTED = Q(status=Ballot.Status.COUNTED)


def _cents(area: Decimal) -> int:
    return int((area * 100).to_integral_value())


def _area(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _pair(area_cents: int, heads: int) -> dict:
    return {"area": _area(area_cents), "heads": heads}


def _approval(approve_c: int, approve_h: int, part_c: int, part_h: int, supermajority: bool) -> dict:
    """Whether approval passes the matter's threshold, with the least approval that would pass."""
    if supermajority:
        passes_area = approve_c > 0 and 4 * approve_c >= 3 * part_c
        passes_heads = approve_h > 0 and 4 * approve_h >= 3 * part_h
        need_c, need_h = max(_ceil_div(3 * part_c, 4), 1), max(_ceil_div(3 * part_h, 4), 1)
    else:
        passes_area = 2 * approve_c > part_c
        passes_heads = 2 * approve_h > part_h
        need_c, need_h = part_c // 2 + 1, part_h // 2 + 1
    return {
        "required": _pair(need_c, need_h),
        "passes_area": passes_area,
        "passes_heads": passes_heads,
        "passes": passes_area and passes_heads,
    }


def _option(approve_c, approve_h, oppose_c, oppose_h, part_c, part_h, supermajority) -> dict:
    return {
        "approve": _pair(approve_c, approve_h),
        "oppose": _pair(oppose_c, oppose_h),
        # Explicit abstentions and, for a candidate, counted ballots that leave them unmarked.
        "abstain": _pair(part_c - approve_c - oppose_c, part_h - approve_h - oppose_h),
        **_approval(approve_c, approve_h, part_c, part_h, supermajority),
    }


def vote_tally(vote: Vote) -> dict:
    """Every figure of the vote's result, as JSON-ready data (areas as strings with two decimals)."""
    eligible = RollEntry.objects.filter(vote=vote).aggregate(area=Coalesce(Sum("area"), ZERO), heads=Count("id"))
    ballots = Ballot.objects.filter(vote=vote)
    figures = ballots.aggregate(
        area=Coalesce(Sum("entry__area", filter=COUNTED), ZERO),
        heads=Count("id", filter=COUNTED),
        approve_area=Coalesce(Sum("entry__area", filter=COUNTED & Q(choice=Choice.APPROVE)), ZERO),
        approve_heads=Count("id", filter=COUNTED & Q(choice=Choice.APPROVE)),
        oppose_area=Coalesce(Sum("entry__area", filter=COUNTED & Q(choice=Choice.OPPOSE)), ZERO),
        oppose_heads=Count("id", filter=COUNTED & Q(choice=Choice.OPPOSE)),
        pending_paper=Count("id", filter=Q(status=Ballot.Status.PENDING)),
    )
    elig_c, elig_h = _cents(eligible["area"]), eligible["heads"]
    part_c, part_h = _cents(figures["area"]), figures["heads"]
    quorum_area = elig_h > 0 and 3 * part_c >= 2 * elig_c
    quorum_heads = elig_h > 0 and 3 * part_h >= 2 * elig_h
    quorum = quorum_area and quorum_heads
    supermajority = vote.matter in SUPERMAJORITY_MATTERS

    result = {
        "vote": vote.pk,
        "matter": vote.matter,
        "article_item": vote.article_item,
        "register_frozen": elig_h > 0,
        "eligible": _pair(elig_c, elig_h),
        "participating": _pair(part_c, part_h),
        "pending_paper_ballots": figures["pending_paper"],
        "quorum": {
            "rule": "at least 2/3 of the area and at least 2/3 of the owners take part",
            "required": _pair(_ceil_div(2 * elig_c, 3), _ceil_div(2 * elig_h, 3)),
            "met_area": quorum_area,
            "met_heads": quorum_heads,
            "met": quorum,
        },
        "threshold": {
            "rule": "at least 3/4 of the participating area and owners"
            if supermajority
            else "more than half of the participating area and owners",
            "fraction": "3/4" if supermajority else "1/2",
            "inclusive": supermajority,
        },
    }
    if vote.matter != Matter.ELECTION:
        option = _option(
            _cents(figures["approve_area"]),
            figures["approve_heads"],
            _cents(figures["oppose_area"]),
            figures["oppose_heads"],
            part_c,
            part_h,
            supermajority,
        )
        result["options"] = [option]
        result["verdict"] = "no_quorum" if not quorum else ("passed" if option["passes"] else "rejected")
        return result

    result["seats"] = vote.seats
    result["candidates"] = _candidates(vote, part_c, part_h, quorum)
    elected = [c for c in result["candidates"] if c["elected"]]
    result["elected"] = [c["candidate"] for c in elected]
    result["runoff"] = [c["candidate"] for c in result["candidates"] if c["tied"]]
    result["vacant_seats"] = vote.seats - len(elected)
    result["verdict"] = "no_quorum" if not quorum else ("elected" if elected else "none_elected")
    return result


def _candidates(vote: Vote, part_c: int, part_h: int, quorum: bool) -> list[dict]:
    candidates = list(Candidate.objects.filter(vote=vote, vetting=Candidate.Vetting.APPROVED).order_by("id").values("id", "name", "source"))
    # One grouped aggregate over the counted ballots' marks: (candidate, choice) → area, heads.
    sums = {
        (row["candidate_id"], row["choice"]): (_cents(row["area"]), row["heads"])
        for row in BallotMark.objects.filter(
            ballot__vote=vote, ballot__status=Ballot.Status.COUNTED, candidate_id__in=[c["id"] for c in candidates]
        )
        .values("candidate_id", "choice")
        .annotate(area=Coalesce(Sum("ballot__entry__area"), ZERO), heads=Count("id"))
        .order_by()
    }
    out = []
    for row in candidates:
        approve = sums.get((row["id"], Choice.APPROVE), (0, 0))
        oppose = sums.get((row["id"], Choice.OPPOSE), (0, 0))
        option = _option(*approve, *oppose, part_c, part_h, False)
        option.update(candidate=row["id"], name=row["name"], source=row["source"], rank=None, elected=False, tied=False)
        option["passes"] = option["passes"] and quorum
        option["_key"] = approve
        out.append(option)
    _rank(out, vote.seats or 0)
    for option in out:
        del option["_key"]
    return out


def _rank(options: list[dict], seats: int) -> None:
    """Rank passing candidates by approving area, then heads; fill the seats; leave a true tie at the last seat to a run-off."""
    passing = sorted((o for o in options if o["passes"]), key=lambda o: (-o["_key"][0], -o["_key"][1], o["candidate"]))
    for option in passing:
        option["rank"] = 1 + sum(1 for other in passing if other["_key"] > option["_key"])
    if len(passing) <= seats:
        for option in passing:
            option["elected"] = True
    elif seats > 0:
        boundary = passing[seats - 1]["_key"]
        cut_tied = passing[seats]["_key"] == boundary
        for option in passing:
            if option["_key"] > boundary or (option["_key"] == boundary and not cut_tied):
                option["elected"] = True
            elif option["_key"] == boundary:
                option["tied"] = True
    # Present in rank order, then the others by approving area; ids break ties for a stable order.
    options.sort(key=lambda o: (o["rank"] is None, -o["_key"][0], -o["_key"][1], o["candidate"]))
