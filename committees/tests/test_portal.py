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
