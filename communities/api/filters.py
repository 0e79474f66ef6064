import django_filters

from communities.models import Community, Compound, Unit


class CompoundFilter(django_filters.FilterSet):
    subdistrict = django_filters.NumberFilter(field_name="community__subdistrict_id")
    community = django_filters.NumberFilter(field_name="community_id")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    is_old = django_filters.BooleanFilter()
    has_party_branch = django_filters.BooleanFilter()

    class Meta:
        model = Compound
        fields = ["subdistrict", "community", "name", "is_old", "has_party_branch"]


class CommunityFilter(django_filters.FilterSet):
    subdistrict = django_filters.NumberFilter(field_name="subdistrict_id")

    class Meta:
        model = Community
        fields = ["subdistrict"]


class UnitFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compound_id")

    class Meta:
        model = Unit
        fields = ["compound"]
