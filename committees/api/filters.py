import django_filters

from committees.models import Ballot, Candidate, Committee, CommitteeMember, Matter, Vote


class CommitteeFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compound_id")
    subdistrict = django_filters.NumberFilter(field_name="compound__community__subdistrict_id")
    community = django_filters.NumberFilter(field_name="compound__community_id")
    status = django_filters.ChoiceFilter(choices=Committee.Status.choices)
    red = django_filters.BooleanFilter(field_name="red", label="red committee")

    class Meta:
        model = Committee
        fields = ["compound", "subdistrict", "community", "status", "red"]


class MemberFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id")
    role = django_filters.ChoiceFilter(choices=CommitteeMember.Role.choices)
    seated = django_filters.BooleanFilter(field_name="seat_end", lookup_expr="isnull", label="seated now")

    class Meta:
        model = CommitteeMember
        fields = ["committee", "role", "seated"]


class VoteFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compound_id")
    status = django_filters.ChoiceFilter(choices=Vote.Status.choices)
    matter = django_filters.ChoiceFilter(choices=Matter.choices)

    class Meta:
        model = Vote
        fields = ["compound", "status", "matter"]


class CandidateFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compound_id")
    subdistrict = django_filters.NumberFilter(field_name="compound__community__subdistrict_id")
    vote = django_filters.NumberFilter(field_name="vote_id")
    source = django_filters.ChoiceFilter(choices=Candidate.Source.choices)
    vetting = django_filters.ChoiceFilter(choices=Candidate.Vetting.choices)

    class Meta:
        model = Candidate
        fields = ["compound", "subdistrict", "vote", "source", "vetting"]


class BallotFilter(django_filters.FilterSet):
    vote = django_filters.NumberFilter(field_name="vote_id")
    status = django_filters.ChoiceFilter(choices=Ballot.Status.choices)
    channel = django_filters.ChoiceFilter(choices=Ballot.Channel.choices)

    class Meta:
        model = Ballot
        fields = ["vote", "status", "channel"]
