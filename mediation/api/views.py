"""REST API of deliberation and mediation. Every get_queryset() starts from a selector; every write
is one service call (domain errors become HTTP in core.api)."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from mediation import selectors, services
from mediation.api import filters
from mediation.api import serializers as s


def _valid(serializer_class, request, **kwargs):
    data = serializer_class(data=request.data, context={"request": request}, **kwargs)
    data.is_valid(raise_exception=True)
    return data.validated_data


class _Base(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def _created(self, obj):
        return Response(self.get_serializer_class()(obj, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    def _out(self, obj, serializer_class=None):
        cls = serializer_class or self.serializer_class
        return Response(cls(obj, context=self.get_serializer_context()).data)


class VenueViewSet(_Base):
    """Venues (议事亭, 居民议事厅, 业主茶馆, 民情收集站, 法官工作站) of a compound or a community."""

    serializer_class = s.VenueSerializer
    filterset_class = filters.VenueFilter
    search_fields = ["name", "address"]

    def get_queryset(self):
        return selectors.venues_visible_to(self.request.user).order_by("id")

    @extend_schema(request=s.VenueCreateSerializer, responses={201: s.VenueSerializer})
    def create(self, request):
        venue = services.venue_create(actor=request.user, **_valid(s.VenueCreateSerializer, request))
        return self._created(venue)


class RuleViewSet(_Base):
    """Deliberation-day rules (议事日) of compounds; creating one generates its sessions."""

    serializer_class = s.RuleSerializer
    filterset_fields = ["compound", "is_active", "frequency"]

    def get_queryset(self):
        return selectors.rules_visible_to(self.request.user).order_by("id")

    @extend_schema(request=s.RuleCreateSerializer, responses={201: s.RuleSerializer})
    def create(self, request):
        rule = services.rule_create(actor=request.user, **_valid(s.RuleCreateSerializer, request))
        return self._created(rule)

    @extend_schema(request=s.GenerateSerializer, responses={200: s.GenerateResultSerializer})
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """Regenerate the rule's upcoming sessions for the horizon (idempotent)."""
        rule = self.get_object()
        created, removed = services.rule_regenerate(actor=request.user, rule_id=rule.pk, **_valid(s.GenerateSerializer, request))
        return Response({"created": created, "removed": removed})


class MeetingViewSet(mixins.UpdateModelMixin, _Base):
    """Meetings with their agenda (topics), attendees and action items. `missing_parties` flags four-party meetings."""

    serializer_class = s.MeetingSerializer
    filterset_class = filters.MeetingFilter
    search_fields = ["title", "minutes"]
    ordering_fields = ["starts_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            selectors.meetings_visible_to(self.request.user)
            .prefetch_related("attendees", "topics", "action_items")
            .order_by("-starts_at", "-id")
        )

    @extend_schema(request=s.MeetingCreateSerializer, responses={201: s.MeetingSerializer})
    def create(self, request):
        meeting = services.meeting_create(actor=request.user, **_valid(s.MeetingCreateSerializer, request))
        return self._created(self.get_queryset().get(pk=meeting.pk))

    @extend_schema(request=s.MeetingUpdateSerializer, responses={200: s.MeetingSerializer})
    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        changes = _valid(s.MeetingUpdateSerializer, request)
        services.meeting_update(actor=request.user, meeting_id=meeting.pk, **changes)
        return self._out(self.get_queryset().get(pk=meeting.pk))

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.http_method_not_allowed(request)

    @extend_schema(methods=["get"], responses={200: s.TopicSerializer(many=True)})
    @extend_schema(methods=["post"], request=s.MeetingTopicCreateSerializer, responses={201: s.TopicSerializer})
    @action(detail=True, methods=["get", "post"])
    def topics(self, request, pk=None):
        """The meeting's agenda; POST proposes a topic (residents: for their own compound's meetings)."""
        meeting = self.get_object()
        if request.method == "GET":
            topics = selectors.topics_visible_to(request.user).filter(meeting=meeting).order_by("id")
            return Response(s.TopicSerializer(topics, many=True, context=self.get_serializer_context()).data)
        data = _valid(s.MeetingTopicCreateSerializer, request)
        topic = services.topic_propose(actor=request.user, compound=meeting.compound, meeting=meeting, **data)
        return Response(s.TopicSerializer(topic, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AttendeeCreateSerializer, responses={201: s.AttendeeSerializer})
    @action(detail=True, methods=["post"])
    def attendees(self, request, pk=None):
        meeting = self.get_object()
        attendee = services.attendee_add(actor=request.user, meeting_id=meeting.pk, **_valid(s.AttendeeCreateSerializer, request))
        return Response(s.AttendeeSerializer(attendee).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ActionItemCreateSerializer, responses={201: s.ActionItemSerializer})
    @action(detail=True, methods=["post"], url_path="action-items")
    def action_items(self, request, pk=None):
        meeting = self.get_object()
        item = services.action_item_add(actor=request.user, meeting_id=meeting.pk, **_valid(s.ActionItemCreateSerializer, request))
        return Response(s.ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


class TopicViewSet(_Base):
    """Agenda topics: residents propose for compounds they own a unit in; staff accept, merge or decline, then settle."""

    serializer_class = s.TopicSerializer
    filterset_class = filters.TopicFilter
    search_fields = ["title", "description"]

    def get_queryset(self):
        return selectors.topics_visible_to(self.request.user).order_by("-id")

    @extend_schema(request=s.TopicCreateSerializer, responses={201: s.TopicSerializer})
    def create(self, request):
        topic = services.topic_propose(actor=request.user, **_valid(s.TopicCreateSerializer, request))
        return self._created(topic)

    @extend_schema(request=s.TopicAcceptSerializer, responses={200: s.TopicSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        topic = self.get_object()
        return self._out(services.topic_accept(actor=request.user, topic_id=topic.pk, **_valid(s.TopicAcceptSerializer, request)))

    @extend_schema(request=s.TopicMergeSerializer, responses={200: s.TopicSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        topic = self.get_object()
        return self._out(services.topic_merge(actor=request.user, topic_id=topic.pk, **_valid(s.TopicMergeSerializer, request)))

    @extend_schema(request=s.TopicDeclineSerializer, responses={200: s.TopicSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        topic = self.get_object()
        return self._out(services.topic_decline(actor=request.user, topic_id=topic.pk, **_valid(s.TopicDeclineSerializer, request)))

    @extend_schema(request=s.TopicSettleSerializer, responses={200: s.TopicSerializer})
    @action(detail=True, methods=["post"])
    def settle(self, request, pk=None):
        topic = self.get_object()
        return self._out(services.topic_settle(actor=request.user, topic_id=topic.pk, **_valid(s.TopicSettleSerializer, request)))


class ActionItemViewSet(_Base):
    """Action items of meetings; `?overdue=true` is the dashboard's list."""

    serializer_class = s.ActionItemSerializer
    filterset_class = filters.ActionItemFilter

    def get_queryset(self):
        return selectors.action_items_visible_to(self.request.user).order_by("due_date", "id")

    @extend_schema(request=s.ActionItemStatusSerializer, responses={200: s.ActionItemSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        item = self.get_object()
        data = _valid(s.ActionItemStatusSerializer, request)
        return self._out(services.action_item_set_status(actor=request.user, item_id=item.pk, **data))


class DisputeViewSet(_Base):
    """Dispute cases (矛盾纠纷) with parties, mediators, sessions and outcome."""

    serializer_class = s.DisputeSerializer
    filterset_class = filters.DisputeFilter
    search_fields = ["summary"]

    def get_queryset(self):
        return selectors.disputes_visible_to(self.request.user).prefetch_related("parties", "mediators", "sessions").order_by("-id")

    @extend_schema(request=s.DisputeCreateSerializer, responses={201: s.DisputeSerializer})
    def create(self, request):
        case = services.dispute_create(actor=request.user, **_valid(s.DisputeCreateSerializer, request))
        return self._created(self.get_queryset().get(pk=case.pk))

    @extend_schema(request=s.PartyInSerializer, responses={201: s.PartySerializer})
    @action(detail=True, methods=["post"])
    def parties(self, request, pk=None):
        case = self.get_object()
        party = services.dispute_party_add(actor=request.user, case_id=case.pk, **_valid(s.PartyInSerializer, request))
        return Response(s.PartySerializer(party).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MediatorInSerializer, responses={201: s.MediatorSerializer})
    @action(detail=True, methods=["post"])
    def mediators(self, request, pk=None):
        case = self.get_object()
        mediator = services.dispute_mediator_add(actor=request.user, case_id=case.pk, **_valid(s.MediatorInSerializer, request))
        return Response(s.MediatorSerializer(mediator).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SessionInSerializer, responses={201: s.SessionSerializer})
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        case = self.get_object()
        session = services.dispute_session_add(actor=request.user, case_id=case.pk, **_valid(s.SessionInSerializer, request))
        return Response(s.SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DisputeCloseSerializer, responses={200: s.DisputeSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = self.get_object()
        services.dispute_close(actor=request.user, case_id=case.pk, **_valid(s.DisputeCloseSerializer, request))
        return self._out(self.get_queryset().get(pk=case.pk))


class LiaisonViewSet(_Base):
    """Legal workers and police officers linked to compounds (公检法司挂钩)."""

    serializer_class = s.LiaisonSerializer
    filterset_class = filters.LiaisonFilter
    search_fields = ["name", "organisation"]

    def get_queryset(self):
        return selectors.liaisons_visible_to(self.request.user).prefetch_related("compounds").order_by("id")

    @extend_schema(request=s.LiaisonCreateSerializer, responses={201: s.LiaisonSerializer})
    def create(self, request):
        liaison = services.liaison_create(actor=request.user, **_valid(s.LiaisonCreateSerializer, request))
        return self._created(liaison)


class ConsultationViewSet(_Base):
    """The legal-consultation log."""

    serializer_class = s.ConsultationSerializer
    filterset_class = filters.ConsultationFilter
    search_fields = ["question"]

    def get_queryset(self):
        return selectors.consultations_visible_to(self.request.user).order_by("-given_on", "-id")

    @extend_schema(request=s.ConsultationCreateSerializer, responses={201: s.ConsultationSerializer})
    def create(self, request):
        return self._created(services.consultation_create(actor=request.user, **_valid(s.ConsultationCreateSerializer, request)))


class PoliceCaseViewSet(_Base):
    """Cases solved by police officers linked to compounds."""

    serializer_class = s.PoliceCaseSerializer
    filterset_class = filters.PoliceCaseFilter

    def get_queryset(self):
        return selectors.police_cases_visible_to(self.request.user).order_by("-solved_on", "-id")

    @extend_schema(request=s.PoliceCaseCreateSerializer, responses={201: s.PoliceCaseSerializer})
    def create(self, request):
        return self._created(services.police_case_create(actor=request.user, **_valid(s.PoliceCaseCreateSerializer, request)))


class ScreeningViewSet(_Base):
    """Judges' workstation screenings per town, with the hazards found and what became of them."""

    serializer_class = s.ScreeningSerializer
    filterset_class = filters.ScreeningFilter

    def get_queryset(self):
        return selectors.screenings_visible_to(self.request.user).prefetch_related("compounds", "hazards").order_by("-held_on", "-id")

    @extend_schema(request=s.ScreeningCreateSerializer, responses={201: s.ScreeningSerializer})
    def create(self, request):
        screening = services.screening_create(actor=request.user, **_valid(s.ScreeningCreateSerializer, request))
        return self._created(self.get_queryset().get(pk=screening.pk))

    @extend_schema(request=s.HazardInSerializer, responses={201: s.HazardSerializer})
    @action(detail=True, methods=["post"])
    def hazards(self, request, pk=None):
        screening = self.get_object()
        hazard = services.hazard_add(actor=request.user, screening_id=screening.pk, **_valid(s.HazardInSerializer, request))
        return Response(s.HazardSerializer(hazard).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.HazardResolveSerializer,
        responses={200: s.HazardSerializer},
        parameters=[OpenApiParameter("hazard_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"hazards/(?P<hazard_id>\d+)/resolve")
    def resolve_hazard(self, request, pk=None, hazard_id=None):
        screening = self.get_object()
        hazard = get_object_or_404(selectors.hazards_visible_to(request.user).filter(screening=screening), pk=hazard_id)
        hazard = services.hazard_resolve(actor=request.user, hazard_id=hazard.pk, **_valid(s.HazardResolveSerializer, request))
        return Response(s.HazardSerializer(hazard).data)


def default_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """This year so far, unless given."""
    today = timezone.localdate()
    return start or today.replace(month=1, day=1), end or today


class CountsView(APIView):
    """What the district reports, by town (or community, or compound) and period: meetings held by kind,
    topics settled, micro-consultations, disputes resolved, consultations, police cases, screenings and hazards."""

    @extend_schema(parameters=[s.CountsQuerySerializer], responses={200: s.CountsSerializer})
    def get(self, request):
        query = s.CountsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = default_period(query.validated_data.get("start"), query.validated_data.get("end"))
        level = query.validated_data["level"]
        rows = selectors.counts_by_area(request.user, start=start, end=end, level=level, monthly=query.validated_data["monthly"])
        results = [{"area_id": r["area"].pk, "area_name": r["area"].name, **{k: v for k, v in r.items() if k != "area"}} for r in rows]
        body = {
            "start": start,
            "end": end,
            "level": level,
            "results": results,
            "totals": selectors.totals(rows),
            "coverage": selectors.coverage(request.user),
        }
        return Response(s.CountsSerializer(body).data)
