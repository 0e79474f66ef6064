"""Portal forms: they parse input; services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from committees.models import Candidate, Matter


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
