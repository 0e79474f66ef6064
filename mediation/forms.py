"""Portal forms: they parse input only; services decide. Choice querysets are scoped to the user."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities import selectors as places
from core.portal import PlaceAutocomplete
from mediation import selectors
from mediation.models import (
    ActionItem,
    Attendee,
    CaseMediator,
    DeliberationRule,
    DisputeCase,
    DisputeParty,
    Hazard,
    LegalLiaison,
    Meeting,
    Venue,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Typed, not a select of every compound the user manages (a district has thousands): core.portal.PlaceAutocomplete.
COMPOUND = PlaceAutocomplete("compound", attrs={"placeholder": _("compound")})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class Form(forms.Form):
    """Refuses dates outside 2000–2100: far-off years overflow time-zone arithmetic downstream."""

    def clean(self):
        data = super().clean()
        for name, value in list((data or {}).items()):
            if isinstance(value, dt.date) and not 2000 <= value.year <= 2100:
                self.add_error(name, _("Give a date between 2000 and 2100."))
        return data


class ScopedForm(Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        managed = places.compounds_visible_to(user, roles=selectors.MANAGERS).order_by("community_id", "id")
        if "compound" in self.fields:
            self.fields["compound"].queryset = managed
        if "compounds" in self.fields:
            self.fields["compounds"].queryset = managed
        if "venue" in self.fields:
            self.fields["venue"].queryset = selectors.venues_visible_to(user).order_by("id")
        if "community" in self.fields:
            self.fields["community"].queryset = selectors.managed_communities(user).order_by("id")
        if "liaison" in self.fields:
            self.fields["liaison"].queryset = selectors.liaisons_visible_to(user).order_by("id")


class VenueForm(ScopedForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Venue.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, widget=COMPOUND, required=False)
    community = forms.ModelChoiceField(
        label=_("community"), queryset=None, required=False, widget=PlaceAutocomplete("community", attrs={"placeholder": _("community")})
    )
    address = forms.CharField(label=_("address"), max_length=200, required=False)


class RuleForm(ScopedForm):
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, widget=COMPOUND)
    venue = forms.ModelChoiceField(label=_("venue"), queryset=None, required=False)
    title = forms.CharField(label=_("title"), max_length=100)
    frequency = forms.ChoiceField(label=_("frequency"), choices=DeliberationRule.Frequency.choices)
    weekday = forms.TypedChoiceField(label=_("weekday"), choices=DeliberationRule.Weekday.choices, coerce=int, initial=5)
    positions = forms.CharField(label=_("weeks of the month"), required=False, initial="2,4", help_text=_("e.g. 2,4; -1 is the last"))
    interval = forms.IntegerField(label=_("every n weeks"), min_value=1, max_value=8, initial=1)
    start_date = forms.DateField(label=_("first day"), widget=DATE)
    end_date = forms.DateField(label=_("last day"), widget=DATE, required=False)
    start_time = forms.TimeField(label=_("starts at"), widget=TIME, initial="09:00")

    def clean_positions(self):
        raw = self.cleaned_data["positions"].replace("，", ",")
        try:
            return [int(p) for p in raw.split(",") if p.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Give numbers separated by commas.")) from exc


class MeetingForm(ScopedForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Meeting.Kind.choices)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, widget=COMPOUND)
    venue = forms.ModelChoiceField(label=_("venue"), queryset=None, required=False)
    title = forms.CharField(label=_("title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("starts at"), widget=DATETIME)
    status = forms.ChoiceField(label=_("status"), choices=Meeting.Status.choices)
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class MeetingUpdateForm(Form):
    prefix = "meeting"

    status = forms.ChoiceField(label=_("status"), choices=Meeting.Status.choices)
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 5}), required=False)


class AttendeeForm(Form):
    prefix = "attendee"

    name = forms.CharField(label=_("name"), max_length=50)
    party = forms.ChoiceField(label=_("represents"), choices=Attendee.Party.choices)
    organisation = forms.CharField(label=_("organisation"), max_length=100, required=False)


class TopicForm(Form):
    prefix = "topic"

    title = forms.CharField(label=_("topic"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class TopicDecisionForm(Form):
    ACTIONS = [
        ("accept", pgettext_lazy("topic decision", "accept")),
        ("settle", _("settle")),
        ("decline", _("decline")),
        ("merge", _("merge")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    text = forms.CharField(max_length=300, required=False)
    into = forms.IntegerField(required=False)


class ActionItemForm(Form):
    prefix = "item"

    title = forms.CharField(label=_("what"), max_length=200)
    owner_name = forms.CharField(label=pgettext_lazy("action item owner", "owner"), max_length=100)
    due_date = forms.DateField(label=_("due date"), widget=DATE)


class ActionItemStatusForm(Form):
    status = forms.ChoiceField(label=_("status"), choices=ActionItem.Status.choices)


class DisputeForm(ScopedForm):
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, widget=COMPOUND)
    type = forms.ChoiceField(label=_("type"), choices=DisputeCase.Type.choices)
    source = forms.ChoiceField(label=_("source"), choices=DisputeCase.Source.choices)
    summary = forms.CharField(label=_("summary"), max_length=300)
    registered_on = forms.DateField(label=_("registered on"), widget=DATE, required=False)
    applicant = forms.CharField(label=_("applicant"), max_length=100, required=False)
    respondent = forms.CharField(label=_("respondent"), max_length=100, required=False)
    mediator_kind = forms.ChoiceField(
        label=pgettext_lazy("case mediator", "mediator"), choices=[("", "—"), *CaseMediator.Kind.choices], required=False
    )
    mediator_name = forms.CharField(label=_("mediator's name"), max_length=100, required=False)

    def parties(self) -> list[dict]:
        sides = [("applicant", DisputeParty.Side.APPLICANT), ("respondent", DisputeParty.Side.RESPONDENT)]
        return [{"name": self.cleaned_data[f], "side": side} for f, side in sides if self.cleaned_data.get(f)]

    def mediators(self) -> list[dict]:
        if self.cleaned_data.get("mediator_kind") and self.cleaned_data.get("mediator_name"):
            return [{"kind": self.cleaned_data["mediator_kind"], "name": self.cleaned_data["mediator_name"]}]
        return []


class PartyForm(Form):
    prefix = "party"

    name = forms.CharField(label=_("name"), max_length=100)
    side = forms.ChoiceField(label=_("side"), choices=DisputeParty.Side.choices)


class MediatorForm(Form):
    prefix = "mediator"

    kind = forms.ChoiceField(label=_("kind"), choices=CaseMediator.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=100)


class SessionForm(Form):
    prefix = "session"

    held_on = forms.DateField(label=_("date"), widget=DATE)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CloseForm(Form):
    prefix = "close"

    outcome = forms.ChoiceField(label=_("outcome"), choices=DisputeCase.Outcome.choices)
    agreement_text = forms.CharField(label=_("agreement"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    note = forms.CharField(label=_("outcome note"), max_length=300, required=False)


class ConsultationForm(ScopedForm):
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, widget=COMPOUND)
    liaison = forms.ModelChoiceField(label=_("answered by"), queryset=None, required=False)
    given_on = forms.DateField(label=_("date"), widget=DATE, required=False)
    question = forms.CharField(label=_("question"), max_length=300)
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class LiaisonForm(ScopedForm):
    name = forms.CharField(label=_("name"), max_length=50)
    kind = forms.ChoiceField(label=_("kind"), choices=LegalLiaison.Kind.choices)
    organisation = forms.CharField(label=_("organisation"), max_length=100, required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    compounds = forms.ModelMultipleChoiceField(
        label=_("linked compounds"),
        queryset=None,
        widget=PlaceAutocomplete("compound", multiple=True, attrs={"placeholder": _("compound")}),
    )


class HazardResolveForm(Form):
    prefix = "hazard"

    status = forms.ChoiceField(label=_("status"), choices=[(Hazard.Status.HANDLED, _("handled")), (Hazard.Status.REFERRED, _("referred"))])
    outcome = forms.CharField(label=_("what became of it"), max_length=300)


class PeriodForm(Form):
    LEVELS = [("subdistrict", _("by town")), ("community", _("by community")), ("compound", _("by compound"))]
    start = forms.DateField(label=_("from"), widget=DATE, required=False)
    end = forms.DateField(label=_("to"), widget=DATE, required=False)
    level = forms.ChoiceField(label=_("level"), choices=LEVELS, required=False)
    monthly = forms.BooleanField(label=_("per month"), required=False)
