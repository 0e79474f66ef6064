"""Input and output shapes of the inspections API. Input serializers validate; services write."""

import json
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inspections.models import (
    ChecklistArea,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionScore,
    RectificationItem,
    RectificationList,
    RectificationReport,
    ReportAction,
)


def _photo_urls(request, url_name: str, photos) -> list[str]:
    urls = [reverse(url_name, args=[p.pk]) for p in photos]
    return [request.build_absolute_uri(u) for u in urls] if request else urls


# --- Checklists -----------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "description", "max_score"]


class ChecklistAreaSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistArea
        fields = ["id", "code", "name", "items"]


class ChecklistTemplateSerializer(serializers.ModelSerializer):
    item_count = serializers.IntegerField(read_only=True)
    max_total = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "name", "version", "is_current", "source", "item_count", "max_total", "created_at"]


class ChecklistTemplateDetailSerializer(ChecklistTemplateSerializer):
    areas = ChecklistAreaSerializer(many=True, read_only=True)

    class Meta(ChecklistTemplateSerializer.Meta):
        fields = [*ChecklistTemplateSerializer.Meta.fields, "areas"]


# --- Inspections -----------------------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = InspectionScore
        fields = ["item", "item_code", "score", "max_score", "note"]


class FindingSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = ["id", "item", "item_code", "severity", "description", "location", "photos", "created_at"]

    def get_photos(self, obj: Finding) -> list[str]:
        return _photo_urls(self.context.get("request"), "inspection-finding-photo", obj.photos.all())


class InspectionSerializer(serializers.ModelSerializer):
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True, default=None)
    inspectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    scored_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "compound",
            "compound_name",
            "template",
            "inspected_on",
            "inspectors",
            "recorded_by",
            "company",
            "company_name",
            "summary",
            "status",
            "scored_count",
            "total_score",
            "max_total",
            "percentage",
            "created_at",
            "submitted_at",
        ]


class InspectionDetailSerializer(InspectionSerializer):
    scores = ScoreSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "scores", "findings"]


class InspectionCreateSerializer(serializers.Serializer):
    compound = serializers.IntegerField(min_value=1)
    inspected_on = serializers.DateField()
    inspectors = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=20)
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    template = serializers.IntegerField(min_value=1, required=False)


class InspectionUpdateSerializer(serializers.Serializer):
    inspected_on = serializers.DateField(required=False)
    inspectors = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=20, min_length=1)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ScoreInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ScoresInputSerializer(serializers.Serializer):
    scores = ScoreInputSerializer(many=True, allow_empty=False, max_length=500)


class FindingCreateSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    severity = serializers.ChoiceField(choices=Finding.Severity.choices, default=Finding.Severity.MINOR)
    description = serializers.CharField(max_length=2000)
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


# --- Rectification -------------------------------------------------------------------------------------


class RectificationItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationItem
        fields = ["id", "order", "description", "finding", "complaint"]


class RectificationListSerializer(serializers.ModelSerializer):
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True)
    issued_by_name = serializers.CharField(source="issued_by.__str__", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    closed_on_time = serializers.BooleanField(read_only=True)

    class Meta:
        model = RectificationList
        fields = [
            "id",
            "number",
            "inspection",
            "compound",
            "compound_name",
            "company",
            "company_name",
            "issued_by",
            "issued_by_name",
            "issued_at",
            "deadline",
            "requirements",
            "status",
            "is_overdue",
            "round_count",
            "accepted_at",
            "closed_on_time",
        ]

    def get_is_overdue(self, obj: RectificationList) -> bool:
        return obj.is_overdue(self.context.get("today") or timezone.localdate())


class RectificationListDetailSerializer(RectificationListSerializer):
    items = RectificationItemSerializer(many=True, read_only=True)

    class Meta(RectificationListSerializer.Meta):
        fields = [*RectificationListSerializer.Meta.fields, "items"]


class RectificationListIssueSerializer(serializers.Serializer):
    inspection = serializers.IntegerField(min_value=1)
    findings = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=200)
    complaints = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=50)
    deadline = serializers.DateField()
    requirements = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReportActionSerializer(serializers.ModelSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = ReportAction
        fields = ["item", "action", "photos"]

    def get_photos(self, obj: ReportAction) -> list[str]:
        return _photo_urls(self.context.get("request"), "inspection-action-photo", obj.photos.all())


class RectificationReportSerializer(serializers.ModelSerializer):
    actions = ReportActionSerializer(many=True, read_only=True)
    submitted_by_name = serializers.CharField(source="submitted_by.__str__", read_only=True)
    reviewed_by_name = serializers.CharField(source="reviewed_by.__str__", read_only=True, default=None)

    class Meta:
        model = RectificationReport
        fields = [
            "id",
            "round",
            "summary",
            "submitted_by",
            "submitted_by_name",
            "submitted_at",
            "decision",
            "reviewed_by",
            "reviewed_by_name",
            "reviewed_at",
            "review_comment",
            "actions",
        ]


@extend_schema_field(OpenApiTypes.STR)
class JSONListField(serializers.Field):
    """A JSON list given as a JSON value or, in a multipart form, as a JSON-encoded string."""

    default_error_messages = {"invalid": _("Give a JSON list.")}

    def to_internal_value(self, data):
        if isinstance(data, str | bytes):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, list):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class ActionInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    action = serializers.CharField(max_length=2000)


class ReportCreateSerializer(serializers.Serializer):
    """multipart/form-data: `summary`, `actions` = JSON list of {"item": <rectification item id>,
    "action": "what was done"} (one per item of the list), and photo files under `photos_<item id>`."""

    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    actions = JSONListField(help_text='JSON list: [{"item": 12, "action": "已更换消防水带"}, ...]')

    def validate_actions(self, value):
        rows = ActionInputSerializer(data=value, many=True)
        rows.is_valid(raise_exception=True)
        return rows.validated_data


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("accept", pgettext_lazy("inspection review", "accept")), ("return", _("return"))])
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class FigureRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    issued = serializers.IntegerField()
    closed_on_time = serializers.IntegerField()
    closed_late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    open = serializers.IntegerField()
    due = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class FigureTotalSerializer(serializers.Serializer):
    issued = serializers.IntegerField()
    closed_on_time = serializers.IntegerField()
    closed_late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    open = serializers.IntegerField()
    due = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class FiguresSerializer(serializers.Serializer):
    by = serializers.CharField()
    rows = FigureRowSerializer(many=True)
    total = FigureTotalSerializer()


class FiguresQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=["town", "company", "compound"], default="town")
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
