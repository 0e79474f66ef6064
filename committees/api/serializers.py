"""Input and output serializers of the committees API. Input serializers validate; services write."""

from decimal import ROUND_HALF_UP, Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from committees.models import Ballot, Candidate, Choice, Committee, CommitteeMember, Matter, Vote
from communities.models import Compound, Owner


class CompoundRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Compound
        fields = ["id", "name"]


class MemberSerializer(serializers.ModelSerializer):
    is_seated = serializers.BooleanField(read_only=True)
    is_cross_appointed = serializers.BooleanField(read_only=True)

    class Meta:
        model = CommitteeMember
        fields = [
            "id",
            "committee",
            "name",
            "role",
            "is_party_member",
            "is_retired_cadre",
            "is_deputy",
            "is_model_worker",
            "in_party_branch",
            "in_property_team",
            "is_cross_appointed",
            "seat_start",
            "seat_end",
            "is_seated",
            "candidate",
        ]


class CommitteeSerializer(serializers.ModelSerializer):
    compound = CompoundRefSerializer(read_only=True)
    seated_count = serializers.IntegerField(read_only=True)
    party_count = serializers.IntegerField(read_only=True)
    is_red = serializers.BooleanField(read_only=True)
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Committee
        fields = [
            "id",
            "compound",
            "status",
            "term_start",
            "term_end",
            "filed_on",
            "election",
            "seated_count",
            "party_count",
            "is_red",
            "members",
        ]


class CommitteeCreateSerializer(serializers.Serializer):
    compound = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[Committee.Status.PREPARING, Committee.Status.ACTIVE], default=Committee.Status.PREPARING)
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    filed_on = serializers.DateField(required=False, allow_null=True)


class CommitteeUpdateSerializer(serializers.Serializer):
    term_start = serializers.DateField(required=False)
    term_end = serializers.DateField(required=False)
    filed_on = serializers.DateField(required=False)


class MemberCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    role = serializers.ChoiceField(choices=CommitteeMember.Role.choices, default=CommitteeMember.Role.MEMBER)
    seat_start = serializers.DateField()
    owner = serializers.PrimaryKeyRelatedField(queryset=Owner.objects.all(), required=False, allow_null=True)
    is_party_member = serializers.BooleanField(default=False)
    is_retired_cadre = serializers.BooleanField(default=False)
    is_deputy = serializers.BooleanField(default=False)
    is_model_worker = serializers.BooleanField(default=False)
    in_party_branch = serializers.BooleanField(default=False)
    in_property_team = serializers.BooleanField(default=False)


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=CommitteeMember.Role.choices)


class MemberEndSerializer(serializers.Serializer):
    seat_end = serializers.DateField(required=False)


class DissolveSerializer(serializers.Serializer):
    on = serializers.DateField(required=False)


class CandidateSerializer(serializers.ModelSerializer):
    """Owners see the public card; managers also see vetting details (`get_fields` trims for owners)."""

    class Meta:
        model = Candidate
        fields = [
            "id",
            "compound",
            "vote",
            "name",
            "source",
            "is_party_member",
            "is_retired_cadre",
            "is_deputy",
            "is_model_worker",
            "statement",
            "vetting",
            "vetting_reason",
            "vetted_at",
        ]


class CandidateCreateSerializer(serializers.Serializer):
    compound = serializers.IntegerField()
    vote = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=50)
    source = serializers.ChoiceField(choices=Candidate.Source.choices)
    owner = serializers.PrimaryKeyRelatedField(queryset=Owner.objects.all(), required=False, allow_null=True)
    is_party_member = serializers.BooleanField(default=False)
    is_retired_cadre = serializers.BooleanField(default=False)
    is_deputy = serializers.BooleanField(default=False)
    is_model_worker = serializers.BooleanField(default=False)
    statement = serializers.CharField(required=False, allow_blank=True, default="")


class CandidateVetSerializer(serializers.Serializer):
    approved = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CandidatePlaceSerializer(serializers.Serializer):
    vote = serializers.IntegerField(allow_null=True)


class SourceCountSerializer(serializers.Serializer):
    source = serializers.CharField()
    label = serializers.CharField()
    total = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    pending = serializers.IntegerField()


class VoteSerializer(serializers.ModelSerializer):
    compound = CompoundRefSerializer(read_only=True)
    phase = serializers.CharField(read_only=True)
    article_item = serializers.IntegerField(read_only=True)

    class Meta:
        model = Vote
        fields = [
            "id",
            "compound",
            "matter",
            "article_item",
            "title",
            "description",
            "opens_at",
            "closes_at",
            "seats",
            "term_years",
            "status",
            "phase",
            "published_at",
            "certified_at",
        ]


class VoteCreateSerializer(serializers.Serializer):
    compound = serializers.IntegerField()
    matter = serializers.ChoiceField(choices=Matter.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class ElectionCreateSerializer(serializers.Serializer):
    compound = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    seats = serializers.IntegerField(min_value=1, max_value=99)
    term_years = serializers.IntegerField(min_value=1, max_value=5, default=5)


class MarkSerializer(serializers.Serializer):
    candidate = serializers.IntegerField()
    choice = serializers.ChoiceField(choices=Choice.choices)


class BallotCastSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Choice.choices, required=False, allow_null=True, help_text="Decisions only.")
    marks = MarkSerializer(many=True, required=False, help_text="Elections only: a choice per candidate; no mark = abstain.")


class PaperBallotSerializer(BallotCastSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=Owner.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class SignOffSerializer(serializers.Serializer):
    accept = serializers.BooleanField(default=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class BallotMarkOutSerializer(serializers.Serializer):
    candidate = serializers.IntegerField(source="candidate_id")
    choice = serializers.CharField()


class BallotSerializer(serializers.ModelSerializer):
    marks = BallotMarkOutSerializer(many=True, read_only=True)
    entry_label = serializers.CharField(source="entry.label", read_only=True)
    entry_area = serializers.DecimalField(source="entry.area", max_digits=14, decimal_places=2, read_only=True)
    entry_units = serializers.IntegerField(source="entry.unit_count", read_only=True)

    class Meta:
        model = Ballot
        fields = [
            "id",
            "vote",
            "entry",
            "entry_label",
            "entry_area",
            "entry_units",
            "owner",
            "channel",
            "choice",
            "marks",
            "status",
            "cast_at",
            "signed_off_at",
            "note",
        ]


class PairSerializer(serializers.Serializer):
    area = serializers.CharField(help_text="m², two decimals")
    heads = serializers.IntegerField()


class QuorumSerializer(serializers.Serializer):
    rule = serializers.CharField()
    required = PairSerializer()
    met_area = serializers.BooleanField()
    met_heads = serializers.BooleanField()
    met = serializers.BooleanField()


class ThresholdSerializer(serializers.Serializer):
    rule = serializers.CharField()
    fraction = serializers.CharField()
    inclusive = serializers.BooleanField()


class OptionSerializer(serializers.Serializer):
    approve = PairSerializer()
    oppose = PairSerializer()
    abstain = PairSerializer()
    required = PairSerializer(help_text="the least approval that passes")
    passes_area = serializers.BooleanField()
    passes_heads = serializers.BooleanField()
    passes = serializers.BooleanField()


class CandidateResultSerializer(OptionSerializer):
    candidate = serializers.IntegerField()
    name = serializers.CharField()
    source = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    elected = serializers.BooleanField()
    tied = serializers.BooleanField(help_text="tied at the last seat on area and heads: a run-off decides")


class TallySerializer(serializers.Serializer):
    vote = serializers.IntegerField()
    matter = serializers.CharField()
    article_item = serializers.IntegerField()
    register_frozen = serializers.BooleanField()
    eligible = PairSerializer()
    participating = PairSerializer()
    pending_paper_ballots = serializers.IntegerField()
    quorum = QuorumSerializer()
    threshold = ThresholdSerializer()
    options = OptionSerializer(many=True, required=False)
    seats = serializers.IntegerField(required=False)
    candidates = CandidateResultSerializer(many=True, required=False)
    elected = serializers.ListField(child=serializers.IntegerField(), required=False)
    runoff = serializers.ListField(child=serializers.IntegerField(), required=False)
    vacant_seats = serializers.IntegerField(required=False)
    verdict = serializers.ChoiceField(choices=["passed", "rejected", "no_quorum", "elected", "none_elected"])
    certified = serializers.BooleanField()


@extend_schema_field({"type": "string", "nullable": True, "example": "69.64"})
class PercentField(serializers.Field):
    """An exact percentage shown with two decimals ("69.64"); null without a denominator."""

    def to_representation(self, value):
        return None if value is None else str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class FormationSerializer(serializers.Serializer):
    eligible = serializers.IntegerField()
    with_active = serializers.IntegerField()
    without_active = serializers.IntegerField()
    preparing = serializers.IntegerField()
    active_committees = serializers.IntegerField()
    red_committees = serializers.IntegerField()
    ending_soon = serializers.IntegerField(help_text="active committees whose term ends within 90 days")
    formation_rate = PercentField(help_text="percent, two decimals")
    red_ratio = PercentField(help_text="percent, two decimals")


class CompoundLackingSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name")
    has_preparing = serializers.BooleanField()

    class Meta:
        model = Compound
        fields = ["id", "name", "community", "household_count", "has_preparing"]
