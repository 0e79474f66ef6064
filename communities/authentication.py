"""Bearer (JWT) authentication for the API: the user and their active roles in one prepared read (core.sql).

Every API request authenticates, and nearly every one then scopes its data by the user's roles
(communities.selectors.roles_of). Reading both in one SELECT over core.sql column lists saves a
round trip and the ORM's query building, which cost more than the database's answer.

DRF imports its authentication classes while `rest_framework.views` is still loading, so this
module must not import DRF's views (core.auth does, through simplejwt's token views).
"""

from __future__ import annotations

import time

from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from communities.models import RoleAssignment
from core.models import User
from core.sql import ModelColumns, fetch_all

_USER = ModelColumns(User, "u")
_ROLE = ModelColumns(RoleAssignment, "r")
_SQL = (
    f"SELECT {_USER.sql}, {_ROLE.sql} FROM {_USER.table} u"
    f" LEFT JOIN {_ROLE.table} r ON r.user_id = u.id AND r.is_active"
    f" WHERE u.id = %s ORDER BY r.id"
)


def user_with_roles(pk: int) -> User | None:
    """The user with this id, their active roles already in roles_of()'s cache; None if there is no such user."""
    rows = fetch_all(_SQL, [pk])
    if not rows:
        return None
    user = _USER.instance(rows[0], 0)
    roles = [role for role in (_ROLE.instance(row, len(_USER)) for row in rows) if role is not None]
    for role in roles:
        role.user = user
    user._linli_roles = roles  # the cache communities.selectors.roles_of reads
    return user


# Tokens whose signature and claims simplejwt has verified, until they expire: a mobile client
# sends the same access token for hours, and verifying it again on every request is a fixed cost.
# Keyed by the exact token bytes, so nothing unverified is ever accepted; bounded by a full reset.
_VERIFIED: dict[bytes, tuple[Token, float]] = {}
_VERIFIED_MAX = 10_000


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's Bearer authentication; the user lookup differs (see the module docstring), and a
    verified token is remembered by this process until its `exp`.

    The checks are simplejwt's: the token's signature and claims (once per token and process), the
    user must exist and be active (on every request), and with `CHECK_REVOKE_TOKEN` the token must
    carry the current password's hash (on every request).
    """

    def get_validated_token(self, raw_token: bytes) -> Token:
        known = _VERIFIED.get(raw_token)
        if known is not None and time.time() < known[1]:
            return known[0]
        token = super().get_validated_token(raw_token)
        expires = token.payload.get("exp")
        if isinstance(expires, int | float):
            if len(_VERIFIED) >= _VERIFIED_MAX:
                _VERIFIED.clear()
            _VERIFIED[raw_token] = (token, float(expires))
        return token

    def get_user(self, validated_token):
        try:
            user_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError):
            raise InvalidToken(_("Token contained no recognizable user identification")) from None
        user = user_with_roles(user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user
