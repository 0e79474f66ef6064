"""Portal forms of rectification: they parse input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.portal import MultipleFileInput, PhotosField, PlaceAutocomplete
from inspections import services
from inspections.models import Finding, RectificationItem


class IdsField(forms.Field):
    """The ids of ticked checkboxes (`name` repeated); anything not a number is dropped, and the
    service decides which ids belong (its error lands next to this field)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        return [int(v) for v in values if str(v).isdigit()]


class InspectionForm(forms.Form):
    """Start an inspection: a compound of the official's area, the date, a summary. The compound is
    typed (suggestions from the official's compounds, never all of them in the page); the service
    checks the scope of what is posted (another area → 404)."""

    compound = forms.IntegerField(
        label=_("Compound"),
        widget=PlaceAutocomplete("compound", attrs={"placeholder": _("Compound")}),
        error_messages={"required": _("Choose a compound."), "invalid": _("Choose a compound.")},
    )
    inspected_on = forms.DateField(
        label=_("Inspection date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the inspection date."), "invalid": _("Give the inspection date.")},
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, compounds, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["compound"].widget.queryset = compounds
        self.fields["inspected_on"].initial = today
        self.fields["inspected_on"].widget.attrs["max"] = today.isoformat()


class ScoresForm(forms.Form):
    """The scores of a draft inspection: `score_<item id>` per checklist item (blank: not scored yet),
    each between 0 and the item's maximum with two decimals, and an optional `note_<item id>`."""

    def __init__(self, *args, items, scores: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            score = scores.get(item.pk)
            self.fields[f"score_{item.pk}"] = forms.DecimalField(
                label=item.code,
                required=False,
                min_value=0,
                max_value=item.max_score,
                decimal_places=2,
                initial=score.score if score else None,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "aria-label": item.code, "class": "score-input"}),
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def scores(self) -> list[services.ScoreInput]:
        data = self.cleaned_data
        return [
            services.ScoreInput(item_id=item.pk, score=data[f"score_{item.pk}"], note=data[f"note_{item.pk}"])
            for item in self.items
            if data[f"score_{item.pk}"] is not None
        ]


class FindingForm(forms.Form):
    """A finding of a draft inspection: the checklist item it cites (grouped by area), its severity,
    what was seen and where, and photos."""

    item = forms.TypedChoiceField(
        label=_("Checklist item"),
        coerce=int,
        error_messages={
            "required": _("Choose the checklist item the finding cites."),
            "invalid_choice": _("This item is not on the inspection's checklist."),
        },
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Finding.Severity.choices, initial=Finding.Severity.MINOR)
    description = forms.CharField(
        label=pgettext_lazy("inspection finding", "Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Describe the finding.")},
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        max_count=services.MAX_PHOTOS,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, areas, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            (area.name, [(item.pk, f"{item.code} {Truncator(item.description).chars(40)}") for item, _s in rows]) for area, rows in areas
        ]


class IssueForm(forms.Form):
    """Issue a rectification list from a submitted inspection: the findings (and complaints) it
    carries, the deadline and the requirements."""

    findings = IdsField(label=_("Findings to rectify"), required=False)
    complaints = IdsField(label=_("Attach complaints (optional)"), required=False)
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give a deadline."), "invalid": _("Give a deadline.")},
    )
    requirements = forms.CharField(label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].widget.attrs["min"] = timezone.localdate().isoformat()

    def ticked(self, name: str) -> set[int]:
        """The ids ticked in `name` (what was posted, else the initial ticks), for the checkbox lists."""
        value = self[name].value() or []
        return {int(v) for v in value if str(v).isdigit()}


class ReportForm(forms.Form):
    """The rectification report: per item of the list what was done (`action_<id>`) and photos
    (`photos_<id>`), then an overview of the whole rectification."""

    summary = forms.CharField(label=_("Overview"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items: list[RectificationItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"action_{item.pk}"] = forms.CharField(label=_("Action taken"), widget=forms.Textarea(attrs={"rows": 3}))
            self.fields[f"photos_{item.pk}"] = PhotosField(
                label=_("Photos after rectification"),
                max_count=services.MAX_PHOTOS,
                widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
            )
        # The overview closes the form, after the items.
        self.order_fields([*(f for i in items for f in (f"action_{i.pk}", f"photos_{i.pk}")), "summary"])

    def rows(self) -> list[tuple[RectificationItem, forms.BoundField, forms.BoundField]]:
        return [(item, self[f"action_{item.pk}"], self[f"photos_{item.pk}"]) for item in self.items]

    def actions(self) -> list[services.ActionInput]:
        data = self.cleaned_data
        return [
            services.ActionInput(item_id=item.pk, action=data[f"action_{item.pk}"], photos=data[f"photos_{item.pk}"]) for item in self.items
        ]
