import pytest

from inspections.tests import factories as f


@pytest.fixture
def template(db):
    return f.seeded_template()


@pytest.fixture
def fulian_list(world, template):
    """A submitted inspection of 福炼小区 by town_houlong and a list issued from it to 一方物业."""
    inspection = f.make_inspection(world.town_houlong, world.fulian)
    return f.issue_list(world.town_houlong, inspection)
