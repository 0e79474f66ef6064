"""Bearer (JWT) authentication for the API, with the user read by one prepared SELECT.

Kept apart from core.auth: DRF imports its authentication classes while `rest_framework.views`
is still loading, so this module must not import DRF's views (core.auth does, through simplejwt's).
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from core.models import User
from core.sql import ModelColumns

_USER = ModelColumns(User, "u")
_USER_SQL = f"SELECT {_USER.sql} FROM {_USER.table} u WHERE u.id = %s"


def user_get(pk: int) -> User | None:
    """The user with this id, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_USER_SQL, [pk])
        row = cursor.fetchone()
    return None if row is None else _USER.instance(row, 0)


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's Bearer authentication; only the user lookup differs.

    Every API request pays for it, and the ORM's `User.objects.get(id=...)` spent most of its time
    building the SQL (bench/complaint_create_profile.py). The checks are simplejwt's: the user must
    exist and be active, and with `CHECK_REVOKE_TOKEN` the token must carry the password's hash.
    """

    def get_user(self, validated_token):
        try:
            user_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError):
            raise InvalidToken(_("Token contained no recognizable user identification")) from None
        user = user_get(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user
