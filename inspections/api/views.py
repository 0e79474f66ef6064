"""Inspections API: checklists (read), inspections recorded from a tablet, rectification lists,
reports and reviews. Every queryset starts from a selector; domain errors map to HTTP in core.api."""

from django.db.models import Count, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api import KeysetPagination
from core.errors import PermissionDenied
from inspections import selectors, services
from inspections.api import filters, serializers
from inspections.models import (
    ActionPhoto,
    ChecklistArea,
    ChecklistItem,
    Finding,
    FindingPhoto,
    InspectionScore,
    RectificationReport,
    ReportAction,
)


class ChecklistTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Checklist versions: areas → items with their maximum scores."""

    filterset_fields = ["is_current", "name"]

    def get_queryset(self):
        qs = selectors.templates_visible_to(self.request.user).annotate(item_count=Count("items"), max_total=Sum("items__max_score"))
        if self.action == "retrieve":
            items = Prefetch("items", queryset=ChecklistItem.objects.order_by("order"))
            qs = qs.prefetch_related(Prefetch("areas", queryset=ChecklistArea.objects.order_by("order").prefetch_related(items)))
        return qs.order_by("name", "-version")

    def get_serializer_class(self):
        return serializers.ChecklistTemplateDetailSerializer if self.action == "retrieve" else serializers.ChecklistTemplateSerializer


class InspectionViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspections of compounds in the official's area. Tablet flow: create a draft, PUT scores in
    bulk, POST findings with photos, submit. A submitted inspection is read-only (409)."""

    filterset_class = filters.InspectionFilter
    search_fields = ["compound__name"]
    ordering_fields = ["inspected_on", "percentage", "id"]
    pagination_class = KeysetPagination  # two inspections a year per compound: pages by cursor, no COUNT(*) of them all
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        scored = InspectionScore.objects.filter(inspection=OuterRef("pk")).order_by().values("inspection").annotate(n=Count("id"))
        qs = (
            selectors.inspections_visible_to(self.request.user)
            .select_related("compound", "company")
            .prefetch_related("inspectors")
            # A correlated subquery, evaluated for the page only (a JOIN + GROUP BY would scan every score).
            .annotate(scored_count=Coalesce(Subquery(scored.values("n")), 0))
            .order_by("-inspected_on", "-id")
        )
        if self.action != "list":
            qs = qs.prefetch_related(
                Prefetch("scores", queryset=InspectionScore.objects.select_related("item").order_by("item__order")),
                Prefetch("findings", queryset=Finding.objects.select_related("item").prefetch_related("photos").order_by("id")),
            )
        return qs

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.InspectionSerializer
        return serializers.InspectionDetailSerializer

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        inspection = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(serializers.InspectionDetailSerializer(inspection, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=serializers.InspectionCreateSerializer, responses={201: serializers.InspectionDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = serializers.InspectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        inspection = services.inspection_create(
            actor=request.user,
            compound_id=v["compound"],
            inspected_on=v["inspected_on"],
            inspector_ids=v.get("inspectors", ()),
            summary=v["summary"],
            template_id=v.get("template"),
        )
        return self._detail(inspection.pk, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.InspectionUpdateSerializer, responses={200: serializers.InspectionDetailSerializer})
    def partial_update(self, request, pk=None):
        self.get_object()
        data = serializers.InspectionUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.inspection_update(
            actor=request.user,
            inspection_id=int(pk),
            inspected_on=v.get("inspected_on"),
            inspector_ids=v.get("inspectors"),
            summary=v.get("summary"),
        )
        return self._detail(pk)

    @extend_schema(request=serializers.ScoresInputSerializer, responses={200: serializers.InspectionDetailSerializer})
    @action(detail=True, methods=["put"])
    def scores(self, request, pk=None):
        """Record item scores in bulk (overwrites the items given). A score above an item's maximum is a 400 naming the item."""
        self.get_object()
        data = serializers.ScoresInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = [services.ScoreInput(item_id=s["item"], score=s["score"], note=s["note"]) for s in data.validated_data["scores"]]
        services.inspection_scores_set(actor=request.user, inspection_id=int(pk), scores=rows)
        return self._detail(pk)

    @extend_schema(request={"multipart/form-data": serializers.FindingCreateSerializer}, responses={201: serializers.FindingSerializer})
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        """Add a finding citing a checklist item, with up to six photos (multipart field `photos`)."""
        self.get_object()
        data = serializers.FindingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        finding = services.finding_add(
            actor=request.user,
            inspection_id=int(pk),
            item_id=v["item"],
            severity=v["severity"],
            description=v["description"],
            location=v["location"],
            photos=v["photos"],
        )
        return Response(serializers.FindingSerializer(finding, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft: all items scored; total and percentage computed; read-only from now on."""
        self.get_object()
        services.inspection_submit(actor=request.user, inspection_id=int(pk))
        return self._detail(pk)


class RectificationListViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """整改清单. Officials issue from an inspection's findings and review reports; the company the list
    was issued to files reports. Anyone else gets 404."""

    filterset_class = filters.RectificationListFilter
    search_fields = ["number", "compound__name", "company__name"]
    ordering_fields = ["deadline", "issued_at", "id"]
    pagination_class = KeysetPagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = selectors.rectification_lists_visible_to(self.request.user).select_related("compound", "company", "issued_by")
        if self.action == "retrieve":
            qs = qs.prefetch_related("items")
        return qs.order_by("-issued_at", "-id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.RectificationListDetailSerializer
        return serializers.RectificationListSerializer

    @extend_schema(request=serializers.RectificationListIssueSerializer, responses={201: serializers.RectificationListDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = serializers.RectificationListIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rect = services.rectification_list_issue(
            actor=request.user,
            inspection_id=v["inspection"],
            finding_ids=v["findings"],
            complaint_ids=v["complaints"],
            deadline=v["deadline"],
            requirements=v["requirements"],
        )
        rect = self.get_queryset().prefetch_related("items").get(pk=rect.pk)
        return Response(serializers.RectificationListDetailSerializer(rect, context=self.get_serializer_context()).data, status=201)

    def _reports(self, rect_pk):
        actions = Prefetch("actions", queryset=ReportAction.objects.prefetch_related("photos").order_by("item__order"))
        return (
            RectificationReport.objects.filter(rectification_list_id=rect_pk)
            .select_related("submitted_by", "reviewed_by")
            .prefetch_related(actions)
            .order_by("round")
        )

    @extend_schema(request=None, responses={200: serializers.RectificationReportSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def reports(self, request, pk=None):
        """The list's reports, every round, with actions, photos and review comments."""
        rect = self.get_object()
        return Response(
            serializers.RectificationReportSerializer(self._reports(rect.pk), many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request={"multipart/form-data": serializers.ReportCreateSerializer, "application/json": serializers.ReportCreateSerializer},
        responses={201: serializers.RectificationReportSerializer},
        description="File a rectification report. Photos go in multipart file fields named `photos_<item id>` (up to six each).",
    )
    @reports.mapping.post
    def file_report(self, request, pk=None):
        rect = self.get_object()
        data = serializers.ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        files = request.FILES
        actions = [
            services.ActionInput(item_id=a["item"], action=a["action"], photos=files.getlist(f"photos_{a['item']}") if files else [])
            for a in data.validated_data["actions"]
        ]
        report = services.rectification_report_file(
            actor=request.user, list_id=rect.pk, actions=actions, summary=data.validated_data["summary"]
        )
        report = self._reports(rect.pk).get(pk=report.pk)
        return Response(serializers.RectificationReportSerializer(report, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=serializers.ReviewSerializer, responses={200: serializers.RectificationReportSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Accept the pending report (the list closes) or return it with comments."""
        rect = self.get_object()
        data = serializers.ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.rectification_report_review(actor=request.user, list_id=rect.pk, **data.validated_data)
        report = self._reports(rect.pk).get(pk=report.pk)
        return Response(serializers.RectificationReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=["town", "company", "compound"]),
            OpenApiParameter("start", str, description="issued on or after (YYYY-MM-DD)"),
            OpenApiParameter("end", str, description="issued on or before (YYYY-MM-DD)"),
        ],
        responses={200: serializers.FiguresSerializer},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def figures(self, request):
        """Lists issued, closed on time, closed late, overdue and open, with the on-time rate, by town,
        company or compound, over the lists visible to the user."""
        if not (selectors.is_official(request.user) or selectors.company_ids_of(request.user)):
            raise PermissionDenied(_("Only officials and property companies see rectification figures."))
        q = serializers.FiguresQuerySerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        v = q.validated_data
        figures = selectors.rectification_figures(request.user, by=v["by"], start=v.get("start"), end=v.get("end"))
        return Response(serializers.FiguresSerializer({"by": v["by"], **figures}).data)


def _serve(image) -> FileResponse:
    try:
        return FileResponse(image.open("rb"))
    except FileNotFoundError:  # a row whose file is gone from storage
        raise Http404 from None


# --- Photos: served only inside scope, to sessions (portal <img>) and bearer tokens (apps) alike ---------


@extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY}, summary="A finding's photo")
@api_view(["GET"])
def finding_photo(request, pk: int):
    """Officials of the area, and the company of a list citing the finding."""
    photo = get_object_or_404(FindingPhoto.objects.select_related("finding"), pk=pk)
    visible = selectors.inspections_visible_to(request.user).filter(pk=photo.finding.inspection_id).exists() or (
        selectors.rectification_lists_visible_to(request.user).filter(items__finding_id=photo.finding_id).exists()
    )
    if not visible:
        raise Http404
    return _serve(photo.image)


@extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY}, summary="A rectification report photo")
@api_view(["GET"])
def action_photo(request, pk: int):
    photo = get_object_or_404(ActionPhoto.objects.select_related("action__report"), pk=pk)
    if not selectors.rectification_lists_visible_to(request.user).filter(pk=photo.action.report.rectification_list_id).exists():
        raise Http404
    return _serve(photo.image)
