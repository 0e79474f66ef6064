import pytest

from committees.models import Ballot, Vote
from committees.tests.factories import close, user_owner

pytestmark = pytest.mark.django_db


def test_official_sees_formation_picture_in_chinese(world, client, fulian_vote):
    client.force_login(world.district)
    resp = client.get("/committees/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "业委会组建率" in body and "红色业委会比例" in body
    assert "33.33%" in body  # 1 of 3 eligible compounds has an active committee
    assert "100.00%" in body  # and it is red


def test_committee_member_lands_on_own_roster_with_history_hidden(world, client, fulian_vote):
    client.force_login(world.committee_fulian)
    resp = client.get("/committees/", follow=True)
    body = resp.content.decode()
    assert resp.redirect_chain[-1][0] == f"/committees/compounds/{world.fulian.id}/"
    assert "蔡明" in body and "红色业委会" in body
    assert 'id="history"' not in body


def test_official_sees_history_on_committee_page(world, client, fulian_vote):
    client.force_login(world.community_fulian)
    body = client.get(f"/committees/compounds/{world.fulian.id}/").content.decode()
    assert 'id="history"' in body and "蔡明" in body


@pytest.mark.parametrize("username", ["resident_tianma", "committee_tianma", "town_jieshan", "staff_yifang"])
def test_outsiders_get_404_on_portal_pages(world, client, fulian_vote, username):
    client.force_login(getattr(world, username))
    assert client.get(f"/committees/compounds/{world.fulian.id}/").status_code == 404
    assert client.get(f"/committees/votes/{fulian_vote.election.id}/").status_code == 404
    assert client.post(f"/committees/votes/{fulian_vote.election.id}/certify/").status_code == 404


def test_vote_page_shows_turnout_and_every_figure(world, client, api, fulian_vote):
    api.as_user(world.resident_fulian).post(
        f"/api/v1/elections/{fulian_vote.election.id}/ballots/",
        {"marks": [{"candidate": fulian_vote.candidates[0].id, "choice": "approve"}]},
        format="json",
    )
    client.force_login(world.community_fulian)
    body = client.get(f"/committees/votes/{fulian_vote.election.id}/").content.decode()
    assert "45.45%" in body  # 100 of 220 m²
    assert "50.00%" in body  # 1 of 2 owners
    assert "100.00" in body and "220.00" in body
    assert "蔡明" in body and "陈丽" in body


def test_official_signs_off_paper_ballot_and_certifies_in_portal(world, client, api, fulian_vote):
    e = fulian_vote.election
    api.as_user(world.committee_fulian).post(
        f"/api/v1/elections/{e.id}/paper-ballots/", {"owner": user_owner(fulian_vote.neighbour).id, "marks": []}, format="json"
    )
    ballot = Ballot.objects.get()
    client.force_login(world.community_fulian)
    client.post(f"/committees/ballots/{ballot.id}/sign-off/", {"accept": "1"})
    assert Ballot.objects.get().status == "counted"
    close(e)
    client.post(f"/committees/votes/{e.id}/certify/")
    assert Vote.objects.get(pk=e.pk).status == "certified"


def test_committee_member_enters_paper_ballot_by_unit_address(world, client, fulian_vote):
    unit = world.resident_fulian_unit
    client.force_login(world.committee_fulian)
    page = client.get(f"/committees/votes/{fulian_vote.election.id}/").content.decode()
    assert 'id="paper-ballot"' in page
    a, b = fulian_vote.candidates
    data = {"building": unit.building, "entrance": unit.entrance, "room": unit.room, f"c{a.id}": "approve", f"c{b.id}": "oppose"}
    client.post(f"/committees/votes/{fulian_vote.election.id}/paper-ballot/", data)
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and ballot.status == "pending" and ballot.owner.user == world.resident_fulian
    assert dict(ballot.marks.values_list("candidate_id", "choice")) == {a.id: "approve", b.id: "oppose"}
    client.post(f"/committees/votes/{fulian_vote.election.id}/paper-ballot/", {**data, "room": "no-such-room"})
    assert Ballot.objects.count() == 1


def test_resident_cannot_enter_paper_ballots_in_portal(world, client, fulian_vote):
    unit = world.resident_fulian_unit
    client.force_login(world.resident_fulian)
    assert 'id="paper-ballot"' not in client.get(f"/committees/votes/{fulian_vote.election.id}/").content.decode()
    data = {"building": unit.building, "entrance": unit.entrance, "room": unit.room}
    client.post(f"/committees/votes/{fulian_vote.election.id}/paper-ballot/", data)
    assert not Ballot.objects.exists()


def test_official_vets_candidates_of_a_draft_election_in_portal(world, client, fulian_vote):
    from committees.models import Candidate

    Vote.objects.filter(pk=fulian_vote.election.pk).update(status="draft")
    c = Candidate.objects.create(compound=world.fulian, vote=fulian_vote.election, name="新人", source="owners_joint")
    client.force_login(world.community_fulian)
    client.post(f"/committees/candidates/{c.id}/vet/", {"approved": "0", "reason": ""})
    assert Candidate.objects.get(pk=c.pk).vetting == "pending"  # a rejection needs a reason
    client.post(f"/committees/candidates/{c.id}/vet/", {"approved": "0", "reason": "非本小区业主"})
    assert Candidate.objects.get(pk=c.pk).vetting == "rejected"


def test_committee_member_drafts_an_election_and_nominates_in_portal(world, client):
    from committees.models import Candidate

    client.force_login(world.committee_fulian)
    assert 'id="new-vote"' in client.get(f"/committees/compounds/{world.fulian.id}/").content.decode()
    resp = client.post(
        f"/committees/compounds/{world.fulian.id}/votes/",
        {"matter": "election", "title": "换届选举", "opens_at": "2030-01-01T09:00", "closes_at": "2030-01-10T18:00", "seats": "5"},
    )
    vote = Vote.objects.get()
    assert resp.url == f"/committees/votes/{vote.id}/" and vote.seats == 5 and vote.status == "draft"
    client.post(f"/committees/votes/{vote.id}/candidates/", {"name": "林某", "source": "secretary_elsewhere", "is_party_member": "on"})
    c = Candidate.objects.get()
    assert c.vote_id == vote.id and c.is_party_member and c.vetting == "pending"
    client.post(
        f"/committees/compounds/{world.fulian.id}/votes/",
        {"matter": "election", "title": "缺名额", "opens_at": "2030-01-01T09:00", "closes_at": "2030-01-10T18:00"},
    )
    assert Vote.objects.count() == 1  # an election needs seats


def test_resident_cannot_draft_votes_in_portal(world, client):
    client.force_login(world.resident_fulian)
    assert 'id="new-vote"' not in client.get(f"/committees/compounds/{world.fulian.id}/").content.decode()
    client.post(
        f"/committees/compounds/{world.fulian.id}/votes/",
        {"matter": "other", "title": "x", "opens_at": "2030-01-01T09:00", "closes_at": "2030-01-10T18:00"},
    )
    assert not Vote.objects.exists()


def test_overview_counts_the_listed_compounds_once_unless_filtered_by_town_or_name(world, client, fulian_vote):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.district)

    def compound_counts(url):
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        counts = [q for q in ctx.captured_queries if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "communities_compound"')]
        return resp, len(counts)

    resp, n = compound_counts("/committees/")
    assert n == 1 and resp.context["page"].paginator.count == resp.context["picture"].eligible == 3
    resp, n = compound_counts("/committees/?show=lacking")  # the picture's eligible − with an active committee
    assert n == 1 and resp.context["page"].paginator.count == resp.context["picture"].without_active == len(resp.context["page"]) == 2
    resp, n = compound_counts(f"/committees/?q={world.fulian.name}")
    assert n == 2 and resp.context["page"].paginator.count == 1


def test_overview_rows_show_the_kept_counts_and_red_badge_without_reading_the_members(world, client, fulian_vote):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from committees.models import Committee

    active = Committee.objects.with_counts().get(compound=world.fulian, status="active")
    client.force_login(world.district)
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get("/committees/")
    row = next(c for c in resp.context["page"] if c.pk == world.fulian.pk).active_committees[0]
    assert (row.seated_members, row.party_members, row.red) == (active.seated_count, active.party_count, active.red) and row.red
    body = resp.content.decode().split(f'href="/committees/compounds/{world.fulian.pk}/"', 1)[1].split("</tr>", 1)[0]
    assert "红色业委会" in body and f'<td class="num">{active.seated_count}</td>' in body
    assert not any("committees_committeemember" in q["sql"] for q in ctx.captured_queries)
