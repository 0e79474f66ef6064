"""A resident's own data: see it (`GET /api/v1/me/data/`) and erase it (`DELETE /api/v1/me/`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import errors, privacy


class MyDataView(APIView):
    """Everything Linli holds about the signed-in user: account, units, complaints, ballots and the rest (PIPL right of access)."""

    @extend_schema(
        responses=inline_serializer(
            "MyData",
            {
                "account": serializers.DictField(),
                "units": serializers.ListField(child=serializers.DictField()),
                "complaints": serializers.ListField(child=serializers.DictField()),
                "ballots": serializers.DictField(),
                "notifications": serializers.ListField(child=serializers.DictField()),
                "other": serializers.DictField(),
            },
        )
    )
    def get(self, request):
        return Response(privacy.account_data(request.user))


CONFIRM_HEADER = "X-Confirm-Password"


class AccountDeletionMixin:
    """Adds `DELETE` to the `/api/v1/me/` view: erase the resident's personal data and close the account."""

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                CONFIRM_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description=_("The account's current password, to confirm the erasure."),
            )
        ],
        responses={
            204: OpenApiResponse(description=_("Personal data erased; the account is closed.")),
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
        },
    )
    def delete(self, request, *args, **kwargs):
        password = request.headers.get(CONFIRM_HEADER, "")
        if not password or not request.user.check_password(password):
            raise errors.ValidationError(str(_("The password is not correct.")), field=CONFIRM_HEADER)
        if not privacy.may_erase_own_account(request.user):
            raise errors.PermissionDenied(
                str(_("Accounts holding an official, staff, committee or mediator role are closed by an administrator."))
            )
        privacy.account_anonymise(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
