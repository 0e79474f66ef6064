"""Bearer authentication (communities.authentication): simplejwt's rules with the user read by one SELECT."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from communities.authentication import user_with_roles
from core.models import User

ME = "/api/v1/me/"


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_valid_token_signs_the_user_in(world):
    client = bearer(AccessToken.for_user(world.resident_fulian))
    r = client.get(ME)
    assert r.status_code == 200 and r.json()["username"] == "resident_fulian"


def test_the_user_read_equals_the_orm_user(world):
    world.resident_fulian.email = "wang@example.com"
    world.resident_fulian.save()
    got, want = user_with_roles(world.resident_fulian.pk), User.objects.get(pk=world.resident_fulian.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(got, a) for a in fields] == [getattr(want, a) for a in fields]
    assert got._state.adding is False and str(got) == "王红"
    assert user_with_roles(2**31 - 1) is None


def test_a_deactivated_user_is_refused(world):
    token = AccessToken.for_user(world.resident_fulian)
    User.objects.filter(pk=world.resident_fulian.pk).update(is_active=False)
    r = bearer(token).get(ME)
    assert r.status_code == 401 and r.json()["code"] == "user_inactive"


def test_a_deleted_user_is_refused(world):
    token = AccessToken.for_user(world.resident_tianma)
    User.objects.filter(pk=world.resident_tianma.pk).delete()
    r = bearer(token).get(ME)
    assert r.status_code == 401 and r.json()["code"] == "user_not_found"


@pytest.mark.parametrize("claim", ["abc", None])
def test_a_token_without_a_usable_user_id_is_refused(world, claim):
    token = AccessToken.for_user(world.resident_fulian)
    token["user_id"] = claim
    r = bearer(token).get(ME)
    assert r.status_code == 401


def test_the_users_active_roles_come_with_the_user(world, django_assert_num_queries):
    from communities.models import RoleAssignment
    from communities.selectors import roles_of
    from communities.tests import factories as f

    f.role(world.staff_yifang, "resident")
    f.role(world.staff_yifang, "committee", compound=world.fulian, is_active=False)
    with django_assert_num_queries(1):
        user = user_with_roles(world.staff_yifang.pk)
        cached = roles_of(user)
    expected = list(RoleAssignment.objects.filter(user=world.staff_yifang, is_active=True))
    fields = [f.attname for f in RoleAssignment._meta.concrete_fields]
    assert [[getattr(r, a) for a in fields] for r in cached] == [[getattr(r, a) for a in fields] for r in expected]
    assert [r.role for r in cached] == ["staff", "resident"] and all(r.user is user for r in cached)
    # A user without roles has an empty (cached) list, not a NULL role.
    loner = f.UserFactory(username="loner")
    with django_assert_num_queries(1):
        assert roles_of(user_with_roles(loner.pk)) == []


def test_a_forged_token_is_refused(world):
    token = str(AccessToken.for_user(world.resident_fulian))
    assert bearer(token).get(ME).status_code == 200
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    assert bearer(forged).get(ME).status_code == 401


def test_the_user_is_found_by_simplejwts_user_id_field(world, monkeypatch):
    """USER_ID_FIELD is honoured as simplejwt's own get_user honours it (here: the username in the token)."""
    from communities import authentication

    # The settings object simplejwt's tokens and this module read (override_settings rebinds a new one).
    monkeypatch.setattr(authentication.api_settings, "USER_ID_FIELD", "username")
    token = AccessToken.for_user(world.resident_fulian)
    assert token["user_id"] == "resident_fulian"
    r = bearer(token).get(ME)
    assert r.status_code == 200 and r.json()["username"] == "resident_fulian"
    token["user_id"] = "nobody"
    assert bearer(token).get(ME).status_code == 401
