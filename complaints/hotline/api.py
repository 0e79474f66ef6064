"""API of the 12345 import: /api/v1/hotline-imports/ (officials only, each sees their own batches)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from complaints.hotline import service
from complaints.models import HotlineImport, HotlineImportRow


class HotlineImportRowSerializer(serializers.ModelSerializer):
    # Null when the row has no complaint: refused, or a repeat of an earlier row of the same file.
    complaint_number = serializers.CharField(source="complaint.number", default=None, allow_null=True, read_only=True)

    class Meta:
        model = HotlineImportRow
        fields = ["row_number", "ticket", "outcome", "reason", "complaint", "complaint_number"]
        read_only_fields = fields


class HotlineImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = HotlineImport
        fields = [
            "id",
            "original_name",
            "created_at",
            "status",
            "total_rows",
            "processed_rows",
            "imported",
            "duplicates",
            "refused",
            "error",
        ]
        read_only_fields = fields


class HotlineImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The 12345 platform's export: CSV (UTF-8 or GBK) or .xlsx, header row first.")


class HotlineImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """12345 hotline imports. Small files are imported in the request; large ones run in the background
    (poll `processed_rows` / `total_rows` until `status` is `done`)."""

    serializer_class = HotlineImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["status"]
    search_fields = ["original_name"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return service.hotline_imports_visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=HotlineImportUploadSerializer, responses={201: HotlineImportSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        upload = HotlineImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        batch = service.hotline_import_create(file=upload.validated_data["file"], uploaded_by=request.user)
        return Response(HotlineImportSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: HotlineImportRowSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"])
    def rows(self, request: Request, pk: str | None = None) -> Response:
        """The per-row report; `?outcome=refused` lists only the refused rows."""
        batch = self.get_object()
        qs = service.hotline_import_rows(batch)
        outcome = request.query_params.get("outcome")
        if outcome in HotlineImportRow.Outcome.values:
            qs = qs.filter(outcome=outcome)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(HotlineImportRowSerializer(page, many=True).data)


router = DefaultRouter()
router.include_root_view = False
router.register("hotline-imports", HotlineImportViewSet, basename="hotline-import")

urlpatterns = [*router.urls]
