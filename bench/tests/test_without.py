"""The plain versions that bench/fastpaths.py measures the fast paths against (bench/without.py).

Each variant must load, and filing a complaint through the API with it must answer and write what
the fast path does: otherwise the bench would compare two different things.
"""

from __future__ import annotations

import copy
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from bench import without
from complaints import selectors
from complaints.models import Complaint
from complaints.tests import factories as f
from core.models import Notification

URL = "/api/v1/complaints/"
# What differs between two filings of the same complaint: ids, numbers and times.
VOLATILE = {"id", "number", "made_at", "created_at", "updated_at", "dispatched_at", "response_due", "resolve_due", "at", "url"}


@pytest.fixture(autouse=True)
def _fresh_throttle(monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    from complaints.api.views import ComplaintCreateThrottle

    monkeypatch.setattr(ComplaintCreateThrottle, "cache", LocMemCache("throttle-without-test", {}))


def stable(value):
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


# Statements each plain version adds to a filing (so the test also shows the variant is in effect).
EXTRA_QUERIES = {"auth": 1, "filing_reads": 2, "timeline": 6, "number_trigger": 1}


def file(world, **kw) -> tuple[dict, int]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(world.resident_fulian)}")
    body = {"compound": world.fulian.pk, "category": f.category("elevator").pk, "description": "3号楼电梯停运两天了", **kw}
    with CaptureQueriesContext(connection) as queries:
        r = client.post(URL, body, format="json")
    assert r.status_code == 201, r.content
    return r.json(), len(queries)


def written(number: str) -> tuple:
    complaint = Complaint.objects.get(number=number)
    events = list(complaint.events.order_by("id").values_list("kind", "actor_id", "from_status", "to_status", "note"))
    notified = sorted(Notification.objects.filter(url=f"/complaints/{complaint.pk}/").values_list("user_id", "kind"))
    return complaint.status, complaint.assigned_company_id, complaint.reporter_id, events, notified


def test_the_settings_variants_change_only_their_setting():
    from bench import settings as bench_settings

    names = {"REST_FRAMEWORK": bench_settings.REST_FRAMEWORK, "DATABASES": bench_settings.DATABASES}
    ns = copy.deepcopy(names)
    without.settings_without("auth", ns)
    assert ns["REST_FRAMEWORK"]["DEFAULT_AUTHENTICATION_CLASSES"][0] == "rest_framework_simplejwt.authentication.JWTAuthentication"
    assert len(ns["REST_FRAMEWORK"]["DEFAULT_AUTHENTICATION_CLASSES"]) == len(names["REST_FRAMEWORK"]["DEFAULT_AUTHENTICATION_CLASSES"])
    ns = copy.deepcopy(names)
    without.settings_without("throttle", ns)
    assert ns["REST_FRAMEWORK"]["DEFAULT_THROTTLE_CLASSES"] == [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ]
    ns = copy.deepcopy(names)
    ns["DATABASES"]["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
    without.settings_without("prepared", ns)
    assert "prepare_threshold" not in ns["DATABASES"]["default"]["OPTIONS"]
    with pytest.raises(ValueError):
        without.settings_without("no_such_trick", ns)


@pytest.mark.parametrize("name", list(without.VARIANTS))
def test_filing_without_each_fast_path_answers_and_writes_the_same(world, monkeypatch, settings, name):
    fast, fast_queries = file(world)
    if name == "auth":
        from django.utils.module_loading import import_string

        from complaints.api.views import ComplaintViewSet

        # DRF's views take their classes from the settings when they are defined (as in the bench's gunicorn).
        ns = {"REST_FRAMEWORK": copy.deepcopy(settings.REST_FRAMEWORK)}
        without.settings_without("auth", ns)
        classes = [import_string(c) for c in ns["REST_FRAMEWORK"]["DEFAULT_AUTHENTICATION_CLASSES"]]
        monkeypatch.setattr(ComplaintViewSet, "authentication_classes", classes)
    elif name == "prepared":
        connection.ensure_connection()
        monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    without.patch(name, setattr=monkeypatch.setattr)
    if name == "throttle":
        from complaints.api.views import ComplaintViewSet
        from core.throttling import RedisRateThrottle

        view = ComplaintViewSet(action="create")
        assert not any(isinstance(t, RedisRateThrottle) for t in view.get_throttles())
    if name == "choice_labels":
        from complaints.api.serializers import ComplaintDetailSerializer, EventSerializer

        assert ComplaintDetailSerializer().fields["status_display"].source == "get_status_display"
        assert EventSerializer().fields["kind_display"].source == "get_kind_display"
    plain, plain_queries = file(world)
    assert plain_queries == fast_queries + EXTRA_QUERIES.get(name, 0)
    assert stable(plain) == stable(fast)
    assert re.fullmatch(r"TS\d{8}\d{6,}", plain["number"]) and plain["number"].endswith(f"{plain['id']:06d}")
    assert written(plain["number"])[:3] == written(fast["number"])[:3]
    assert [e[:4] for e in written(plain["number"])[3]] == [e[:4] for e in written(fast["number"])[3]]
    assert [n for n in written(plain["number"])[4]] == [n for n in written(fast["number"])[4]]


def test_the_orm_filing_targets_equal_the_hand_written_read(world):
    from complaints.tests.test_filing_reads import same

    for compound in (world.fulian, world.jinxiang):
        fast = selectors.filing_targets(compound_id=compound.pk, category_id=f.category("elevator").pk)
        plain = without.orm_filing_targets(compound_id=compound.pk, category_id=f.category("elevator").pk)
        same(plain.compound, fast.compound)
        same(plain.category, fast.category)
        assert (getattr(plain.context.company, "pk", None), getattr(plain.context.company, "name", None)) == (
            getattr(fast.context.company, "pk", None),
            getattr(fast.context.company, "name", None),
        )
        assert sorted(u.pk for u in plain.context.staff) == sorted(u.pk for u in fast.context.staff)
