from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ratings import evaluation, indicators
from ratings.models import (
    Answer,
    CompanyEvaluation,
    EvaluationRound,
    Level,
    MetricSnapshot,
    StarRating,
    StarRatingRound,
    SurveyResponse,
    SurveyRound,
    Target,
)


@extend_schema_field(
    {"type": "string", "enum": Answer.values, "description": "satisfied 满意 · basic 基本满意 · dissatisfied 不满意"},
    component_name="SurveyAnswer",
)
class AnswerField(serializers.ChoiceField):
    """One shared answer scale; described inline so the schema has no duplicate enum components."""

    def __init__(self, **kwargs):
        super().__init__(choices=Answer.choices, **kwargs)


class MetricSnapshotSerializer(serializers.ModelSerializer):
    area_name = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField(help_text=_("The month the row covers, as the portal names it."))
    partial = serializers.SerializerMethodField(help_text=_("True for the current month, which is not finished."))

    class Meta:
        model = MetricSnapshot
        exclude = ["compound", "community", "subdistrict", "district"]

    def _span(self, obj: MetricSnapshot):
        from ratings import selectors

        return selectors.span_of(obj.month, obj.month, today=self.context.get("today"))

    def get_period(self, obj: MetricSnapshot) -> str:
        from ratings import indicators

        return indicators.month_period(obj.month, self._span(obj))

    def get_partial(self, obj: MetricSnapshot) -> bool:
        return self._span(obj).is_partial(obj.month)

    def get_area_name(self, obj: MetricSnapshot) -> str:
        area = {"compound": obj.compound, "community": obj.community, "subdistrict": obj.subdistrict, "district": obj.district}[obj.level]
        return area.name if area else ""


class SurveyRoundSerializer(serializers.ModelSerializer):
    area_id = serializers.SerializerMethodField()
    area_name = serializers.SerializerMethodField()

    class Meta:
        model = SurveyRound
        fields = ["id", "title", "level", "area_id", "area_name", "period_start", "period_end", "month", "status", "created_at"]

    def get_area_id(self, obj: SurveyRound) -> int:
        return obj.area.pk

    def get_area_name(self, obj: SurveyRound) -> str:
        return obj.area.name


class SurveyRoundCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=Level.choices)
    area_id = serializers.IntegerField(min_value=1)
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class SurveyResponseSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    overall = AnswerField(read_only=True)
    governance = AnswerField(read_only=True)
    environment = AnswerField(read_only=True)
    service = AnswerField(read_only=True)
    public_order = AnswerField(read_only=True)
    neighbours = AnswerField(read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "round",
            "unit",
            "unit_label",
            "compound",
            "compound_name",
            "overall",
            "governance",
            "environment",
            "service",
            "public_order",
            "neighbours",
            "comment",
            "source",
            "created_at",
        ]


class SurveyResponseCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, help_text=_("A unit you own in a compound the survey covers."))
    overall = AnswerField()
    governance = AnswerField()
    environment = AnswerField()
    service = AnswerField()
    public_order = AnswerField()
    neighbours = AnswerField()
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class SurveyImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("Excel workbook (.xlsx): 楼栋, 单元, 房号, 总体评价 and the five dimensions."))


class SurveyImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["imported", "duplicate", "refused"])
    reason = serializers.CharField()


class SurveyImportReportSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    refused = serializers.IntegerField()
    rows = SurveyImportRowSerializer(many=True)


class StarRatingRoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = StarRatingRound
        fields = [
            "id",
            "title",
            "district",
            "month_from",
            "month_to",
            "w_satisfaction",
            "w_inspection",
            "w_complaints",
            "w_rectification",
            "complaint_penalty",
            "cut_5",
            "cut_4",
            "cut_3",
            "cut_2",
            "status",
            "created_at",
            "published_at",
        ]
        read_only_fields = ["status", "created_at", "published_at"]


class StarRatingRoundCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    district = serializers.IntegerField(min_value=1)
    month_from = serializers.DateField()
    month_to = serializers.DateField()
    w_satisfaction = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, min_value=0)
    w_inspection = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, min_value=0)
    w_complaints = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, min_value=0)
    w_rectification = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, min_value=0)
    complaint_penalty = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, min_value=0)
    cut_5 = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    cut_4 = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    cut_3 = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    cut_2 = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)


class StarDistributionSerializer(serializers.Serializer):
    subdistrict = serializers.IntegerField()
    subdistrict_name = serializers.CharField()
    stars_5 = serializers.IntegerField()
    stars_4 = serializers.IntegerField()
    stars_3 = serializers.IntegerField()
    stars_2 = serializers.IntegerField()
    stars_1 = serializers.IntegerField()


class StarRatingSerializer(serializers.ModelSerializer):
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    subdistrict_name = serializers.CharField(source="compound.community.subdistrict.name", read_only=True)

    class Meta:
        model = StarRating
        fields = [
            "id",
            "round",
            "compound",
            "compound_name",
            "subdistrict_name",
            "satisfaction_rate",
            "inspection_score",
            "complaint_ratio",
            "rectification_rate",
            "score",
            "proposed_stars",
            "stars",
            "reason",
            "confirmed_at",
        ]


class StarRatingConfirmSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5, required=False, help_text=_("Leave out to confirm the proposal."))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class TargetSerializer(serializers.ModelSerializer):
    actual = serializers.SerializerMethodField()
    achieved = serializers.SerializerMethodField()
    on_track = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "district",
            "indicator",
            "direction",
            "baseline",
            "target",
            "baseline_from",
            "baseline_to",
            "month_from",
            "month_to",
            "note",
            "actual",
            "achieved",
            "on_track",
        ]

    def _status(self, obj):
        cache = self.context.setdefault("_status", {})
        if obj.pk not in cache:
            from ratings.selectors import target_status

            cache[obj.pk] = target_status(obj)
        return cache[obj.pk]

    def get_actual(self, obj) -> str | None:
        value = self._status(obj).actual
        return None if value is None else str(value.quantize(Decimal("0.000001")))

    def get_achieved(self, obj) -> bool:
        return self._status(obj).achieved

    def get_on_track(self, obj) -> bool:
        return self._status(obj).on_track


class TargetWriteSerializer(serializers.Serializer):
    district = serializers.IntegerField(min_value=1)
    indicator = serializers.ChoiceField(choices=Target.Indicator.choices)
    direction = serializers.ChoiceField(choices=Target.Direction.choices)
    baseline = serializers.DecimalField(max_digits=12, decimal_places=4, required=False, allow_null=True)
    target = serializers.DecimalField(max_digits=12, decimal_places=4)
    baseline_from = serializers.DateField(required=False, allow_null=True)
    baseline_to = serializers.DateField(required=False, allow_null=True)
    month_from = serializers.DateField()
    month_to = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class IndicatorSerializer(serializers.Serializer):
    """One entry of the indicator catalogue (ratings.indicators)."""

    key = serializers.CharField()
    name = serializers.CharField(help_text=_("In the request's language."))
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    month_name = serializers.CharField(help_text=_("The name of one month's value."))
    numerator = serializers.CharField(help_text=_("Snapshot field summed as the numerator."))
    numerator_label = serializers.CharField()
    denominator = serializers.CharField(allow_null=True, help_text=_("Snapshot field of the denominator; null for a count."))
    denominator_label = serializers.CharField(allow_null=True)
    unit = serializers.ChoiceField(choices=indicators.Unit.choices)
    better = serializers.ChoiceField(choices=indicators.Better.choices)
    rule = serializers.ChoiceField(choices=indicators.Rule.choices)
    rule_display = serializers.CharField()
    formula = serializers.CharField()
    definition = serializers.CharField()
    url = serializers.CharField(help_text=_("Its entry on the portal's definitions page."))

    def to_representation(self, instance: indicators.Indicator) -> dict:
        names = instance.names()
        return {
            "key": instance.key,
            "name": str(instance.name),
            "name_zh": names["zh-hans"],
            "name_en": names["en"],
            "month_name": instance.label(month=True),
            "numerator": instance.numerator,
            "numerator_label": str(instance.numerator_label),
            "denominator": instance.denominator,
            "denominator_label": None if instance.denominator_label is None else str(instance.denominator_label),
            "unit": instance.unit,
            "better": instance.better,
            "rule": instance.rule,
            "rule_display": instance.rule_display,
            "formula": instance.formula(),
            "definition": str(instance.definition),
            "url": indicators.definition_url(instance.key),
        }


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True, coerce_to_string=True)
    text = serializers.CharField(help_text=_("As the portal shows it (two decimals and a percent sign for rates)."))
    period = serializers.CharField(help_text=_("The period the value covers, as the portal names it."))
    numerator = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    denominator = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    month_from = serializers.DateField(allow_null=True)
    month_to = serializers.DateField(allow_null=True)
    partial = serializers.BooleanField(help_text=_("The value includes the current, unfinished month."))


class MetricSummaryQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    area = serializers.IntegerField(min_value=1)
    month_from = serializers.DateField(required=False, help_text=_("First month (default: eleven months before the last)."))
    month_to = serializers.DateField(required=False, help_text=_("Last month (default: the current month)."))
    partial = serializers.BooleanField(
        required=False, default=False, help_text=_("Include the current, unfinished month in monthly averages.")
    )

    def validate(self, attrs):
        if attrs.get("month_from") and attrs.get("month_to") and attrs["month_from"] > attrs["month_to"]:
            raise serializers.ValidationError({"month_from": _("The first month is after the last.")})
        return attrs


class MetricSummarySerializer(serializers.Serializer):
    level = serializers.CharField()
    area = serializers.IntegerField()
    area_name = serializers.CharField()
    month_from = serializers.DateField()
    month_to = serializers.DateField()
    period = serializers.CharField()
    partial_month = serializers.DateField(allow_null=True, help_text=_("The unfinished month inside the span, if any."))
    figures = FigureSerializer(many=True)


class EvaluationInputSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The indicator's key in the catalogue (GET /api/v1/indicators/{key}/)."))
    name = serializers.CharField()
    period = serializers.CharField(help_text=_("The period the figure covers."))
    value = serializers.DecimalField(max_digits=14, decimal_places=6, allow_null=True, help_text=_("The figure, exact."))
    text = serializers.CharField(help_text=_("The figure as the portal shows it."))
    points = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True, help_text=_("The figure on the 0–100 scale."))
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)


class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CompanyEvaluationSerializer(serializers.ModelSerializer):
    company = CompanyRefSerializer()
    inputs = serializers.SerializerMethodField()
    board = serializers.CharField(help_text=_("red (best), black (worst) or empty."))

    class Meta:
        model = CompanyEvaluation
        fields = ["id", "company", "rank", "score", "computed_score", "reason", "board", "compound_count", "households", "inputs"]

    @extend_schema_field(EvaluationInputSerializer(many=True))
    def get_inputs(self, obj: CompanyEvaluation) -> list[dict]:
        periods = self.context["periods"][obj.round_id]
        settings = self.context["settings"][obj.round_id]
        out = []
        for part in evaluation.breakdown(obj, settings):
            indicator = part["input"].indicator
            value = part["value"]
            out.append(
                {
                    "key": part["key"],
                    "name": indicator.label(),
                    "period": periods[part["key"]],
                    "value": None if value is None else Decimal(value),
                    "text": part["text"],
                    "points": None if part["points"] is None else Decimal(part["points"]).quantize(evaluation.PLACES),
                    "weight": part["weight"],
                }
            )
        return EvaluationInputSerializer(out, many=True).data


class EvaluationRoundSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name")
    period = serializers.SerializerMethodField(help_text=_("The months evaluated, as the portal names them."))
    results = serializers.SerializerMethodField(help_text=_("The companies you may see, best first."))

    class Meta:
        model = EvaluationRound
        fields = [
            "id",
            "title",
            "district",
            "district_name",
            "month_from",
            "month_to",
            "period",
            "w_complaint_ratio",
            "w_response",
            "w_resolution",
            "w_ticket_satisfaction",
            "w_satisfaction",
            "w_inspection",
            "w_rectification",
            "w_supervision",
            "complaint_penalty",
            "supervision_penalty",
            "board_size",
            "status",
            "published_at",
            "results",
        ]

    def get_period(self, obj: EvaluationRound) -> str:
        return self.context["round_periods"][obj.pk]

    @extend_schema_field(CompanyEvaluationSerializer(many=True))
    def get_results(self, obj: EvaluationRound) -> list[dict]:
        return CompanyEvaluationSerializer(obj.visible_results, many=True, context=self.context).data
