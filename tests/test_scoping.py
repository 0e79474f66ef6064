"""One scoping vocabulary (communities.selectors.area_q): an outsider and an insider for every app, and
no module outside `communities` turns roles into areas itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from communities import selectors as places
from communities.models import Community, Compound, Subdistrict

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "complaints", "committees", "inspections", "mediation", "ratings", "summons", "bulletins", "config"]


def complaint_in_fulian(world):
    from complaints.tests import factories as f

    return f.complaint(world)


def committee_of_fulian(world):
    from committees.models import Committee

    return Committee.objects.create(compound=world.fulian, status="active", term_start="2024-01-01", term_end="2028-12-31")


def inspection_of_fulian(world):
    from inspections.tests.factories import make_inspection

    return make_inspection(world.district, world.fulian)


def meeting_in_fulian(world):
    from mediation.models import Meeting

    return Meeting.objects.create(kind="deliberation_day", compound=world.fulian, title="议事日", starts_at=timezone.now(), status="held")


def survey_of_houlong(world):
    from ratings.tests.factories import survey

    return survey(world, level="subdistrict", subdistrict=world.houlong)


def summons_of_yifang(world):
    from summons.tests.test_summons import record

    return record(world)


# app, endpoint, the object (in 福炼小区 / 后龙镇), who must not see it, who must
PER_APP = [
    ("complaints", "complaints", complaint_in_fulian, ["town_jieshan", "staff_yijiayuan", "resident_tianma"], ["community_fulian"]),
    ("committees", "committees", committee_of_fulian, ["town_jieshan", "committee_tianma"], ["committee_fulian", "town_houlong"]),
    ("inspections", "inspections", inspection_of_fulian, ["town_jieshan", "staff_yifang"], ["town_houlong", "community_fulian"]),
    ("mediation", "meetings", meeting_in_fulian, ["mediator_shanyao", "town_jieshan"], ["mediator_houlong", "resident_fulian"]),
    ("ratings", "surveys", survey_of_houlong, ["town_jieshan", "resident_tianma"], ["community_fulian", "resident_fulian"]),
    ("summons", "summonses", summons_of_yifang, ["town_jieshan", "community_fulian", "staff_yijiayuan"], ["town_houlong", "staff_yifang"]),
]


@pytest.mark.parametrize(("app", "endpoint", "make", "outsiders", "insiders"), PER_APP, ids=[row[0] for row in PER_APP])
def test_each_app_scopes_through_the_vocabulary(world, api, app, endpoint, make, outsiders, insiders):
    obj = make(world)
    for username in outsiders:
        client = api.as_user(getattr(world, username))
        assert client.get(f"/api/v1/{endpoint}/{obj.pk}/").status_code == 404, username
        listed = client.get(f"/api/v1/{endpoint}/", {"page_size": 200}).json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert obj.pk not in {row["id"] for row in rows}, username
    for username in insiders:
        assert api.as_user(getattr(world, username)).get(f"/api/v1/{endpoint}/{obj.pk}/").status_code == 200, username


def test_area_q_reaches_any_level_through_any_path(world):
    """A community worker covers their community and its compounds, not their town; a town official the town."""
    worker, town = world.community_fulian, world.town_houlong
    assert set(Community.objects.filter(places.area_q(worker, roles=["official"], path="", level="community"))) == {world.fulian_community}
    assert not Subdistrict.objects.filter(places.area_q(worker, roles=["official"], path="", level="subdistrict")).exists()
    assert set(Subdistrict.objects.filter(places.area_q(town, roles=["official"], path="", level="subdistrict"))) == {world.houlong}
    inside = set(Compound.objects.filter(places.area_q(worker, roles=["official"], path="")))
    assert world.fulian in inside and world.tianma not in inside
    # Staff: the compounds their company manages today; not through an official's filter.
    assert set(Compound.objects.filter(places.area_q(world.staff_yifang, roles=["staff"], path=""))) == {world.fulian}
    assert not Compound.objects.filter(places.area_q(world.staff_yifang, roles=["official"], path="")).exists()


def test_containing_q_finds_the_areas_around_a_user(world):
    """A district-wide survey covers a community worker and the residents of its compounds."""
    from ratings.tests.factories import survey

    district_wide = survey(world)
    other_town = survey(world, level="subdistrict", subdistrict=world.jieshan)
    from ratings.models import SurveyRound

    for user in (world.community_fulian, world.resident_fulian):
        q = places.containing_q(user, roles=["official", "resident"], path="district", level="district")
        q |= places.containing_q(user, roles=["official", "resident"], path="subdistrict", level="subdistrict")
        found = set(SurveyRound.objects.filter(q).distinct())
        assert district_wide in found and other_town not in found


# Reading a role's places (or the roles themselves) to build a filter is communities.selectors' job.
FORBIDDEN = re.compile(r"\broles_of\(|\bofficial_places\(|_linli_roles|\brole\.(district|subdistrict|community|compound|company)_id\b")


def test_no_module_outside_communities_turns_roles_into_areas():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if FORBIDDEN.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []
