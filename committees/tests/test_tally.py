"""The voting rules of SPEC §4.3, at every boundary. Each row: unit areas per owner, each owner's choice, expected figures."""

import pytest

from committees.models import Choice, Matter
from committees.tally import vote_tally
from committees.tests.factories import Register, cast

pytestmark = pytest.mark.django_db

A, N, X = Choice.APPROVE, Choice.OPPOSE, Choice.ABSTAIN  # approve, nay, abstain

# (id, matter, [(areas of one owner, choice or None)], quorum met, verdict)
DECISION_CASES = [
    ("quorum exactly 2/3 of area and heads passes", Matter.OTHER, [((100,), A), ((100,), A), ((100,), None)], True, "passed"),
    ("one square metre short of 2/3 fails quorum", Matter.OTHER, [((99,), A), ((100,), A), ((101,), None)], False, "no_quorum"),
    ("one cent of area short of 2/3 fails quorum", Matter.OTHER, [((99.99,), A), ((100,), A), ((100.01,), None)], False, "no_quorum"),
    ("one head short of 2/3 fails quorum", Matter.OTHER, [((200,), A), ((50,), None), ((50,), None)], False, "no_quorum"),
    (
        "2/3 of heads but not of area fails quorum",
        Matter.OTHER,
        [((10,), A), ((10,), A), ((10,), A), ((10,), A), ((100,), None), ((100,), None)],
        False,
        "no_quorum",
    ),
    (
        "exactly half of area and heads fails more-than-half",
        Matter.OTHER,
        [((100,), A), ((100,), A), ((100,), N), ((100,), N)],
        True,
        "rejected",
    ),
    (
        "exactly half of area with most heads fails",
        Matter.OTHER,
        [((100,), A), ((50,), A), ((50,), A), ((200,), N)],
        True,
        "rejected",
    ),
    (
        "most area with exactly half of heads fails",
        Matter.OTHER,
        [((250,), A), ((50,), A), ((50,), N), ((50,), N)],
        True,
        "rejected",
    ),
    ("more than half of area and heads passes", Matter.OTHER, [((100,), A), ((100,), A), ((100,), N)], True, "passed"),
    ("exactly 3/4 passes matter 6", Matter.RAISE_FUND, [((100,), A), ((100,), A), ((100,), A), ((100,), N)], True, "passed"),
    ("exactly 3/4 passes matter 7", Matter.REBUILD, [((100,), A), ((100,), A), ((100,), A), ((100,), N)], True, "passed"),
    ("exactly 3/4 passes matter 8", Matter.CHANGE_USE, [((100,), A), ((100,), A), ((100,), A), ((100,), N)], True, "passed"),
    (
        "a cent short of 3/4 of area fails matter 8",
        Matter.CHANGE_USE,
        [((100,), A), ((100,), A), ((99.99,), A), ((100.01,), N)],
        True,
        "rejected",
    ),
    (
        "2/3 approval passes matter 4 but fails matter 6",
        Matter.PROPERTY_COMPANY,
        [((100,), A), ((100,), A), ((100,), N)],
        True,
        "passed",
    ),
    ("2/3 approval fails matter 6", Matter.RAISE_FUND, [((100,), A), ((100,), A), ((100,), N)], True, "rejected"),
    ("abstentions count toward quorum, not approval", Matter.OTHER, [((100,), A), ((100,), X), ((100,), X)], True, "rejected"),
    ("nobody votes", Matter.OTHER, [((100,), None), ((100,), None)], False, "no_quorum"),
]


@pytest.mark.parametrize(("matter", "owners", "quorum", "verdict"), [c[1:] for c in DECISION_CASES], ids=[c[0] for c in DECISION_CASES])
def test_decision_boundaries(matter, owners, quorum, verdict):
    reg = Register()
    people = [(reg.owner(*areas), choice) for areas, choice in owners]
    vote = reg.vote(matter)
    for owner, choice in people:
        if choice:
            cast(vote, owner, choice)
    result = vote_tally(vote)
    assert result["quorum"]["met"] is quorum
    assert result["verdict"] == verdict


def test_exact_figures_are_shown():
    reg = Register()
    a, b, c = reg.owner(100), reg.owner(99.5), reg.owner(50.25)
    reg.owner(10)
    vote = reg.vote(Matter.USE_FUND)
    cast(vote, a, A)
    cast(vote, b, N)
    cast(vote, c, X)
    r = vote_tally(vote)
    assert r["eligible"] == {"area": "259.75", "heads": 4}
    assert r["participating"] == {"area": "249.75", "heads": 3}
    assert r["quorum"]["required"] == {"area": "173.17", "heads": 3}  # ⌈259.75 × 2/3⌉ in cents; ⌈4 × 2/3⌉
    option = r["options"][0]
    assert option["approve"] == {"area": "100.00", "heads": 1}
    assert option["oppose"] == {"area": "99.50", "heads": 1}
    assert option["abstain"] == {"area": "50.25", "heads": 1}
    assert option["required"] == {"area": "124.88", "heads": 2}  # more than half of 249.75 and of 3
    assert r["threshold"]["fraction"] == "1/2" and r["threshold"]["inclusive"] is False
    assert r["verdict"] == "rejected"


def test_tally_is_reproducible():
    reg = Register()
    owners = [reg.owner(80 + i) for i in range(5)]
    vote = reg.vote()
    for i, owner in enumerate(owners):
        cast(vote, owner, [A, N, X][i % 3])
    assert vote_tally(vote) == vote_tally(vote)


def test_owner_with_three_units_counts_once_by_head_and_three_times_by_area():
    reg = Register()
    big = reg.owner(100, 100, 100)
    reg.owner(100)
    reg.owner(100)
    vote = reg.vote()
    cast(vote, big, A)
    r = vote_tally(vote)
    assert r["eligible"] == {"area": "500.00", "heads": 3}
    assert r["participating"] == {"area": "300.00", "heads": 1}
    assert r["options"][0]["approve"] == {"area": "300.00", "heads": 1}


def test_developer_unsold_units_count_as_one_head_together():
    reg = Register()
    developer = reg.developer(100, 100, 100, 100)
    reg.owner(100)
    reg.owner(100)
    vote = reg.vote()
    r = vote_tally(vote)
    assert r["eligible"] == {"area": "600.00", "heads": 3}
    cast(vote, developer, N)
    r = vote_tally(vote)
    assert r["options"][0]["oppose"] == {"area": "400.00", "heads": 1}


def test_co_owned_unit_is_one_vote_and_the_last_co_owner_ballot_counts():
    reg = Register()
    first, second = reg.co_owned(120)
    reg.owner(100)
    vote = reg.vote()
    assert vote_tally(vote)["eligible"] == {"area": "220.00", "heads": 2}
    cast(vote, first, A)
    cast(vote, second, N)
    r = vote_tally(vote)
    assert r["participating"] == {"area": "120.00", "heads": 1}
    assert r["options"][0]["approve"] == {"area": "0.00", "heads": 0}
    assert r["options"][0]["oppose"] == {"area": "120.00", "heads": 1}


def test_changed_ballot_counts_once_and_history_is_kept():
    reg = Register()
    owner = reg.owner(100)
    reg.owner(100)
    vote = reg.vote()
    cast(vote, owner, A)
    cast(vote, owner, N)
    cast(vote, owner, A)
    r = vote_tally(vote)
    assert r["participating"] == {"area": "100.00", "heads": 1}
    assert r["options"][0]["approve"]["heads"] == 1
    assert list(vote.ballots.order_by("id").values_list("status", flat=True)) == ["superseded", "superseded", "counted"]


def test_owner_of_own_unit_and_co_owned_unit_holds_two_heads():
    reg = Register()
    solo = reg.owner(100)
    unit_owners = reg.co_owned(80)
    # The solo owner also co-owns the second unit: two different buyers ({solo} and {solo, other}).
    from communities.models import Ownership

    Ownership.objects.filter(owner=unit_owners[0]).update(owner=solo)
    vote = reg.vote()
    cast(vote, solo, A)
    r = vote_tally(vote)
    assert r["eligible"] == {"area": "180.00", "heads": 2}
    assert r["participating"] == {"area": "180.00", "heads": 2}
    cast(vote, unit_owners[1], N)
    r = vote_tally(vote)
    assert r["options"][0]["approve"] == {"area": "100.00", "heads": 1}
    assert r["options"][0]["oppose"] == {"area": "80.00", "heads": 1}


def _election(areas, seats, candidates):
    reg = Register()
    owners = [reg.owner(a) for a in areas]
    vote = reg.vote(Matter.ELECTION, seats=seats, candidates=candidates)
    ids = list(vote.candidates.order_by("id").values_list("id", flat=True))
    return vote, owners, ids


def _by_id(result):
    return {c["candidate"]: c for c in result["candidates"]}


def test_election_ranks_passing_candidates_by_area_then_heads_when_seats_are_fewer():
    vote, (x, y, z, w, v), (a, b, c) = _election([200, 100, 100, 100, 90], seats=2, candidates=3)
    cast(vote, y, marks={a: A, b: A})
    cast(vote, z, marks={a: A, b: A})
    cast(vote, w, marks={a: A, c: A})
    cast(vote, v, marks={a: A, c: A})
    cast(vote, x, marks={b: A, c: A})
    r = vote_tally(vote)
    got = _by_id(r)
    assert got[b]["approve"] == {"area": "400.00", "heads": 3}
    assert got[a]["approve"] == {"area": "390.00", "heads": 4}
    assert got[c]["approve"] == {"area": "390.00", "heads": 3}
    assert all(got[k]["passes"] for k in (a, b, c))
    assert [got[k]["rank"] for k in (b, a, c)] == [1, 2, 3]
    assert r["elected"] == [b, a]
    assert not got[c]["elected"] and r["vacant_seats"] == 0 and r["runoff"] == []
    assert r["verdict"] == "elected"


def test_election_full_tie_at_last_seat_leaves_it_for_a_runoff():
    vote, owners, (a, b, c) = _election([100] * 5, seats=2, candidates=3)
    plan = [{a: A, b: A}, {a: A, b: A}, {a: A, c: A}, {b: A, c: A}, {c: A, a: A}]
    for owner, marks in zip(owners, plan, strict=True):
        cast(vote, owner, marks=marks)
    r = vote_tally(vote)
    assert r["elected"] == [a]
    assert sorted(r["runoff"]) == [b, c]
    assert r["vacant_seats"] == 1


def test_candidate_with_exactly_half_is_not_elected_and_unmarked_counts_as_abstaining():
    vote, (p, q, s, t), (a, b) = _election([100] * 4, seats=2, candidates=2)
    cast(vote, p, marks={a: A, b: A})
    cast(vote, q, marks={a: A, b: A})
    cast(vote, s, marks={a: A, b: N})
    cast(vote, t, marks={})
    got = _by_id(vote_tally(vote))
    assert got[a]["passes"] and got[a]["approve"]["heads"] == 3
    assert not got[b]["passes"]  # 2 of 4: exactly half
    assert got[b]["abstain"] == {"area": "100.00", "heads": 1}
    assert got[a]["abstain"] == {"area": "100.00", "heads": 1}


def test_election_without_quorum_elects_nobody():
    vote, (p, *_rest), (a,) = _election([100] * 4, seats=1, candidates=1)
    cast(vote, p, marks={a: A})
    r = vote_tally(vote)
    assert r["verdict"] == "no_quorum" and r["elected"] == []
    assert r["candidates"][0]["passes_area"] is True and r["candidates"][0]["passes"] is False


def test_the_frozen_register_holds_every_head_with_its_units_area_and_owners():
    """roll_build writes with multi-row INSERTs: each entry and owner link as the rules make them."""
    from decimal import Decimal

    from committees.models import RollEntry, RollOwner
    from communities.models import Unit

    reg = Register()
    big = reg.owner(100, 80.5, 20)
    solo = reg.owner(90)
    first, second = reg.co_owned(120)
    developer = reg.developer(60, 70)
    Unit.objects.create(compound=reg.compound, building="9幢", room="101", area=Decimal("55.00"))  # nobody holds it
    vote = reg.vote()
    entries = {e.key: e for e in RollEntry.objects.filter(vote=vote)}
    assert len(entries) == vote_tally(vote)["eligible"]["heads"] == 5
    owned = {e.key: (e.area, e.unit_count, e.is_developer) for e in entries.values()}
    assert owned[f"o:{big.pk}"] == (Decimal("200.50"), 3, False)
    assert owned[f"o:{solo.pk}"] == (Decimal("90.00"), 1, False)
    assert owned[f"o:{min(first.pk, second.pk)},{max(first.pk, second.pk)}"] == (Decimal("120.00"), 1, False)
    assert owned["developer"] == (Decimal("130.00"), 2, True)
    [nobody] = [e for k, e in entries.items() if k.startswith("u:")]
    assert (nobody.area, nobody.unit_count, nobody.label) == (Decimal("55.00"), 1, "9幢-101")
    assert entries[f"o:{big.pk}"].label.endswith(" +2")
    links = sorted(RollOwner.objects.filter(entry__vote=vote).values_list("entry__key", "owner_id"))
    co_key = f"o:{min(first.pk, second.pk)},{max(first.pk, second.pk)}"
    expected = [(f"o:{big.pk}", big.pk), (f"o:{solo.pk}", solo.pk), (co_key, first.pk), (co_key, second.pk), ("developer", developer.pk)]
    assert links == sorted(expected)
    assert vote_tally(vote)["eligible"]["area"] == "595.50"
