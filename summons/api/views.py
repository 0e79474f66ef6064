"""Summons API: the summonses a user may read (officials of the area, staff of the summoned company) and
the summoned party's answer to a commitment, with evidence files. Domain errors map to HTTP in core.api."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from summons import selectors, services
from summons.api import serializers
from summons.models import Commitment


class SummonsViewSet(viewsets.ReadOnlyModelViewSet):
    """Summonses (约谈) with their commitments; `POST commitments/{id}/answer/` answers one with evidence."""

    serializer_class = serializers.SummonsSerializer
    filterset_fields = ["status", "subject"]

    def get_queryset(self):
        commitments = Prefetch("commitments", queryset=Commitment.objects.prefetch_related("evidence").order_by("order"))
        return (
            selectors.summonses_visible_to(self.request.user)
            .select_related("company", "subdistrict")
            .prefetch_related(commitments, "complaints", "rectification_lists")
            .order_by("-held_on", "-id")
        )

    @extend_schema(request=serializers.AnswerSerializer, responses={200: serializers.CommitmentSerializer})
    @action(detail=False, methods=["post"], url_path=r"commitments/(?P<commitment_id>[0-9]+)/answer", parser_classes=[MultiPartParser])
    def answer(self, request, commitment_id=None):
        """The summoned party says what it did, with 1–6 image files as evidence (JPEG, PNG or WebP)."""
        data = serializers.AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        commitment = services.commitment_answer(
            actor=request.user, commitment_id=int(commitment_id), answer=data.validated_data["answer"], files=data.validated_data["files"]
        )
        return Response(serializers.CommitmentSerializer(commitment).data)
