"""Lists at a desk (issue 14.4): a compound's full unit register page by page, and a search box on the
committee overview and the venue list (Chinese substring match)."""

import re

import pytest

from communities.tests import factories as f
from mediation.tests.factories import VenueFactory

pytestmark = pytest.mark.django_db


def test_compound_page_lists_every_unit_page_by_page(world, client):
    existing = world.fulian.units.count()
    for _ in range(120 - existing):
        f.UnitFactory(compound=world.fulian)
    client.force_login(world.community_fulian)
    rooms = []
    for page in (1, 2, 3):
        body = client.get(f"/compounds/{world.fulian.id}/", {"page": page}).content.decode()
        table = body.split('id="unit-table"', 1)[1].split("</table>", 1)[0]
        rooms += re.findall(r"<tr><td>([^<]+)</td>", table)
    assert len(rooms) == 120 and len(set(rooms)) == 120
    assert client.get(f"/compounds/{world.fulian.id}/", {"page": 3}).status_code == 200


def test_committee_overview_searches_compound_names(world, client):
    client.force_login(world.district)
    body = client.get("/committees/", {"q": "天马"}).content.decode()
    overview = body.split('id="committee-filters"', 1)[1].split("</table>", 1)[0]
    assert "天马华耀城" in overview and "福炼小区" not in overview
    assert 'name="q" value="天马"' in body


def test_venue_list_searches_names(world, client):
    VenueFactory(compound=world.fulian, name="福炼议事亭")
    VenueFactory(compound=world.fulian, name="福炼党群服务站")
    client.force_login(world.district)
    table = client.get("/mediation/venues/", {"q": "议事"}).content.decode().split('id="venue-table"', 1)[1].split("</table>")[0]
    assert "福炼议事亭" in table and "党群服务站" not in table


def test_bell_counts_unread_to_99_plus(world, client):
    from core.models import Notification

    Notification.objects.bulk_create(Notification(user=world.staff_yifang, kind="test", title=f"n{i}") for i in range(120))
    client.force_login(world.staff_yifang)
    assert '<span class="badge bad" id="unread-count">99+</span>' in client.get("/complaints/").content.decode()
    Notification.objects.filter(pk__in=list(Notification.objects.values_list("pk", flat=True)[:115])).delete()
    assert '<span class="badge bad" id="unread-count">5</span>' in client.get("/complaints/").content.decode()
