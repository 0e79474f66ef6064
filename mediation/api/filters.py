import django_filters
from django.db.models import Q
from django.utils import timezone

from mediation.models import ActionItem, DisputeCase, LegalConsultation, LegalLiaison, Meeting, PoliceCase, Screening, Topic, Venue


class PlaceFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compound_id")
    community = django_filters.NumberFilter(field_name="compound__community_id")
    subdistrict = django_filters.NumberFilter(field_name="compound__community__subdistrict_id")


class VenueFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compound_id")
    community = django_filters.NumberFilter(method="filter_community")

    class Meta:
        model = Venue
        fields = ["kind", "is_active"]

    def filter_community(self, qs, name, value):
        return qs.filter(Q(community_id=value) | Q(compound__community_id=value))


class MeetingFilter(PlaceFilter):
    starts_after = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte")
    starts_before = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte")
    missing_parties = django_filters.BooleanFilter(method="filter_missing", label="held four-party meetings missing a party")

    class Meta:
        model = Meeting
        fields = ["kind", "status", "rule"]

    def filter_missing(self, qs, name, value):
        flagged = Q(kind=Meeting.Kind.FOUR_PARTY, status=Meeting.Status.HELD, four_parties_present__lt=4)
        return qs.filter(flagged) if value else qs.exclude(flagged)


class TopicFilter(PlaceFilter):
    mine = django_filters.BooleanFilter(method="filter_mine")

    class Meta:
        model = Topic
        fields = ["status", "meeting"]

    def filter_mine(self, qs, name, value):
        return qs.filter(proposed_by=self.request.user) if value else qs.exclude(proposed_by=self.request.user)


class ActionItemFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    compound = django_filters.NumberFilter(field_name="meeting__compound_id")

    class Meta:
        model = ActionItem
        fields = ["status", "meeting"]

    def filter_overdue(self, qs, name, value):
        overdue = Q(due_date__lt=timezone.localdate()) & ~Q(status=ActionItem.Status.DONE)
        return qs.filter(overdue) if value else qs.exclude(overdue)


class DisputeFilter(PlaceFilter):
    registered_after = django_filters.DateFilter(field_name="registered_on", lookup_expr="gte")
    registered_before = django_filters.DateFilter(field_name="registered_on", lookup_expr="lte")

    class Meta:
        model = DisputeCase
        fields = ["status", "type", "source", "outcome"]


class ConsultationFilter(PlaceFilter):
    given_after = django_filters.DateFilter(field_name="given_on", lookup_expr="gte")
    given_before = django_filters.DateFilter(field_name="given_on", lookup_expr="lte")

    class Meta:
        model = LegalConsultation
        fields = ["liaison", "is_major"]


class PoliceCaseFilter(PlaceFilter):
    class Meta:
        model = PoliceCase
        fields = ["liaison"]


class ScreeningFilter(django_filters.FilterSet):
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = Screening
        fields = ["subdistrict", "workstation"]


class LiaisonFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compounds", distinct=True)

    class Meta:
        model = LegalLiaison
        fields = ["kind", "is_active"]
