import django_filters

from ratings.models import Level, MetricSnapshot, StarRating, SurveyRound


class MetricFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    area = django_filters.NumberFilter(field_name="area_id")
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")
    compound = django_filters.NumberFilter(field_name="compound_id")
    community = django_filters.NumberFilter(field_name="community_id")
    subdistrict = django_filters.NumberFilter(field_name="subdistrict_id")

    class Meta:
        model = MetricSnapshot
        fields = ["level", "area", "month_from", "month_to", "compound", "community", "subdistrict"]


class SurveyFilter(django_filters.FilterSet):
    class Meta:
        model = SurveyRound
        fields = ["level", "status"]


class StarRatingFilter(django_filters.FilterSet):
    round = django_filters.NumberFilter(field_name="round_id")
    compound = django_filters.NumberFilter(field_name="compound_id")
    stars = django_filters.NumberFilter(field_name="stars")

    class Meta:
        model = StarRating
        fields = ["round", "compound", "stars"]
