"""Bearer (JWT) authentication for the API: the user and their active roles in one prepared read (core.sql).

Every API request authenticates, and nearly every one then scopes its data by the user's roles
(communities.selectors.roles_of). Reading both in one SELECT over core.sql column lists saves a
round trip and the ORM's query building, which cost more than the database's answer.

DRF imports its authentication classes while `rest_framework.views` is still loading, so this
module must not import DRF's views (core.auth does, through simplejwt's token views).
"""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from communities.models import RoleAssignment
from communities.selectors import remember_roles
from core.models import User
from core.sql import ModelColumns, fetch_all

_USER = ModelColumns(User, "u")
_ROLE = ModelColumns(RoleAssignment, "r")


@cache
def _sql(field: str) -> str:
    column = User._meta.get_field(field).column
    return (
        f"SELECT {_USER.sql}, {_ROLE.sql} FROM {_USER.table} u"
        f" LEFT JOIN {_ROLE.table} r ON r.user_id = u.id AND r.is_active"
        f' WHERE u."{column}" = %s ORDER BY r.id'
    )


def user_with_roles(value, *, field: str = "id") -> User | None:
    """The user whose `field` is `value`, their active roles handed to roles_of (remember_roles); None if there is none."""
    rows = fetch_all(_sql(field), [value])
    if not rows:
        return None
    user = _USER.instance(rows[0], 0)
    roles = [role for role in (_ROLE.instance(row, len(_USER)) for row in rows) if role is not None]
    for role in roles:
        role.user = user
    remember_roles(user, roles)
    return user


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's Bearer authentication; the user lookup (by `USER_ID_FIELD`, as simplejwt's) also reads
    the roles (see the module docstring).

    The checks are simplejwt's: the token's signature and claims, the user must exist and be active,
    and with `CHECK_REVOKE_TOKEN` the token must carry the current password's hash.
    """

    def get_user(self, validated_token):
        field = User._meta.get_field(api_settings.USER_ID_FIELD)
        try:
            user_id = field.to_python(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, DjangoValidationError):
            raise InvalidToken(_("Token contained no recognizable user identification")) from None
        user = user_with_roles(user_id, field=field.name)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user
