"""The one FilterSet of the complaint lists (API, portal queue and exports share it)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Compound, Subdistrict
from complaints import selectors
from complaints.models import Category, Complaint


class ComplaintFilter(django_filters.FilterSet):
    # distinct=False: status is a column of the row (no join to repeat it), and DISTINCT would defeat the list index.
    status = django_filters.MultipleChoiceFilter(choices=Complaint.Status.choices, distinct=False, label=_("status"))
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("category"))
    compound = django_filters.ModelChoiceFilter(queryset=Compound.objects.all(), label=_("compound"))
    community = django_filters.ModelChoiceFilter(field_name="compound__community", queryset=Community.objects.all(), label=_("community"))
    subdistrict = django_filters.ModelChoiceFilter(
        field_name="compound__community__subdistrict", queryset=Subdistrict.objects.all(), label=_("town / subdistrict")
    )
    channel = django_filters.ChoiceFilter(choices=Complaint.Channel.choices, label=_("channel"))
    overdue = django_filters.BooleanFilter(field_name="is_overdue", label=_("overdue"))
    due_soon = django_filters.BooleanFilter(method="filter_due_soon", label=_("deadline within 4 working hours"))
    supervised = django_filters.BooleanFilter(method="filter_supervised", label=_("supervision notice awaiting an answer"))
    made_from = django_filters.DateFilter(field_name="made_at", lookup_expr="date__gte", label=_("made from"))
    made_to = django_filters.DateFilter(field_name="made_at", lookup_expr="date__lte", label=_("made until"))
    q = django_filters.CharFilter(method="search", label=_("search"))
    ordering = django_filters.OrderingFilter(
        fields=(("made_at", "made_at"), ("resolve_due", "resolve_due"), ("is_overdue", "overdue"), ("status", "status"), ("id", "id")),
        label=_("ordering"),
    )

    class Meta:
        model = Complaint
        fields = [
            "status", "category", "compound", "community", "subdistrict", "channel",
            "overdue", "due_soon", "supervised", "made_from", "made_to", "q",
        ]  # fmt: skip

    @classmethod
    def for_user(cls, data, *, queryset, user) -> "ComplaintFilter":
        """The same filters with choice lists narrowed to the user's scope (for the portal's form)."""
        from communities.selectors import communities_visible_to, compounds_visible_to, subdistricts_visible_to

        filterset = cls(data, queryset=queryset)
        fields = filterset.form.fields
        fields["compound"].queryset = compounds_visible_to(user).order_by("name")
        fields["community"].queryset = communities_visible_to(user).order_by("name")
        fields["subdistrict"].queryset = subdistricts_visible_to(user).order_by("id")
        fields["category"].queryset = Category.objects.filter(is_active=True)
        return filterset

    def filter_due_soon(self, queryset, name, value):
        if value is None:
            return queryset
        q = selectors.due_soon_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_supervised(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(supervised=True, supervision_answered=False)
        return queryset.filter(q) if value else queryset.exclude(q)

    def search(self, queryset, name, value):
        # Chinese has no word boundaries: a plain substring match (ILIKE) is what residents expect.
        value = value.strip()
        if not value:
            return queryset
        # Numbers are upper case: an exact match on either spelling reads the unique index on `number`
        # (iexact would be UPPER(number), which no index serves); description and location have trigram
        # indexes on UPPER(…) (migrations 0005, 0010), so a rare word is a BitmapOr, not a scan of every row.
        return queryset.filter(Q(description__icontains=value) | Q(number__in={value, value.upper()}) | Q(location__icontains=value))
