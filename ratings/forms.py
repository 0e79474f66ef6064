"""Portal forms of surveys, star rounds and targets: they parse input; the services decide and write."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from ratings.models import Level, Target


class MonthField(forms.DateField):
    """A month (`<input type="month">`, "2026-11"), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value) -> date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class SurveyRoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    area_id = forms.IntegerField(label=_("Area number"), min_value=1)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}))


def with_district_id(data: dict) -> dict:
    """The cleaned data as the services take it (`district` → `district_id`)."""
    return {("district_id" if k == "district" else k): v for k, v in data.items()}


class StarRoundForm(forms.Form):
    district = forms.TypedChoiceField(label=_("District"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=100)
    month_from = MonthField(label=_("First month"))
    month_to = MonthField(label=_("Last month"))

    def __init__(self, *args, districts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(d.pk, d.name) for d in districts]


class TargetForm(forms.Form):
    district = forms.TypedChoiceField(label=_("District"), coerce=int)
    indicator = forms.ChoiceField(label=_("Indicator"))
    direction = forms.ChoiceField(label=_("Direction"), choices=Target.Direction.choices)
    baseline = forms.DecimalField(label=_("Baseline (leave empty to compute it from the baseline months)"), required=False)
    baseline_from = MonthField(label=_("Baseline from month"), required=False)
    baseline_to = MonthField(label=_("Baseline to month"), required=False)
    target = forms.DecimalField(label=_("Target"))
    month_from = MonthField(label=_("Measured from month"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, districts, indicators: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(d.pk, d.name) for d in districts]
        self.fields["indicator"].choices = indicators
