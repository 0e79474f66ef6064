"""The complaints API (SPEC §6.1): categories and complaints with their workflow actions.

Every queryset starts from complaints.selectors, so anything outside the user's scope is a 404 in
lists, details and actions alike. Services raise domain errors that core.api maps to 403/409/400.
"""

from __future__ import annotations

import hashlib
import json

from django.http import FileResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import selectors, services
from complaints.api import filters, serializers
from complaints.models import Complaint
from core.api import KeysetPagination
from core.throttling import ScopedRateThrottle


class ComplaintCreateThrottle(ScopedRateThrottle):
    """The `complaint_create` rate; open when the cache (Redis) is down, so filing keeps working (core.throttling)."""

    scope_attr = "throttle_scope"


class CategoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaint categories (also the Open311 services), with their deadlines in working time."""

    serializer_class = serializers.CategorySerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.categories_active()


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A retry with the same key by the same user returns the first response and creates nothing.",
)


def _fingerprint(request) -> str:
    data = {k: v for k, v in request.data.items() if k != "photos"} if hasattr(request.data, "items") else {}
    files = sorted((f.name, f.size) for f in request.FILES.getlist("photos"))
    blob = json.dumps({"data": {k: str(v) for k, v in data.items()}, "files": files}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Complaints (work orders) the user may see: residents their own, staff their company's, officials their area's."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ComplaintFilter
    pagination_class = KeysetPagination  # constant cost at any depth (a city files a million a year)
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    throttle_scope = "complaint_create"

    def get_queryset(self):
        user = self.request.user
        if self.action == "supported":
            return selectors.complaints_supported_by(user)
        if self.action == "list":
            return selectors.complaints_for_list(user)
        return selectors.complaints_for_detail(user)

    def get_serializer_class(self):
        if self.action in ("similar", "supported"):
            return serializers.SimilarComplaintSerializer
        if self.action == "support":
            return serializers.SupportResultSerializer
        if self.action == "list":
            return serializers.ComplaintSerializer
        if self.action == "create":
            return serializers.ComplaintCreateSerializer
        return serializers.ComplaintDetailSerializer

    def get_throttles(self):
        if self.action == "create":
            return [ComplaintCreateThrottle()]
        return super().get_throttles()

    def _detail(self, complaint: Complaint, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.complaint_get(user=self.request.user, pk=complaint.pk)
        return Response(serializers.ComplaintDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request={"application/json": serializers.ComplaintCreateSerializer, "multipart/form-data": serializers.ComplaintCreateSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: serializers.ComplaintDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        """File a complaint (JSON, or multipart with up to 6 photos); dispatched at once."""
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 100:
            raise ValidationError({"Idempotency-Key": [_("At most 100 characters.")]})
        fingerprint = _fingerprint(request) if key else ""
        replay = services.complaint_filing_replay(actor=request.user, key=key, fingerprint=fingerprint)
        if replay is not None:
            return self._filed(replay)
        data = serializers.ComplaintCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = dict(data.validated_data)
        args.pop("photos", None)
        filing = services.complaint_file(
            actor=request.user,
            **args,
            photos=request.FILES.getlist("photos") or data.validated_data.get("photos", []),
            idempotency_key=key,
            fingerprint=fingerprint,
            render=lambda complaint, timeline: (
                serializers.ComplaintDetailSerializer(complaint, context={**self.get_serializer_context(), "timeline": timeline}).data
            ),
        )
        return self._filed(filing)

    def _filed(self, filing: services.Filing) -> Response:
        headers = {"Idempotent-Replayed": "true"} if filing.replayed else None
        return Response(filing.response, status=filing.status, headers=headers)

    # --- workflow steps ---------------------------------------------------------------------------
    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=None, responses={200: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Sign for (签收) a dispatched complaint. 409 if someone already signed for it."""
        return self._detail(services.complaint_accept(complaint=self.get_object(), actor=request.user))

    @extend_schema(request=serializers.ReasonSerializer, responses={200: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """Return (退单) a dispatched complaint with a reason, for an official to reassign."""
        c = self.get_object()
        return self._detail(services.complaint_return(complaint=c, actor=request.user, **self._input(serializers.ReasonSerializer)))

    @extend_schema(
        request={"application/json": serializers.ResolveSerializer, "multipart/form-data": serializers.ResolveSerializer},
        responses={200: serializers.ComplaintDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve (办结) a signed-for complaint with a note and up to 6 photos."""
        c = self.get_object()
        args = self._input(serializers.ResolveSerializer)
        photos = request.FILES.getlist("photos") or args["photos"]
        return self._detail(services.complaint_resolve(complaint=c, actor=request.user, note=args["note"], photos=photos))

    @extend_schema(request=serializers.ConfirmSerializer, responses={200: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The reporter confirms with a rating; 不满意 (dissatisfied) reopens the complaint."""
        c = self.get_object()
        return self._detail(services.complaint_confirm(complaint=c, actor=request.user, **self._input(serializers.ConfirmSerializer)))

    @extend_schema(request=serializers.OptionalNoteSerializer, responses={200: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """The reporter is dissatisfied: reopen (重办) the resolved complaint."""
        c = self.get_object()
        return self._detail(services.complaint_reopen(complaint=c, actor=request.user, **self._input(serializers.OptionalNoteSerializer)))

    @extend_schema(request=serializers.RejectSerializer, responses={200: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """An official rejects the complaint as invalid or as a duplicate of another (visible) one."""
        c = self.get_object()
        args = self._input(serializers.RejectSerializer)
        original = None
        if args["duplicate_of"] is not None:
            original = selectors.complaints_visible_to(request.user).filter(pk=args["duplicate_of"]).first()
            if original is None:
                raise ValidationError({"duplicate_of": [_("No such complaint.")]})
        return self._detail(
            services.complaint_reject(complaint=c, actor=request.user, reason=args["reason"], note=args["note"], duplicate_of=original)
        )

    @extend_schema(request=serializers.ReassignSerializer, responses={200: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """An official reassigns the complaint to a company or a community (fresh deadlines)."""
        c = self.get_object()
        return self._detail(services.complaint_reassign(complaint=c, actor=request.user, **self._input(serializers.ReassignSerializer)))

    @extend_schema(request=serializers.ExtendSerializer, responses={200: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """An official extends the resolve deadline once (延期), with a reason."""
        c = self.get_object()
        return self._detail(services.complaint_extend(complaint=c, actor=request.user, **self._input(serializers.ExtendSerializer)))

    @extend_schema(request=serializers.NoteSerializer, responses={200: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        """An official sends a supervision notice (督办) that the handler must answer."""
        c = self.get_object()
        return self._detail(services.complaint_supervise(complaint=c, actor=request.user, **self._input(serializers.NoteSerializer)))

    @extend_schema(request=serializers.NoteSerializer, responses={200: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The handler answers the supervision notice."""
        c = self.get_object()
        note = self._input(serializers.NoteSerializer)["note"]
        return self._detail(services.complaint_answer_supervision(complaint=c, actor=request.user, note=note))

    @extend_schema(request=serializers.NoteSerializer, responses={201: serializers.ComplaintDetailSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        """Add a comment to the timeline (anyone who can see the complaint, while it is open)."""
        c = self.get_object()
        services.complaint_comment(complaint=c, actor=request.user, **self._input(serializers.NoteSerializer))
        return self._detail(c, status.HTTP_201_CREATED)

    # --- 我也遇到: similar complaints and joining one ------------------------------------------------
    @extend_schema(
        parameters=[serializers.SimilarQuerySerializer],
        responses={200: serializers.SimilarComplaintSerializer(many=True)},
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def similar(self, request):
        """Before filing: open complaints about the same compound and category from the last 14 days with
        a similar description, most similar first (at most 5). Residents see those of the compounds they
        own a unit in; join one with `POST /complaints/{id}/support/` instead of filing anew."""
        args = serializers.SimilarQuerySerializer(data=request.query_params)
        args.is_valid(raise_exception=True)
        found = selectors.similar_complaints(
            request.user,
            compound_id=args.validated_data["compound"],
            category_id=args.validated_data["category"],
            text=args.validated_data["text"],
            roles=["resident", "official"],
        )
        ids = [s.complaint.pk for s in found]
        context = {
            **self.get_serializer_context(),
            "scores": {s.complaint.pk: s.score for s in found},
            "supported": selectors.complaint_ids_supported_by(request.user, ids),
        }
        return Response(serializers.SimilarComplaintSerializer([s.complaint for s in found], many=True, context=context).data)

    @extend_schema(responses={200: serializers.SimilarComplaintSerializer(many=True)}, filters=False)
    @action(detail=False, methods=["get"], filter_backends=[])
    def supported(self, request):
        """The complaints you joined (我也遇到), as they stand now."""
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "supported": {c.pk for c in page}}
        return self.get_paginated_response(serializers.SimilarComplaintSerializer(page, many=True, context=context).data)

    @extend_schema(request=None, responses={200: serializers.SupportResultSerializer, 201: serializers.SupportResultSerializer})
    @action(detail=True, methods=["post"])
    def support(self, request, pk=None):
        """我也遇到: join this open complaint of your compound instead of filing the same problem anew. You are
        then notified at each step like its reporter. 201 when joined, 200 when you had joined already;
        404 outside the compounds you own a unit in; 409 when it is no longer open or is your own."""
        complaint = selectors.complaint_joinable_get(user=request.user, pk=pk, roles=["resident"])
        _row, joined = services.complaint_support(complaint=complaint, actor=request.user)
        complaint.refresh_from_db(fields=["supporter_count", "status"])
        context = {**self.get_serializer_context(), "supported": {complaint.pk}}
        body = serializers.SupportResultSerializer({"joined": joined, "complaint": complaint}, context=context).data
        return Response(body, status=status.HTTP_201_CREATED if joined else status.HTTP_200_OK)


class ComplaintPhotoView(APIView):
    """A complaint photo, served only to users who may see its complaint (404 otherwise)."""

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        item = selectors.photo_get(user=request.user, pk=pk)
        return FileResponse(item.image.open("rb"))
