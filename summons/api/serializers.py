from django.utils import timezone
from rest_framework import serializers

from summons.models import Commitment, Summons


class CitedFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    text = serializers.CharField()
    period = serializers.CharField()
    whose = serializers.CharField()


class CommitmentSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "order",
            "text",
            "deadline",
            "status",
            "status_display",
            "overdue",
            "answer",
            "answered_at",
            "review_comment",
            "reviewed_at",
            "done_on",
            "evidence",
        ]

    def get_overdue(self, obj: Commitment) -> bool:
        return obj.is_overdue(timezone.localdate())

    def get_evidence(self, obj: Commitment) -> list[int]:
        return [e.pk for e in obj.evidence.all()]


class SummonsSerializer(serializers.ModelSerializer):
    subject_name = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    figures = CitedFigureSerializer(many=True, read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta:
        model = Summons
        fields = [
            "id",
            "number",
            "subject",
            "subject_name",
            "company",
            "subdistrict",
            "held_on",
            "venue",
            "reason",
            "attendees",
            "figures",
            "complaints",
            "rectification_lists",
            "status",
            "status_display",
            "commitments",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=6)
