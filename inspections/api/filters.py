import django_filters
from django.utils import timezone

from inspections.models import Inspection, RectificationList


class InspectionFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compound_id")
    subdistrict = django_filters.NumberFilter(field_name="compound__community__subdistrict_id")
    inspected_after = django_filters.DateFilter(field_name="inspected_on", lookup_expr="gte")
    inspected_before = django_filters.DateFilter(field_name="inspected_on", lookup_expr="lte")

    class Meta:
        model = Inspection
        fields = ["compound", "subdistrict", "status", "inspected_after", "inspected_before"]


class RectificationListFilter(django_filters.FilterSet):
    compound = django_filters.NumberFilter(field_name="compound_id")
    company = django_filters.NumberFilter(field_name="company_id")
    subdistrict = django_filters.NumberFilter(field_name="compound__community__subdistrict_id")
    inspection = django_filters.NumberFilter(field_name="inspection_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="overdue")

    class Meta:
        model = RectificationList
        fields = ["compound", "company", "subdistrict", "inspection", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = RectificationList.objects.overdue(timezone.localdate()).values("id")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
