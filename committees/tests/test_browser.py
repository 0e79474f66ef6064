import pytest

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
