import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_official_opens_election_and_reads_turnout(world, fulian_vote, api, login, page):
    api.as_user(world.resident_fulian).post(
        f"/api/v1/elections/{fulian_vote.election.id}/ballots/",
        {"marks": [{"candidate": fulian_vote.candidates[0].id, "choice": "approve"}]},
        format="json",
    )
    login("community_fulian")
    page.goto(f"/committees/compounds/{world.fulian.id}/")
    page.click(f"text={fulian_vote.election.title}")
    assert page.locator("h1").inner_text() == "福炼小区第三届业委会选举"
    assert page.locator("#turnout-area").inner_text() == "45.45%"  # 100 of 220 m²
    assert page.locator("#turnout-heads").inner_text() == "50.00%"  # 1 of 2 owners
    assert "未达到" in page.locator("#quorum").inner_text()
    assert "蔡明" in page.locator("#results").inner_text()


def test_paper_ballot_marking_one_of_four_warns_and_is_entered_after_confirming(world, login, page):
    from committees.models import Ballot
    from committees.tests.factories import four_candidate_election

    vote, (first, *_others) = four_candidate_election(world)
    unit = world.resident_fulian_unit
    login("community_fulian")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"/committees/votes/{vote.pk}/")
    form = page.locator("#paper-ballot")
    # Real labels: the fields are found by their label text.
    form.get_by_label("楼栋").fill(unit.building)
    form.get_by_label("单元").fill(unit.entrance)
    form.get_by_label("房号").fill(unit.room)
    # Each radio sits right beside its label (clicking the word checks it).
    approve = form.locator(f"label[for=id_c{first.pk}_0]")
    radio, word = approve.locator("input").bounding_box(), approve.locator("span").bounding_box()
    assert 0 <= word["x"] - (radio["x"] + radio["width"]) < 16 and abs(radio["y"] - word["y"]) < 12
    approve.locator("span").click()
    form.locator("#enter-ballot").click()

    warning = page.locator("#paper-ballot .form-errors")
    expect(warning).to_contain_text("4 位候选人中有 3 位未标记")
    expect(warning).to_be_in_viewport()
    assert Ballot.objects.count() == 0
    form = page.locator("#paper-ballot")
    expect(form.locator(f"#id_c{first.pk}_0")).to_be_checked()
    expect(form.get_by_label("房号")).to_have_value(unit.room)
    form.locator("#id_confirm_unmarked").check()
    form.locator("#enter-ballot").click()

    expect(page.locator(".messages")).to_contain_text("纸质票已录入")
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and list(ballot.marks.values_list("candidate_id", flat=True)) == [first.pk]
