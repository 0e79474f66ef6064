"""Input serializers validate; services write; output serializers show. Input querysets are scoped
to the user (`ScopedInput`), so an id outside scope reads as "does not exist" and leaks nothing."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities import selectors as places
from communities.models import Community, Compound, Subdistrict, Unit
from complaints.models import Complaint
from mediation import selectors
from mediation.models import (
    ActionItem,
    Attendee,
    CaseMediator,
    DeliberationRule,
    DisputeCase,
    DisputeParty,
    Hazard,
    LegalConsultation,
    LegalLiaison,
    MediationSession,
    Meeting,
    PoliceCase,
    Screening,
    Topic,
    Venue,
)


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class ScopedInput(serializers.Serializer):
    """Limits each related-id input field to what the requesting user may see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        scoped = {
            "compound": places.compounds_for_api(user),
            "community": places.communities_visible_to(user),
            "subdistrict": places.subdistricts_visible_to(user),
            "venue": selectors.venues_visible_to(user),
            "workstation": selectors.venues_visible_to(user).filter(kind=Venue.Kind.JUDGES_WORKSTATION),
            "meeting": selectors.meetings_visible_to(user),
            "topic": selectors.topics_visible_to(user),
            "into": selectors.topics_visible_to(user),
            "liaison": selectors.liaisons_visible_to(user),
            "complaint": places.scope_by_compound(Complaint.objects.all(), user, roles=selectors.MANAGERS),
            "screening": selectors.screenings_visible_to(user),
            "unit": places.scope_by_compound(Unit.objects.all(), user, roles=selectors.MANAGERS),
            "compounds": places.compounds_visible_to(user, roles=selectors.MANAGERS),
        }
        for name, field in self.fields.items():
            target = getattr(field, "child_relation", field)
            if name in scoped and isinstance(target, serializers.PrimaryKeyRelatedField):
                target.queryset = scoped[name]


class SaneDateField(serializers.DateField):
    """A date in a plausible range (2000–2100): far-off years overflow time-zone arithmetic downstream."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not 2000 <= day.year <= 2100:
            raise serializers.ValidationError(_("Give a date between 2000 and 2100."))
        return day


class SaneDateTimeField(serializers.DateTimeField):
    def enforce_timezone(self, value):
        # Checked before DRF's own time-zone step, which itself overflows on year 1.
        if not 2000 <= value.year <= 2100:
            raise serializers.ValidationError(_("Give a date between 2000 and 2100."))
        return super().enforce_timezone(value)


def _pk(model, **kwargs):
    return serializers.PrimaryKeyRelatedField(queryset=model.objects.all(), **kwargs)


# --- venues and rules ---------------------------------------------------------------------------
class VenueSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Venue
        fields = ["id", "kind", "kind_display", "name", "compound", "community", "address", "is_active"]


class VenueCreateSerializer(ScopedInput):
    kind = serializers.ChoiceField(choices=Venue.Kind.choices)
    name = serializers.CharField(max_length=100)
    compound = _pk(Compound, required=False, allow_null=True)
    community = _pk(Community, required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RuleSerializer(serializers.ModelSerializer):
    rrule = serializers.CharField(source="rrule_text", read_only=True)

    class Meta:
        model = DeliberationRule
        fields = [
            "id",
            "compound",
            "venue",
            "title",
            "frequency",
            "weekday",
            "positions",
            "interval",
            "start_date",
            "end_date",
            "start_time",
            "is_active",
            "rrule",
        ]


class RuleCreateSerializer(ScopedInput):
    compound = _pk(Compound)
    venue = _pk(Venue, required=False, allow_null=True)
    title = serializers.CharField(max_length=100)
    frequency = serializers.ChoiceField(choices=DeliberationRule.Frequency.choices, default=DeliberationRule.Frequency.MONTHLY)
    weekday = serializers.ChoiceField(choices=DeliberationRule.Weekday.choices, default=DeliberationRule.Weekday.SATURDAY)
    positions = serializers.ListField(child=serializers.IntegerField(min_value=-1, max_value=5), required=False, default=list)
    interval = serializers.IntegerField(min_value=1, max_value=8, default=1)
    start_date = SaneDateField()
    end_date = SaneDateField(required=False, allow_null=True)
    start_time = serializers.TimeField(required=False)


class GenerateSerializer(serializers.Serializer):
    horizon_days = serializers.IntegerField(min_value=1, max_value=730, default=90)


class GenerateResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    removed = serializers.IntegerField()


# --- meetings -----------------------------------------------------------------------------------
class AttendeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendee
        fields = ["id", "name", "party", "organisation"]


class AttendeeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    party = serializers.ChoiceField(choices=Attendee.Party.choices)
    organisation = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class TopicSerializer(serializers.ModelSerializer):
    proposed_by_me = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id",
            "compound",
            "meeting",
            "title",
            "description",
            "status",
            "merged_into",
            "decline_reason",
            "resolution",
            "proposed_by_me",
            "created_at",
            "decided_at",
            "settled_at",
        ]

    def get_proposed_by_me(self, obj) -> bool:
        # Residents never see who else proposed a topic; they only learn which ones are theirs.
        user = _user(self)
        return bool(user and obj.proposed_by_id == user.pk)


class ActionItemSerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    compound = serializers.IntegerField(source="meeting.compound_id", read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "meeting", "compound", "topic", "title", "owner_name", "due_date", "status", "done_at", "note", "is_overdue"]


class MeetingSerializer(serializers.ModelSerializer):
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    four_parties_present = serializers.IntegerField(read_only=True)
    missing_parties = serializers.SerializerMethodField()
    attendees = AttendeeSerializer(many=True, read_only=True)
    topics = TopicSerializer(many=True, read_only=True)
    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "compound",
            "compound_name",
            "venue",
            "rule",
            "title",
            "starts_at",
            "status",
            "minutes",
            "four_parties_present",
            "missing_parties",
            "attendees",
            "topics",
            "action_items",
        ]

    def get_missing_parties(self, obj) -> list[str]:
        """For a four-party joint meeting: the parties not at the table (a held one with any missing is flagged)."""
        if obj.kind != Meeting.Kind.FOUR_PARTY:
            return []
        present = {a.party for a in obj.attendees.all()}
        return [p for p in Attendee.FOUR_PARTIES if p not in present]


class MeetingCreateSerializer(ScopedInput):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    compound = _pk(Compound)
    venue = _pk(Venue, required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    starts_at = SaneDateTimeField()
    status = serializers.ChoiceField(choices=Meeting.Status.choices, default=Meeting.Status.UPCOMING)
    minutes = serializers.CharField(required=False, default="", allow_blank=True)


class MeetingUpdateSerializer(ScopedInput):
    venue = _pk(Venue, required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False)
    starts_at = SaneDateTimeField(required=False)
    status = serializers.ChoiceField(choices=Meeting.Status.choices, required=False)
    minutes = serializers.CharField(required=False, allow_blank=True)


class TopicCreateSerializer(ScopedInput):
    compound = _pk(Compound)
    meeting = _pk(Meeting, required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, default="", allow_blank=True)


class MeetingTopicCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, default="", allow_blank=True)


class TopicAcceptSerializer(ScopedInput):
    meeting = _pk(Meeting, required=False, allow_null=True)


class TopicMergeSerializer(ScopedInput):
    into = _pk(Topic)


class TopicDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class TopicSettleSerializer(serializers.Serializer):
    resolution = serializers.CharField(required=False, default="", allow_blank=True)


class ActionItemCreateSerializer(ScopedInput):
    title = serializers.CharField(max_length=200)
    owner_name = serializers.CharField(max_length=100)
    due_date = SaneDateField()
    topic = _pk(Topic, required=False, allow_null=True)


class ActionItemStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionItem.Status.choices)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


# --- disputes -----------------------------------------------------------------------------------
class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = DisputeParty
        fields = ["id", "name", "side", "phone", "unit"]


class PartyInSerializer(ScopedInput):
    name = serializers.CharField(max_length=100)
    side = serializers.ChoiceField(choices=DisputeParty.Side.choices, default=DisputeParty.Side.APPLICANT)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    unit = _pk(Unit, required=False, allow_null=True)


class MediatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseMediator
        fields = ["id", "kind", "name", "liaison"]


class MediatorInSerializer(ScopedInput):
    kind = serializers.ChoiceField(choices=CaseMediator.Kind.choices)
    name = serializers.CharField(max_length=100)
    liaison = _pk(LegalLiaison, required=False, allow_null=True)


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediationSession
        fields = ["id", "held_on", "venue", "notes"]


class SessionInSerializer(ScopedInput):
    held_on = SaneDateField()
    venue = _pk(Venue, required=False, allow_null=True)
    notes = serializers.CharField(required=False, default="", allow_blank=True)


class DisputeSerializer(serializers.ModelSerializer):
    parties = PartySerializer(many=True, read_only=True)
    mediators = MediatorSerializer(many=True, read_only=True)
    sessions = SessionSerializer(many=True, read_only=True)

    class Meta:
        model = DisputeCase
        fields = [
            "id",
            "compound",
            "type",
            "source",
            "complaint",
            "meeting",
            "screening",
            "summary",
            "registered_on",
            "status",
            "outcome",
            "agreement_text",
            "outcome_note",
            "closed_on",
            "parties",
            "mediators",
            "sessions",
        ]


class DisputeCreateSerializer(ScopedInput):
    compound = _pk(Compound)
    type = serializers.ChoiceField(choices=DisputeCase.Type.choices)
    source = serializers.ChoiceField(choices=DisputeCase.Source.choices)
    summary = serializers.CharField(max_length=300)
    registered_on = SaneDateField(required=False)
    complaint = _pk(Complaint, required=False, allow_null=True)
    meeting = _pk(Meeting, required=False, allow_null=True)
    screening = _pk(Screening, required=False, allow_null=True)
    parties = PartyInSerializer(many=True)
    mediators = MediatorInSerializer(many=True, required=False, default=list)
    outcome = serializers.ChoiceField(choices=DisputeCase.Outcome.choices, required=False, default="")
    agreement_text = serializers.CharField(required=False, default="", allow_blank=True)
    outcome_note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    closed_on = SaneDateField(required=False, allow_null=True)


class DisputeCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DisputeCase.Outcome.choices)
    agreement_text = serializers.CharField(required=False, default="", allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    closed_on = SaneDateField(required=False, allow_null=True)


# --- legal links --------------------------------------------------------------------------------
class LiaisonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalLiaison
        fields = ["id", "name", "kind", "organisation", "phone", "compounds", "is_active"]


class LiaisonCreateSerializer(ScopedInput):
    name = serializers.CharField(max_length=50)
    kind = serializers.ChoiceField(choices=LegalLiaison.Kind.choices)
    organisation = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    compounds = _pk(Compound, many=True)


class ConsultationSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalConsultation
        fields = ["id", "compound", "liaison", "given_on", "question", "answer", "is_major"]


class ConsultationCreateSerializer(ScopedInput):
    compound = _pk(Compound)
    liaison = _pk(LegalLiaison, required=False, allow_null=True)
    given_on = SaneDateField(required=False)
    question = serializers.CharField(max_length=300)
    answer = serializers.CharField(required=False, default="", allow_blank=True)
    is_major = serializers.BooleanField(default=True)


class PoliceCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoliceCase
        fields = ["id", "compound", "liaison", "solved_on", "summary"]


class PoliceCaseCreateSerializer(ScopedInput):
    compound = _pk(Compound)
    liaison = _pk(LegalLiaison, required=False, allow_null=True)
    solved_on = SaneDateField(required=False)
    summary = serializers.CharField(max_length=300)


class HazardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hazard
        fields = ["id", "compound", "description", "severity", "status", "outcome", "handled_on"]


class HazardInSerializer(ScopedInput):
    compound = _pk(Compound)
    description = serializers.CharField(max_length=300)
    severity = serializers.ChoiceField(choices=Hazard.Severity.choices, default=Hazard.Severity.ORDINARY)


class HazardResolveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[Hazard.Status.HANDLED, Hazard.Status.REFERRED])
    outcome = serializers.CharField(max_length=300)
    handled_on = SaneDateField(required=False, allow_null=True)


class ScreeningSerializer(serializers.ModelSerializer):
    hazards = HazardSerializer(many=True, read_only=True)

    class Meta:
        model = Screening
        fields = ["id", "subdistrict", "workstation", "held_on", "compounds", "summary", "hazards"]


class ScreeningCreateSerializer(ScopedInput):
    subdistrict = _pk(Subdistrict)
    workstation = _pk(Venue)
    held_on = SaneDateField()
    compounds = _pk(Compound, many=True, required=False)
    summary = serializers.CharField(required=False, default="", allow_blank=True)
    hazards = HazardInSerializer(many=True, required=False, default=list)


# --- counts -------------------------------------------------------------------------------------
class CountsQuerySerializer(serializers.Serializer):
    start = SaneDateField(required=False)
    end = SaneDateField(required=False)
    level = serializers.ChoiceField(choices=["subdistrict", "community", "compound"], default="subdistrict")
    monthly = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        return attrs


def _counts_row_fields() -> dict:
    fields = {
        "area_id": serializers.IntegerField(),
        "area_name": serializers.CharField(),
        "month": serializers.DateField(allow_null=True),
    }
    fields.update({m: serializers.IntegerField() for m in selectors.METRICS})
    return fields


CountsRowSerializer = type("CountsRowSerializer", (serializers.Serializer,), _counts_row_fields())
CountsTotalsSerializer = type(
    "CountsTotalsSerializer", (serializers.Serializer,), {m: serializers.IntegerField() for m in selectors.METRICS}
)
CoverageSerializer = type("CoverageSerializer", (serializers.Serializer,), {m: serializers.IntegerField() for m in selectors.COVERAGE})


class CountsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    level = serializers.CharField()
    results = CountsRowSerializer(many=True)
    totals = CountsTotalsSerializer()
    coverage = CoverageSerializer()
