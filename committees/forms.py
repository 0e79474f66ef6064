"""Portal forms: they parse input; services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Candidate, Choice, Matter, Vote


class VoteForm(forms.Form):
    matter = forms.ChoiceField(label=_("Matter (Civil Code Art. 278)"), choices=Matter.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opens_at = forms.DateTimeField(label=_("Voting opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("Voting closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    seats = forms.IntegerField(label=_("Seats (elections only)"), required=False, min_value=1, max_value=99)


class CandidateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    source = forms.ChoiceField(label=_("Source"), choices=Candidate.Source.choices)
    is_party_member = forms.BooleanField(label=_("Party member"), required=False)
    is_retired_cadre = forms.BooleanField(label=_("retired cadre"), required=False)
    is_deputy = forms.BooleanField(label=_("people's congress deputy or CPPCC member"), required=False)
    is_model_worker = forms.BooleanField(label=_("model worker"), required=False)


class PaperBallotForm(forms.Form):
    """A paper ballot as entered by the committee or the community: the unit's address and the marks.

    A ballot that leaves approved candidates unmarked is legal (those candidates get no vote from it),
    but is most often a slip of the hand: it is refused once with a warning naming them, and entered
    when the person entering it ticks `confirm_unmarked` and submits again.
    """

    building = forms.CharField(label=_("Building"), max_length=20, widget=forms.TextInput(attrs={"placeholder": _("e.g. 1幢")}))
    entrance = forms.CharField(
        label=_("Entrance"), max_length=20, required=False, widget=forms.TextInput(attrs={"placeholder": _("e.g. 1单元")})
    )
    room = forms.CharField(label=_("Room"), max_length=20, widget=forms.TextInput(attrs={"placeholder": _("e.g. 101")}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    confirm_unmarked = forms.BooleanField(label=_("Enter it as it is: unmarked candidates get no vote from this ballot"), required=False)

    def __init__(self, *args, vote: Vote, candidates: list[Candidate], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        if vote.is_election:
            for c in candidates:
                self.fields[f"c{c.pk}"] = forms.ChoiceField(label=c.name, choices=Choice.choices, required=False, widget=forms.RadioSelect)
        else:
            self.fields["choice"] = forms.ChoiceField(label=_("Choice"), choices=Choice.choices, widget=forms.RadioSelect)

    def marks_fields(self) -> list[forms.BoundField]:
        return [self[f"c{c.pk}"] for c in self.candidates if f"c{c.pk}" in self.fields]

    def clean(self) -> dict:
        data = super().clean()
        unmarked = [c.name for c in self.candidates if f"c{c.pk}" in self.fields and not data.get(f"c{c.pk}")]
        if unmarked and not data.get("confirm_unmarked"):
            raise forms.ValidationError(
                _(
                    "%(n)d of %(total)d candidates are not marked: %(names)s. "
                    "Check the paper ballot; if it is right, tick the box below and enter it again."
                )
                % {"n": len(unmarked), "total": len(self.candidates), "names": "、".join(unmarked)},
                code="unmarked",
            )
        return data

    def asks_to_confirm(self) -> bool:
        return self.has_error(forms.forms.NON_FIELD_ERRORS, code="unmarked")

    def marks(self) -> list[dict]:
        return [{"candidate": c.pk, "choice": self.cleaned_data[f"c{c.pk}"]} for c in self.candidates if self.cleaned_data.get(f"c{c.pk}")]
