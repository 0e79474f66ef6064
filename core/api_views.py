"""The API of `core`: a user's own data (`GET /api/v1/me/data/`, `DELETE /api/v1/me/`) and their notifications."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import desk, errors, notifications, privacy
from core.api import KeysetPagination
from core.models import Notification


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


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own notifications; `read` marks one read, `read-all` all of them."""

    serializer_class = NotificationSerializer
    filter_backends: list = []
    pagination_class = KeysetPagination

    def get_queryset(self):
        qs = notifications.notifications_of(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread notifications.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = self.get_object()
        notifications.notification_mark_read(user=request.user, ids=[note.pk])
        note.refresh_from_db()
        return Response(NotificationSerializer(note).data)

    @extend_schema(request=None, responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications.notification_mark_read(user=request.user)})


class MyTasksView(APIView):
    """What is waiting for the signed-in user, per desk role: counts and links (the portal's home page, as data)."""

    @extend_schema(
        responses=inline_serializer(
            "MyTasks",
            {
                "total": serializers.IntegerField(),
                "roles": inline_serializer(
                    "DeskRole",
                    {
                        "role": serializers.CharField(),
                        "label": serializers.CharField(),
                        "count": serializers.IntegerField(),
                        "tasks": inline_serializer(
                            "DeskTask",
                            {
                                "key": serializers.CharField(),
                                "label": serializers.CharField(),
                                "group": serializers.CharField(),
                                "count": serializers.IntegerField(),
                                "url": serializers.CharField(),
                                "urgent": serializers.BooleanField(),
                                "items": inline_serializer(
                                    "DeskTaskItem",
                                    {"label": serializers.CharField(), "count": serializers.IntegerField(), "url": serializers.CharField()},
                                    many=True,
                                ),
                            },
                            many=True,
                        ),
                    },
                    many=True,
                ),
            },
        )
    )
    def get(self, request):
        desks = desk.tasks_waiting(request.user)
        return Response(
            {
                "total": desk.remember_total(request.user, desk.waiting_count(desks)),
                "roles": [
                    {
                        "role": d.role,
                        "label": str(d.label),
                        "count": d.count,
                        "tasks": [
                            {
                                "key": t.key,
                                "label": str(t.label),
                                "group": t.group,
                                "count": t.count,
                                "url": t.url,
                                "urgent": t.urgent,
                                "items": [{"label": i.label, "count": i.count, "url": i.url} for i in t.items],
                            }
                            for t in d.tasks
                        ],
                    }
                    for d in desks
                ],
            }
        )
