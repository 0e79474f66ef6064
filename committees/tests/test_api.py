from datetime import timedelta

import pytest
from django.utils import timezone

from committees import services
from committees.models import Ballot, Candidate, Committee, CommitteeMember, Vote
from committees.tests.factories import close, user_owner

pytestmark = pytest.mark.django_db


def ids(resp):
    return {row["id"] for row in resp.json()["results"]}


def marks(fv, *choices):
    return [{"candidate": c.id, "choice": ch} for c, ch in zip(fv.candidates, choices, strict=False)]


# --- outsiders ----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["resident_tianma", "committee_tianma", "town_jieshan", "staff_yifang", "mediator_houlong"])
def test_outsiders_get_404_on_fulian_committee_votes_candidates_and_ballots(world, api, fulian_vote, username):
    client = api.as_user(getattr(world, username))
    e = fulian_vote.election
    ballot = api.as_user(world.resident_fulian).post(f"/api/v1/elections/{e.id}/ballots/", {"marks": []}, format="json")
    assert ballot.status_code == 201
    ballot_id = ballot.json()[0]["id"]
    client = api.as_user(getattr(world, username))
    assert fulian_vote.committee.id not in ids(client.get("/api/v1/committees/"))
    assert client.get(f"/api/v1/committees/{fulian_vote.committee.id}/").status_code == 404
    assert e.id not in ids(client.get("/api/v1/elections/"))
    for path in ["", "candidates/", "tally/", "ballots/"]:
        assert client.get(f"/api/v1/elections/{e.id}/{path}").status_code == 404, path
    assert client.post(f"/api/v1/elections/{e.id}/ballots/", {"marks": []}, format="json").status_code == 404
    assert client.post(f"/api/v1/elections/{e.id}/certify/").status_code == 404
    assert not ids(client.get("/api/v1/candidates/")) & {c.id for c in fulian_vote.candidates}
    assert client.get(f"/api/v1/candidates/{fulian_vote.candidates[0].id}/").status_code == 404
    assert ballot_id not in ids(client.get("/api/v1/ballots/"))
    assert client.get(f"/api/v1/ballots/{ballot_id}/").status_code == 404
    member = fulian_vote.committee.members.first()
    assert client.get(f"/api/v1/committee-members/{member.id}/").status_code == 404
    assert member.id not in ids(client.get("/api/v1/committee-members/"))
    assert client.post(f"/api/v1/committee-members/{member.id}/end-seat/", {}).status_code == 404
    decision = services.vote_create(
        user=world.committee_fulian,
        compound=world.fulian,
        matter="statute",
        title="修订管理规约",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=1),
    )
    services.vote_publish(user=world.committee_fulian, vote=decision)
    assert decision.id not in ids(client.get("/api/v1/decisions/"))
    assert client.get(f"/api/v1/decisions/{decision.id}/").status_code == 404
    assert client.post(f"/api/v1/decisions/{decision.id}/ballots/", {"choice": "approve"}, format="json").status_code == 404
    assert client.post(f"/api/v1/candidates/{fulian_vote.candidates[0].id}/vet/", {"approved": True}, format="json").status_code == 404
    assert client.post("/api/v1/candidates/", {"compound": world.fulian.id, "name": "甲", "source": "owners_joint"}).status_code == 404
    assert Ballot.objects.count() == 1


def test_resident_sees_own_compound_committee_and_approved_candidates_only(world, api, fulian_vote):
    client = api.as_user(world.resident_fulian)
    body = client.get(f"/api/v1/committees/{fulian_vote.committee.id}/").json()
    assert body["is_red"] is True and body["members"][0]["name"] == "蔡明"
    names = [c["name"] for c in client.get(f"/api/v1/elections/{fulian_vote.election.id}/candidates/").json()["results"]]
    assert names == ["蔡明", "陈丽"]
    Candidate.objects.create(compound=world.fulian, vote=None, name="待审人", source=Candidate.Source.OWNERS_JOINT)
    assert "待审人" not in {c["name"] for c in client.get("/api/v1/candidates/").json()["results"]}
    assert "待审人" in {c["name"] for c in api.as_user(world.committee_fulian).get("/api/v1/candidates/").json()["results"]}


def test_resident_does_not_see_draft_votes(world, api, fulian_vote):
    Vote.objects.filter(pk=fulian_vote.election.pk).update(status=Vote.Status.DRAFT)
    assert api.as_user(world.resident_fulian).get(f"/api/v1/elections/{fulian_vote.election.id}/").status_code == 404
    assert api.as_user(world.committee_fulian).get(f"/api/v1/elections/{fulian_vote.election.id}/").status_code == 200


# --- casting ------------------------------------------------------------------------------------


def test_owner_casts_and_changes_ballot_only_last_counts(world, api, fulian_vote):
    client = api.as_user(world.resident_fulian)
    url = f"/api/v1/elections/{fulian_vote.election.id}/ballots/"
    assert client.post(url, {"marks": marks(fulian_vote, "approve", "oppose")}, format="json").status_code == 201
    resp = client.post(url, {"marks": marks(fulian_vote, "oppose", "approve")}, format="json")
    assert resp.status_code == 201 and resp.json()[0]["status"] == "counted"
    mine = client.get(url).json()["results"]
    assert [b["status"] for b in mine] == ["counted", "superseded"]
    tally = client.get(f"/api/v1/elections/{fulian_vote.election.id}/tally/").json()
    assert tally["participating"] == {"area": "100.00", "heads": 1}
    by_name = {c["name"]: c for c in tally["candidates"]}
    assert by_name["陈丽"]["approve"] == {"area": "100.00", "heads": 1}
    assert by_name["蔡明"]["approve"]["heads"] == 0
    # Another owner's ballots are not shown to this resident.
    api.as_user(fulian_vote.neighbour).post(url, {"marks": []}, format="json")
    assert len(api.as_user(world.resident_fulian).get(url).json()["results"]) == 2


def test_ballot_outside_window_is_409_and_writes_nothing(world, api, fulian_vote):
    close(fulian_vote.election)
    resp = api.as_user(world.resident_fulian).post(f"/api/v1/elections/{fulian_vote.election.id}/ballots/", {"marks": []}, format="json")
    assert resp.status_code == 409
    now = timezone.now()
    Vote.objects.filter(pk=fulian_vote.election.pk).update(opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=1))
    resp = api.as_user(world.resident_fulian).post(f"/api/v1/elections/{fulian_vote.election.id}/ballots/", {"marks": []}, format="json")
    assert resp.status_code == 409
    assert not Ballot.objects.exists()


def test_non_owner_who_sees_the_vote_gets_403_and_nothing_written(world, api, fulian_vote):
    resp = api.as_user(world.committee_fulian).post(f"/api/v1/elections/{fulian_vote.election.id}/ballots/", {"marks": []}, format="json")
    assert resp.status_code == 403
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"marks": [{"candidate": 999999, "choice": "approve"}]}, "marks"),
        ({"marks": [{"candidate": "x", "choice": "approve"}]}, "marks"),
        ({"marks": [{"candidate": 0, "choice": "maybe"}]}, "marks"),
        ({"choice": "approve"}, "choice"),
    ],
)
def test_bad_ballots_are_400_and_write_nothing(world, api, fulian_vote, payload, field):
    resp = api.as_user(world.resident_fulian).post(f"/api/v1/elections/{fulian_vote.election.id}/ballots/", payload, format="json")
    assert resp.status_code == 400 and field in resp.json()
    assert not Ballot.objects.exists()


def test_candidate_of_another_election_is_unknown(world, api, fulian_vote):
    stranger = Candidate.objects.create(compound=world.tianma, name="外人", source=Candidate.Source.OWNERS_JOINT, vetting="approved")
    payload = {"marks": [{"candidate": stranger.id, "choice": "approve"}]}
    resp = api.as_user(world.resident_fulian).post(f"/api/v1/elections/{fulian_vote.election.id}/ballots/", payload, format="json")
    assert resp.status_code == 400 and "marks" in resp.json()
    assert not Ballot.objects.exists()


def test_duplicate_marks_and_too_many_approvals_are_400(world, api, fulian_vote):
    url = f"/api/v1/elections/{fulian_vote.election.id}/ballots/"
    a = fulian_vote.candidates[0].id
    twice = {"marks": [{"candidate": a, "choice": "approve"}, {"candidate": a, "choice": "oppose"}]}
    assert api.as_user(world.resident_fulian).post(url, twice, format="json").status_code == 400
    Vote.objects.filter(pk=fulian_vote.election.pk).update(seats=1)
    both = {"marks": marks(fulian_vote, "approve", "approve")}
    assert api.as_user(world.resident_fulian).post(url, both, format="json").status_code == 400
    assert not Ballot.objects.exists()


# --- paper ballots, sign-off, certification -------------------------------------------------------


def test_paper_ballot_counts_only_after_community_sign_off(world, api, fulian_vote):
    e = fulian_vote.election
    owner = user_owner(fulian_vote.neighbour)
    resp = api.as_user(world.committee_fulian).post(
        f"/api/v1/elections/{e.id}/paper-ballots/", {"owner": owner.id, "marks": marks(fulian_vote, "approve")}, format="json"
    )
    assert resp.status_code == 201 and resp.json()[0]["status"] == "pending"
    ballot_id = resp.json()[0]["id"]
    tally = api.as_user(world.community_fulian).get(f"/api/v1/elections/{e.id}/tally/").json()
    assert tally["participating"]["heads"] == 0 and tally["pending_paper_ballots"] == 1
    assert api.as_user(world.committee_fulian).post(f"/api/v1/ballots/{ballot_id}/sign-off/", {}).status_code == 403
    resp = api.as_user(world.community_fulian).post(f"/api/v1/ballots/{ballot_id}/sign-off/", {"accept": True}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "counted"
    assert api.as_user(world.community_fulian).post(f"/api/v1/ballots/{ballot_id}/sign-off/", {}).status_code == 409
    tally = api.as_user(world.community_fulian).get(f"/api/v1/elections/{e.id}/tally/").json()
    assert tally["participating"] == {"area": "120.00", "heads": 1}


def test_paper_ballot_older_than_an_online_ballot_is_superseded_at_sign_off(world, api, fulian_vote):
    e = fulian_vote.election
    owner = user_owner(fulian_vote.neighbour)
    paper = api.as_user(world.committee_fulian).post(
        f"/api/v1/elections/{e.id}/paper-ballots/", {"owner": owner.id, "marks": marks(fulian_vote, "approve")}, format="json"
    )
    api.as_user(fulian_vote.neighbour).post(f"/api/v1/elections/{e.id}/ballots/", {"marks": marks(fulian_vote, "oppose")}, format="json")
    resp = api.as_user(world.community_fulian).post(f"/api/v1/ballots/{paper.json()[0]['id']}/sign-off/", {}, format="json")
    assert resp.json()["status"] == "superseded"
    tally = api.as_user(world.community_fulian).get(f"/api/v1/elections/{e.id}/tally/").json()
    assert {c["name"]: c for c in tally["candidates"]}["蔡明"]["oppose"]["heads"] == 1


def test_paper_ballot_for_owner_not_on_register_is_400(world, api, fulian_vote):
    stranger = user_owner(world.resident_tianma)
    resp = api.as_user(world.committee_fulian).post(
        f"/api/v1/elections/{fulian_vote.election.id}/paper-ballots/", {"owner": stranger.id, "marks": []}, format="json"
    )
    assert resp.status_code == 400 and "owner" in resp.json()
    assert api.as_user(world.resident_fulian).post(
        f"/api/v1/elections/{fulian_vote.election.id}/paper-ballots/", {"owner": stranger.id, "marks": []}, format="json"
    ).status_code in (400, 403)
    assert not Ballot.objects.exists()


def test_certify_seats_elected_candidates_atomically(world, api, fulian_vote):
    e = fulian_vote.election
    for user in (world.resident_fulian, fulian_vote.neighbour):
        api.as_user(user).post(f"/api/v1/elections/{e.id}/ballots/", {"marks": marks(fulian_vote, "approve", "approve")}, format="json")
    assert api.as_user(world.community_fulian).post(f"/api/v1/elections/{e.id}/certify/").status_code == 409  # still open
    close(e)
    assert api.as_user(world.committee_fulian).post(f"/api/v1/elections/{e.id}/certify/").status_code == 403
    resp = api.as_user(world.community_fulian).post(f"/api/v1/elections/{e.id}/certify/")
    assert resp.status_code == 200 and resp.json()["status"] == "certified"
    committee = Committee.objects.get(compound=world.fulian, status=Committee.Status.ACTIVE)
    seated = set(committee.members.filter(candidate__isnull=False).values_list("candidate_id", flat=True))
    assert seated == {c.id for c in fulian_vote.candidates}
    tally = api.as_user(world.resident_fulian).get(f"/api/v1/elections/{e.id}/tally/").json()
    assert tally["certified"] is True and tally["verdict"] == "elected"
    assert api.as_user(world.community_fulian).post(f"/api/v1/elections/{e.id}/certify/").status_code == 409


def test_certify_with_pending_paper_ballot_is_409(world, api, fulian_vote):
    e = fulian_vote.election
    owner = user_owner(fulian_vote.neighbour)
    api.as_user(world.committee_fulian).post(f"/api/v1/elections/{e.id}/paper-ballots/", {"owner": owner.id, "marks": []}, format="json")
    close(e)
    assert api.as_user(world.community_fulian).post(f"/api/v1/elections/{e.id}/certify/").status_code == 409
    assert Vote.objects.get(pk=e.pk).status == Vote.Status.OPEN


# --- decisions, candidates, committees -----------------------------------------------------------


def test_decision_lifecycle_through_api(world, api, fulian_vote):
    now = timezone.now()
    payload = {
        "compound": world.fulian.id,
        "matter": "raise_fund",
        "title": "续筹专项维修资金",
        "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
    }
    assert api.as_user(world.resident_fulian).post("/api/v1/decisions/", payload, format="json").status_code == 403
    resp = api.as_user(world.committee_fulian).post("/api/v1/decisions/", payload, format="json")
    assert resp.status_code == 201, resp.json()
    vote_id = resp.json()["id"]
    assert api.as_user(world.committee_fulian).post(f"/api/v1/decisions/{vote_id}/publish/").status_code == 200
    client = api.as_user(world.resident_fulian)
    assert client.post(f"/api/v1/decisions/{vote_id}/ballots/", {"choice": "approve"}, format="json").status_code == 201
    assert client.post(f"/api/v1/decisions/{vote_id}/ballots/", {"choice": "maybe"}, format="json").status_code == 400
    tally = client.get(f"/api/v1/decisions/{vote_id}/tally/").json()
    assert tally["threshold"]["fraction"] == "3/4" and tally["article_item"] == 6
    assert tally["options"][0]["approve"] == {"area": "100.00", "heads": 1}
    assert vote_id not in ids(client.get("/api/v1/elections/"))
    payload["matter"] = "election"
    assert api.as_user(world.committee_fulian).post("/api/v1/decisions/", payload, format="json").status_code == 400


def test_election_cannot_publish_with_unvetted_candidate(world, api):
    now = timezone.now()
    client = api.as_user(world.committee_fulian)
    resp = client.post(
        "/api/v1/elections/",
        {
            "compound": world.fulian.id,
            "title": "选举",
            "seats": 3,
            "opens_at": now.isoformat(),
            "closes_at": (now + timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert resp.status_code == 201
    eid = resp.json()["id"]
    cand = client.post(
        "/api/v1/candidates/", {"compound": world.fulian.id, "vote": eid, "name": "林某", "source": "retired_agency"}, format="json"
    )
    assert cand.status_code == 201
    assert client.post(f"/api/v1/elections/{eid}/publish/").status_code == 409
    cid = cand.json()["id"]
    assert client.post(f"/api/v1/candidates/{cid}/vet/", {"approved": True}, format="json").status_code == 403
    official = api.as_user(world.community_fulian)
    assert official.post(f"/api/v1/candidates/{cid}/vet/", {"approved": False}, format="json").status_code == 400
    resp = official.post(f"/api/v1/candidates/{cid}/vet/", {"approved": False, "reason": "非本小区业主"}, format="json")
    assert resp.json()["vetting"] == "rejected" and resp.json()["vetting_reason"] == "非本小区业主"
    assert client.post(f"/api/v1/elections/{eid}/publish/").status_code == 409  # no approved candidate
    official.post(f"/api/v1/candidates/{cid}/vet/", {"approved": True}, format="json")
    assert client.post(f"/api/v1/elections/{eid}/publish/").status_code == 200
    assert official.post(f"/api/v1/candidates/{cid}/vet/", {"approved": False, "reason": "x"}, format="json").status_code == 409


def test_candidates_by_source_for_the_district(world, api):
    for source in ["community_party", "compound_branch", "compound_branch", "owners_joint"]:
        Candidate.objects.create(compound=world.fulian, name="甲", source=source)
    Candidate.objects.create(compound=world.tianma, name="乙", source="secretary_elsewhere", vetting="approved")
    rows = {r["source"]: r for r in api.as_user(world.district).get("/api/v1/candidates/by-source/").json()}
    assert len(rows) == 6
    assert rows["compound_branch"]["total"] == 2 and rows["secretary_elsewhere"]["approved"] == 1
    rows = {r["source"]: r for r in api.as_user(world.town_houlong).get("/api/v1/candidates/by-source/").json()}
    assert rows["secretary_elsewhere"]["total"] == 0


def test_committee_term_over_five_years_is_400_and_nothing_written(world, api):
    client = api.as_user(world.community_fulian)
    bad = {"compound": world.fulian.id, "term_start": "2024-03-01", "term_end": "2029-03-02"}
    resp = client.post("/api/v1/committees/", bad, format="json")
    assert resp.status_code == 400 and "term_end" in resp.json()
    assert not Committee.objects.exists()
    ok = client.post("/api/v1/committees/", {**bad, "term_end": "2029-03-01"}, format="json")
    assert ok.status_code == 201 and ok.json()["status"] == "preparing"
    assert client.post("/api/v1/committees/", {**bad, "term_end": "2025-03-01"}, format="json").status_code == 409
    assert api.as_user(world.committee_fulian).post("/api/v1/committees/", bad, format="json").status_code == 403


def test_second_director_is_409_and_nothing_written(world, api, fulian_vote):
    client = api.as_user(world.community_fulian)
    url = f"/api/v1/committees/{fulian_vote.committee.id}/members/"
    resp = client.post(url, {"name": "张三", "role": "director", "seat_start": "2024-01-01"}, format="json")
    assert resp.status_code == 409
    assert CommitteeMember.objects.filter(committee=fulian_vote.committee).count() == 1
    resp = client.post(url, {"name": "张三", "role": "deputy", "seat_start": "2024-01-01", "is_party_member": True}, format="json")
    assert resp.status_code == 201
    member_id = resp.json()["id"]
    assert client.post(f"/api/v1/committee-members/{member_id}/set-role/", {"role": "director"}, format="json").status_code == 409
    director = fulian_vote.committee.members.get(role="director")
    assert client.post(f"/api/v1/committee-members/{director.id}/end-seat/", {"seat_end": "2024-06-30"}, format="json").status_code == 200
    assert client.post(f"/api/v1/committee-members/{member_id}/set-role/", {"role": "director"}, format="json").status_code == 200


def test_red_committee_filter(world, api, fulian_vote):
    client = api.as_user(world.district)
    assert ids(client.get("/api/v1/committees/", {"red": "true"})) == {fulian_vote.committee.id}
    CommitteeMember.objects.create(committee=fulian_vote.committee, name="非党员", seat_start="2022-01-01")
    assert ids(client.get("/api/v1/committees/", {"red": "true"})) == set()  # 1 of 2 is not more than half


def test_formation_figures_and_compounds_lacking_a_committee(world, api, fulian_vote):
    client = api.as_user(world.district)
    body = client.get("/api/v1/committees/formation/").json()
    assert body["eligible"] == 3 and body["with_active"] == 1 and body["formation_rate"] == "33.33"
    assert body["red_committees"] == 1 and body["red_ratio"] == "100.00"
    lacking = {row["name"] for row in client.get("/api/v1/committees/lacking/").json()["results"]}
    assert lacking == {"天马华耀城", "锦祥安置小区"}
    assert api.as_user(world.town_jieshan).get("/api/v1/committees/formation/").json()["formation_rate"] == "0.00"
    assert {r["name"] for r in api.as_user(world.town_jieshan).get("/api/v1/committees/lacking/").json()["results"]} == {"天马华耀城"}


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/api/v1/decisions/", ["not", "a", "dict"]),
        ("post", "/api/v1/elections/", {"compound": "x"}),
        ("post", "/api/v1/committees/", {"compound": 1, "term_start": "2024-13-01", "term_end": "2025-01-01"}),
        ("get", "/api/v1/ballots/?status=bogus", None),
        ("get", "/api/v1/candidates/by-source/?source=bogus", None),
    ],
)
def test_malformed_input_is_400(world, api, fulian_vote, method, path, payload):
    client = api.as_user(world.community_fulian)
    resp = getattr(client, method)(path, payload, format="json") if payload is not None else client.get(path)
    assert resp.status_code == 400


def test_election_ballots_filter_is_validated(world, api, fulian_vote):
    resp = api.as_user(world.community_fulian).get(f"/api/v1/elections/{fulian_vote.election.id}/ballots/", {"status": "bogus"})
    assert resp.status_code == 400


@pytest.mark.parametrize(
    "path", ["/api/v1/committees/", "/api/v1/elections/", "/api/v1/candidates/", "/api/v1/ballots/", "/api/v1/committee-members/"]
)
def test_list_endpoints_use_a_fixed_number_of_queries(world, api, fulian_vote, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from communities.tests import factories as f

    client = api.as_user(world.district)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx)

    api.as_user(world.resident_fulian).post(f"/api/v1/elections/{fulian_vote.election.id}/ballots/", {"marks": []}, format="json")
    before = count()
    for i in range(3):
        compound = f.CompoundFactory(community=world.jinxiang_community, name=f"新小区{i}")
        c = Committee.objects.create(compound=compound, status="active", term_start="2024-01-01", term_end="2028-12-31")
        CommitteeMember.objects.create(committee=c, name="甲", seat_start="2024-01-01")
        Candidate.objects.create(compound=compound, name="乙", source="owners_joint")
        now = timezone.now()
        Vote.objects.create(
            compound=compound, matter="election", title="选举", opens_at=now, closes_at=now + timedelta(days=1), seats=1, term_years=5
        )
        owner = f.UserFactory()
        f.role(owner, "resident")
        f.give_unit(owner, world.fulian)
    api.as_user(fulian_vote.neighbour).post(f"/api/v1/elections/{fulian_vote.election.id}/ballots/", {"marks": []}, format="json")
    assert count() == before
