"""The paper-ballot form (issue 14): labelled fields, a warning and a confirm step for unmarked
candidates, errors beside the form with every mark kept, and 计票中 while voting is open."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from committees.models import Ballot, Vote
from committees.tests.factories import close, four_candidate_election

pytestmark = pytest.mark.django_db


def ballot_form(response) -> str:
    content = response.content.decode()
    start = content.index('id="paper-ballot"')
    return content[content.rindex("<form", 0, start) : content.index("</form>", start)]


def address(world) -> dict:
    unit = world.resident_fulian_unit
    return {"building": unit.building, "entrance": unit.entrance, "room": unit.room}


def test_address_fields_have_real_labels(world, client):
    vote, _ = four_candidate_election(world)
    client.force_login(world.community_fulian)
    form = ballot_form(client.get(f"/committees/votes/{vote.pk}/"))
    for field, label in (("building", "楼栋"), ("entrance", "单元"), ("room", "房号")):
        assert re.search(rf'<label for="id_{field}"[^>]*>{label}', form), field
        assert f'id="id_{field}"' in form
    # Each radio is inside the label carrying its choice.
    assert re.search(r'<label class="inline" for="id_c\d+_0"><input type="radio"[^>]*><span>赞成</span></label>', form)


def test_a_ballot_leaving_candidates_unmarked_is_held_back_with_a_warning_until_confirmed(world, client):
    vote, (a, *_others) = four_candidate_election(world)
    client.force_login(world.community_fulian)
    data = {**address(world), f"c{a.pk}": "approve", "note": "第3页"}
    r = client.post(f"/committees/votes/{vote.pk}/paper-ballot/", data)
    assert r.status_code == 400 and not Ballot.objects.exists()
    form = ballot_form(r)
    assert "4 位候选人中有 3 位未标记：陈丽、林海、黄芳" in form
    # The marks, the address and the note are all still there, and the confirm box is offered.
    assert re.search(rf'<input type="radio" name="c{a.pk}" value="approve"[^>]*checked', form)
    assert f'value="{world.resident_fulian_unit.room}"' in form and 'value="第3页"' in form
    assert 'name="confirm_unmarked"' in form

    r = client.post(f"/committees/votes/{vote.pk}/paper-ballot/", {**data, "confirm_unmarked": "on"})
    assert r.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and dict(ballot.marks.values_list("candidate_id", "choice")) == {a.pk: "approve"}


def test_a_fully_marked_ballot_needs_no_confirmation(world, client):
    vote, candidates = four_candidate_election(world)
    client.force_login(world.community_fulian)
    first = client.get(f"/committees/votes/{vote.pk}/").content.decode()
    assert 'name="confirm_unmarked"' not in first
    data = {**address(world), **{f"c{c.pk}": "oppose" for c in candidates}}
    assert client.post(f"/committees/votes/{vote.pk}/paper-ballot/", data).status_code == 302
    assert Ballot.objects.get().marks.count() == 4


def test_an_unknown_unit_is_shown_next_to_the_room_and_every_mark_is_kept(world, client):
    vote, candidates = four_candidate_election(world)
    client.force_login(world.community_fulian)
    marks = {f"c{c.pk}": choice for c, choice in zip(candidates, ["approve", "oppose", "abstain", "approve"], strict=True)}
    r = client.post(f"/committees/votes/{vote.pk}/paper-ballot/", {"building": "9幢", "room": "909", **marks})
    assert r.status_code == 400 and not Ballot.objects.exists()
    form = ballot_form(r)
    assert re.search(r'<ul class="errorlist" id="id_room_error"><li>未找到该专有部分的登记业主', form)
    for name, value in marks.items():
        assert re.search(rf'<input type="radio" name="{name}" value="{value}"[^>]*checked', form), name
    assert 'value="9幢"' in form and 'value="909"' in form
    # The error is in the form, not in the page's messages far above it.
    assert 'class="messages"' not in r.content.decode()


def test_every_candidate_shows_counting_while_voting_is_open(world, client, fulian_vote):
    client.force_login(world.community_fulian)
    page = client.get(f"/committees/votes/{fulian_vote.election.pk}/").content.decode()
    results = page[page.index('id="results"') : page.index("</table>", page.index('id="results"'))]
    assert results.count("计票中") == len(fulian_vote.candidates)
    assert "未当选" not in results and "当选" not in results.replace("计票中", "")
    assert "计票中" in page[page.index('id="verdict"') :]


def test_outcomes_show_once_voting_has_closed(world, client, fulian_vote):
    close(fulian_vote.election)
    client.force_login(world.community_fulian)
    page = client.get(f"/committees/votes/{fulian_vote.election.pk}/").content.decode()
    results = page[page.index('id="results"') : page.index("</table>", page.index('id="results"'))]
    assert "计票中" not in results and "未当选" in results


def test_is_counting_follows_the_voting_window(world, fulian_vote):
    vote = fulian_vote.election
    assert vote.phase == "voting" and vote.is_counting
    vote.opens_at = timezone.now() + timedelta(hours=1)
    assert vote.phase == "scheduled" and vote.is_counting
    vote.opens_at, vote.closes_at = timezone.now() - timedelta(days=2), timezone.now() - timedelta(minutes=1)
    assert vote.phase == "closed" and not vote.is_counting
    vote.status = Vote.Status.CERTIFIED
    assert not vote.is_counting
