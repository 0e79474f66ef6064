from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.response import Response

from ratings import evaluation, indicators, selectors, services
from ratings.api import filters, serializers
from ratings.engine import add_months


class MetricViewSet(viewsets.ReadOnlyModelViewSet):
    """Metric snapshots per compound, community, town or district and month (filter by level, area, months)."""

    serializer_class = serializers.MetricSnapshotSerializer
    filterset_class = filters.MetricFilter
    ordering_fields = ["month", "complaint_ratio", "satisfaction_rate"]

    @extend_schema(
        parameters=[serializers.MetricSummaryQuerySerializer],
        responses={200: serializers.MetricSummarySerializer},
        description="Every catalogue indicator of one area over a span of months, by the catalogue's period rules, "
        "with the period each value covers: the figures the area's dashboard shows.",
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def summary(self, request):
        query = serializers.MetricSummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        area = selectors.area_for(request.user, q["level"], q["area"])
        _default_from, default_to = selectors.default_span()
        month_to = (q.get("month_to") or default_to).replace(day=1)
        month_from = (q.get("month_from") or add_months(month_to, -11)).replace(day=1)
        span = selectors.span_of(month_from, month_to, include_partial=q["partial"])
        figures = selectors.area_figures(area, span)
        data = {
            "level": area.level,
            "area": area.id,
            "area_name": area.name,
            "month_from": span.month_from,
            "month_to": span.month_to,
            "period": indicators.span_period(span.months(), span),
            "partial_month": span.current if span.has_partial else None,
            "figures": [
                {
                    "key": f.key,
                    "name": indicators.get(f.key).label(),
                    "value": f.value,
                    "text": f.text,
                    "period": f.period,
                    "numerator": f.numerator,
                    "denominator": f.denominator,
                    "month_from": f.month_from,
                    "month_to": f.month_to,
                    "partial": f.partial,
                }
                for f in figures.values()
            ],
        }
        return Response(serializers.MetricSummarySerializer(data).data)

    def get_queryset(self):
        return (
            selectors.snapshots_visible_to(self.request.user)
            .select_related("compound", "community", "subdistrict", "district")
            .order_by("level", "area_id", "month")
        )


class SurveyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Satisfaction survey rounds. Officials open them and import paper results; residents answer for their household."""

    filterset_class = filters.SurveyFilter

    def get_queryset(self):
        return selectors.survey_rounds_visible_to(self.request.user).order_by("-period_end", "-id")

    def get_serializer_class(self):
        return {
            "create": serializers.SurveyRoundCreateSerializer,
            "responses": serializers.SurveyResponseCreateSerializer,
            "import_paper": serializers.SurveyImportSerializer,
        }.get(self.action, serializers.SurveyRoundSerializer)

    @extend_schema(request=serializers.SurveyRoundCreateSerializer, responses={201: serializers.SurveyRoundSerializer})
    def create(self, request, *args, **kwargs):
        data = serializers.SurveyRoundCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survey = services.survey_round_create(actor=request.user, **data.validated_data)
        return Response(serializers.SurveyRoundSerializer(survey).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        request=None,
        responses={200: serializers.SurveyResponseSerializer(many=True)},
        description="Responses you may see.",
    )
    @extend_schema(
        methods=["post"], request=serializers.SurveyResponseCreateSerializer, responses={201: serializers.SurveyResponseSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def responses(self, request, pk=None):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "GET":
            qs = selectors.survey_responses_visible_to(request.user).filter(round=survey).order_by("id")
            page = self.paginate_queryset(qs)
            return self.get_paginated_response(serializers.SurveyResponseSerializer(page, many=True).data)
        data = serializers.SurveyResponseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit, comment = values.pop("unit"), values.pop("comment", "")
        response = services.survey_response_submit(user=request.user, round_id=survey.pk, unit_id=unit, answers=values, comment=comment)
        return Response(serializers.SurveyResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": serializers.SurveyImportSerializer}, responses={200: serializers.SurveyImportReportSerializer}
    )
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[parsers.MultiPartParser])
    def import_paper(self, request, pk=None):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        data = serializers.SurveyImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.survey_import(actor=request.user, round_id=survey.pk, file=data.validated_data["file"])
        rows = [{"row": r.row, "outcome": r.outcome, "reason": r.reason} for r in report]
        return Response(
            {
                "imported": sum(r.outcome == "imported" for r in report),
                "duplicates": sum(r.outcome == "duplicate" for r in report),
                "refused": sum(r.outcome == "refused" for r in report),
                "rows": rows,
            }
        )

    @extend_schema(request=None, responses={200: serializers.SurveyRoundSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        survey = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(serializers.SurveyRoundSerializer(services.survey_round_close(actor=request.user, round_id=survey.pk)).data)


class StarRatingRoundViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Star rating rounds: weights and cut-offs, proposal, confirmation, publication."""

    def get_queryset(self):
        return selectors.star_rounds_visible_to(self.request.user).order_by("-month_to", "-id")

    def get_serializer_class(self):
        return serializers.StarRatingRoundCreateSerializer if self.action == "create" else serializers.StarRatingRoundSerializer

    @extend_schema(request=serializers.StarRatingRoundCreateSerializer, responses={201: serializers.StarRatingRoundSerializer})
    def create(self, request, *args, **kwargs):
        data = serializers.StarRatingRoundCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        star_round = services.star_round_create(actor=request.user, district_id=values.pop("district"), **values)
        return Response(serializers.StarRatingRoundSerializer(star_round).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.StarRatingRoundSerializer})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        get_object_or_404(self.get_queryset(), pk=pk)
        return Response(serializers.StarRatingRoundSerializer(services.star_round_propose(actor=request.user, round_id=int(pk))).data)

    @extend_schema(request=None, responses={200: serializers.CountSerializer})
    @action(detail=True, methods=["post"], url_path="confirm-all")
    def confirm_all(self, request, pk=None):
        get_object_or_404(self.get_queryset(), pk=pk)
        return Response({"count": services.star_round_confirm_all(actor=request.user, round_id=int(pk))})

    @extend_schema(request=None, responses={200: serializers.StarDistributionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list, as the schema must say
    def distribution(self, request, pk=None):
        """How many compounds got each number of stars, per town (confirmed stars, else the proposal)."""
        star_round = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(selectors.round_distribution(star_round))

    @extend_schema(request=None, responses={200: serializers.StarRatingRoundSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        get_object_or_404(self.get_queryset(), pk=pk)
        return Response(serializers.StarRatingRoundSerializer(services.star_round_publish(actor=request.user, round_id=int(pk))).data)


class StarRatingViewSet(viewsets.ReadOnlyModelViewSet):
    """Each compound's proposed and confirmed stars with the breakdown behind them."""

    serializer_class = serializers.StarRatingSerializer
    filterset_class = filters.StarRatingFilter

    def get_queryset(self):
        return selectors.star_ratings_visible_to(self.request.user).order_by("round_id", "-score", "compound_id")

    @extend_schema(request=serializers.StarRatingConfirmSerializer, responses={200: serializers.StarRatingSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        get_object_or_404(self.get_queryset(), pk=pk)
        data = serializers.StarRatingConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.star_rating_confirm(actor=request.user, rating_id=int(pk), **data.validated_data)
        return Response(serializers.StarRatingSerializer(rating).data)


class TargetViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The district's "five rises, two falls": each indicator's baseline, target, actual and whether it is on track.

    POST sets (creates or replaces) the target of an indicator.
    """

    serializer_class = serializers.TargetSerializer

    def get_queryset(self):
        return selectors.targets_visible_to(self.request.user).order_by("direction", "id")

    def get_serializer_class(self):
        return serializers.TargetWriteSerializer if self.action == "create" else serializers.TargetSerializer

    @extend_schema(request=serializers.TargetWriteSerializer, responses={201: serializers.TargetSerializer})
    def create(self, request, *args, **kwargs):
        data = serializers.TargetWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        target = services.target_set(actor=request.user, district_id=values.pop("district"), **values)
        return Response(serializers.TargetSerializer(target).data, status=status.HTTP_201_CREATED)


class IndicatorViewSet(viewsets.ViewSet):
    """The indicator catalogue: every figure's key, names, numerator and denominator, unit, better direction,
    period rule and definition. Pages, exports and `metrics/summary/` compute by it."""

    pagination_class = None

    @extend_schema(responses={200: serializers.IndicatorSerializer(many=True)})
    def list(self, request):
        return Response(serializers.IndicatorSerializer(list(indicators.INDICATORS.values()), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Indicator key, e.g. satisfaction_rate")],
        responses={200: serializers.IndicatorSerializer},
    )
    def retrieve(self, request, pk=None):
        indicator = indicators.INDICATORS.get(pk or "")
        if indicator is None:
            raise Http404
        return Response(serializers.IndicatorSerializer(indicator).data)


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    """Published property-company evaluations (物业企业信用评价) with the results you may see: officials the
    companies working in their area, company staff their own company only. Each result carries its rank,
    score (and the reason if an official adjusted it), place on the red or black list, and every input with
    its catalogue name, period, figure and 0–100 points."""

    serializer_class = serializers.EvaluationRoundSerializer

    def get_queryset(self):
        from django.db.models import Prefetch

        from ratings.models import EvaluationRound

        visible = selectors.evaluations_visible_to(self.request.user).select_related("company").order_by("rank", "company__name")
        return (
            selectors.evaluation_rounds_visible_to(self.request.user)
            .filter(status=EvaluationRound.Status.PUBLISHED)
            .prefetch_related(Prefetch("results", queryset=visible, to_attr="visible_results"))
            .order_by("-month_to", "-id")
        )

    def get_serializer(self, *args, **kwargs):
        rounds = args[0] if args else None
        rounds = list(rounds) if isinstance(rounds, list | tuple) else ([rounds] if rounds is not None else [])
        context = self.get_serializer_context()
        context.update(
            periods={r.pk: evaluation.input_periods(r) for r in rounds},
            settings={r.pk: evaluation.round_settings(r) for r in rounds},
            round_periods={r.pk: evaluation.round_period(r) for r in rounds},
        )
        kwargs["context"] = context
        return self.get_serializer_class()(*args, **kwargs)
