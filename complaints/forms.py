"""Portal forms of the complaint page, one per workflow step: they parse input; the services decide.

Each form carries the button it is submitted with; `step_form` builds the form of a step (bound on a
POST) with ids prefixed by the step (`resolve-note`), so every step's fields stay distinct on one page.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Community, PropertyCompany
from complaints import services
from complaints.models import Complaint
from core.portal import PhotosField


def _note(label, *, required: bool = True, rows: int = 2) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, max_length=services.NOTE_MAX, required=required, widget=widget)


class StepForm(forms.Form):
    intro = ""
    button = ""
    button_class = ""


class AcceptForm(StepForm):
    intro = _("Sign for this complaint: your company takes it on.")
    button = _("Sign for")
    button_class = "primary"


class ResolveForm(StepForm):
    note = _note(_("What was done"), rows=3)
    photos = PhotosField(label=_("Photos (up to 6)"), required=False)
    button = _("Resolve")
    button_class = "primary"


class ReturnForm(StepForm):
    reason = forms.CharField(
        label=_("Why return it"),
        max_length=services.NOTE_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("Not our compound / not our duty")}),
    )
    button = _("Return")
    button_class = "danger"


class AnswerForm(StepForm):
    note = _note(_("Answer to the supervision notice"))
    button = _("Answer")
    button_class = "primary"


class ConfirmForm(StepForm):
    rating = forms.ChoiceField(label=_("Your rating"), choices=Complaint.Rating.choices)
    note = _note(_("Note"), required=False, rows=0)
    button = _("Confirm")
    button_class = "primary"


class ReopenForm(StepForm):
    note = _note(_("What is still wrong"), required=False, rows=0)
    button = _("Reopen")
    button_class = "danger"


class SuperviseForm(StepForm):
    note = _note(_("Supervision notice"))
    button = _("Supervise")
    button_class = "primary"


class ExtendForm(StepForm):
    days = forms.IntegerField(label=_("Extend by (working days)"), min_value=1, max_value=30, initial=3)
    reason = _note(_("Reason"), rows=0)
    button = _("Extend once")


class ReassignForm(StepForm):
    company = forms.ModelChoiceField(label=_("Reassign to a company"), queryset=PropertyCompany.objects.none(), required=False)
    community = forms.ModelChoiceField(label=_("or to the community"), queryset=Community.objects.none(), required=False)
    note = _note(_("Note"), required=False, rows=0)
    button = _("Reassign")

    def __init__(self, *args, complaint: Complaint, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any company of the district may take it over; the community is the compound's own.
        self.fields["company"].queryset = PropertyCompany.objects.order_by("name")
        self.fields["community"].queryset = Community.objects.filter(pk=complaint.compound.community_id)


class RejectForm(StepForm):
    reason = forms.ChoiceField(label=_("Reject as"), choices=Complaint.RejectReason.choices)
    duplicate_of = forms.CharField(label=_("Duplicate of (number)"), max_length=24, required=False)
    note = _note(_("Note"), required=False, rows=0)
    button = _("Reject")
    button_class = "danger"


class CommentForm(StepForm):
    note = _note(_("Comment"))
    button = _("Add comment")


FORMS: dict[str, type[StepForm]] = {
    "accept": AcceptForm,
    "resolve": ResolveForm,
    "return": ReturnForm,
    "answer": AnswerForm,
    "confirm": ConfirmForm,
    "reopen": ReopenForm,
    "supervise": SuperviseForm,
    "extend": ExtendForm,
    "reassign": ReassignForm,
    "reject": RejectForm,
    "comment": CommentForm,
}


def step_form(step: str, complaint: Complaint, data=None, files=None) -> StepForm:
    form_class = FORMS[step]
    extra = {"complaint": complaint} if form_class is ReassignForm else {}
    return form_class(data, files, auto_id=f"{step}-%s", **extra)
