import django_filters
from django import forms

from communities.models import Community, Compound, RoleAssignment, Unit


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number (NumberFilter alone would accept 1.5 and quietly match id 1)."""

    field_class = forms.IntegerField


def YesNoFilter(**kwargs) -> django_filters.TypedChoiceFilter:
    """true/false; anything else is a 400 naming the parameter instead of being silently ignored."""
    return django_filters.TypedChoiceFilter(choices=[("true", "true"), ("false", "false")], coerce=lambda v: v == "true", **kwargs)


class CompoundFilter(django_filters.FilterSet):
    subdistrict = IdFilter(field_name="community__subdistrict_id")
    community = IdFilter(field_name="community_id")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    is_old = YesNoFilter()
    has_party_branch = YesNoFilter()

    class Meta:
        model = Compound
        fields = ["subdistrict", "community", "name", "is_old", "has_party_branch"]


class CommunityFilter(django_filters.FilterSet):
    subdistrict = IdFilter(field_name="subdistrict_id")

    class Meta:
        model = Community
        fields = ["subdistrict"]


class UnitFilter(django_filters.FilterSet):
    compound = IdFilter(field_name="compound_id")

    class Meta:
        model = Unit
        fields = ["compound"]


class AccountFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(
        choices=[(r, r) for r in (RoleAssignment.Role.OFFICIAL, RoleAssignment.Role.MEDIATOR, RoleAssignment.Role.STAFF)]
    )
    is_active = YesNoFilter()
    company = IdFilter(field_name="company_id")

    class Meta:
        model = RoleAssignment
        fields = ["role", "is_active", "company"]
