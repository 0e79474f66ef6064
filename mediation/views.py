"""Portal pages of deliberation and mediation. A view parses input, calls one service or selector, renders.

Lists and details start from the scoped selectors, so anything outside the user's scope is a 404.
Write pages are for officials and mediators (`manager_required`); committee members may read meetings.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, PermissionDenied, ScopeError
from mediation import forms, selectors, services
from mediation.api.views import default_period
from mediation.models import ActionItem, Attendee, DisputeCase, LegalLiaison, Meeting, Topic


def manager_required(view):
    """Officials and mediators only; anyone else is told the page does not exist."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not selectors.is_manager(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _call(request: HttpRequest, form, fn) -> bool:
    """Run a service; a domain error lands on the form's field (or the page), a scope error is a 404."""
    try:
        fn()
    except ScopeError as exc:
        raise Http404 from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except DomainError as exc:
        if form is not None and exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        elif form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, exc.message)
        return False
    return True


def _post_step(request: HttpRequest, form_class, fn, *, back: str, ok: str) -> HttpResponse:
    """A POST-only step on a detail page: validate, call, report, go back."""
    form = form_class(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect(back)
    if _call(request, form, lambda: fn(form.cleaned_data)):
        messages.success(request, ok)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect(back)


def _page(request: HttpRequest, qs, per_page: int = 30):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


# --- landing page -------------------------------------------------------------------------------
@manager_required
def home(request: HttpRequest) -> HttpResponse:
    """The mediator's desk: overdue action items, coming meetings, flagged four-party meetings, open cases."""
    user = request.user
    now = timezone.now()
    meetings = selectors.meetings_visible_to(user)
    return render(
        request,
        "mediation/home.html",
        {
            "overdue": selectors.action_items_overdue(user)[:20],
            "overdue_count": selectors.action_items_overdue(user).count(),
            "upcoming": meetings.filter(status=Meeting.Status.UPCOMING, starts_at__gte=now).order_by("starts_at")[:10],
            "flagged": selectors.meetings_missing_parties(meetings).order_by("-starts_at")[:10],
            "open_cases": selectors.disputes_visible_to(user).filter(status=DisputeCase.Status.OPEN).order_by("registered_on")[:10],
            "open_case_count": selectors.disputes_visible_to(user).filter(status=DisputeCase.Status.OPEN).count(),
            "proposed": selectors.topics_visible_to(user).filter(status=Topic.Status.PROPOSED).order_by("created_at")[:10],
            "coverage": selectors.coverage(user),
        },
    )


# --- meetings -----------------------------------------------------------------------------------
@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.meetings_visible_to(request.user).annotate(topic_count=Count("topics", distinct=True)).order_by("-starts_at", "-id")
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    if kind in Meeting.Kind.values:
        qs = qs.filter(kind=kind)
    if status in Meeting.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("flagged"):
        qs = qs.filter(kind=Meeting.Kind.FOUR_PARTY, status=Meeting.Status.HELD, four_parties_present__lt=4)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(compound__name__icontains=q))
    return render(
        request,
        "mediation/meeting_list.html",
        {
            "page": _page(request, qs),
            "kinds": Meeting.Kind.choices,
            "statuses": Meeting.Status.choices,
            "kind": kind,
            "status": status,
            "q": q,
        },
    )


@manager_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    initial = {"kind": request.GET.get("kind", Meeting.Kind.DELIBERATION_DAY), "status": Meeting.Status.HELD}
    form = forms.MeetingForm(request.POST or None, user=request.user, initial=initial)
    created = {}
    if request.method == "POST" and form.is_valid():
        if _call(request, form, lambda: created.update(m=services.meeting_create(actor=request.user, **form.cleaned_data))):
            messages.success(request, _("Meeting recorded."))
            return redirect("mediation:meeting_detail", pk=created["m"].pk)
    return render(request, "mediation/form_page.html", {"form": form, "title": _("Record a meeting"), "back": "mediation:meeting_list"})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)
    can_manage = selectors.can_manage(request.user, meeting.compound_id)
    topics = selectors.topics_visible_to(request.user).filter(meeting=meeting).order_by("id")
    missing = []
    if meeting.kind == Meeting.Kind.FOUR_PARTY:
        present = set(meeting.attendees.values_list("party", flat=True))
        missing = [label for value, label in Attendee.Party.choices if value in Attendee.FOUR_PARTIES and value not in present]
    return render(
        request,
        "mediation/meeting_detail.html",
        {
            "meeting": meeting,
            "can_manage": can_manage,
            "attendees": meeting.attendees.all(),
            "topics": topics,
            "items": meeting.action_items.select_related("topic").order_by("due_date", "id"),
            "missing": missing,
            "today": timezone.localdate(),
            "update_form": forms.MeetingUpdateForm(initial={"status": meeting.status, "minutes": meeting.minutes}),
            "attendee_form": forms.AttendeeForm(),
            "topic_form": forms.TopicForm(),
            "item_form": forms.ActionItemForm(),
            "item_statuses": ActionItem.Status.choices,
            "open_topics": topics.filter(status__in=[Topic.Status.PROPOSED, Topic.Status.ACCEPTED]),
        },
    )


def _meeting_for_step(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)


@require_POST
@login_required
def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_step(request, pk)
    return _post_step(
        request,
        forms.MeetingUpdateForm,
        lambda d: services.meeting_update(actor=request.user, meeting_id=meeting.pk, **d),
        back=meeting_url(meeting),
        ok=_("Meeting updated."),
    )


@require_POST
@login_required
def meeting_attendee(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_step(request, pk)
    return _post_step(
        request,
        forms.AttendeeForm,
        lambda d: services.attendee_add(actor=request.user, meeting_id=meeting.pk, **d),
        back=meeting_url(meeting),
        ok=_("Attendee added."),
    )


@require_POST
@login_required
def meeting_topic(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_step(request, pk)
    return _post_step(
        request,
        forms.TopicForm,
        lambda d: services.topic_propose(actor=request.user, compound=meeting.compound, meeting=meeting, **d),
        back=meeting_url(meeting),
        ok=_("Topic added to the agenda."),
    )


@require_POST
@login_required
def topic_decide(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(selectors.topics_visible_to(request.user), pk=pk)
    back = meeting_url(topic.meeting) if topic.meeting_id else redirect("mediation:home").url

    def step(d):
        if d["action"] == "accept":
            return services.topic_accept(actor=request.user, topic_id=topic.pk)
        if d["action"] == "settle":
            return services.topic_settle(actor=request.user, topic_id=topic.pk, resolution=d["text"])
        if d["action"] == "decline":
            return services.topic_decline(actor=request.user, topic_id=topic.pk, reason=d["text"])
        into = selectors.topics_visible_to(request.user).filter(pk=d.get("into") or 0).first()
        if into is None:
            raise services.ValidationError(_("Choose the topic to merge into."), field="into")
        return services.topic_merge(actor=request.user, topic_id=topic.pk, into=into)

    return _post_step(request, forms.TopicDecisionForm, step, back=back, ok=_("Topic updated."))


@require_POST
@login_required
def meeting_action_item(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_step(request, pk)
    return _post_step(
        request,
        forms.ActionItemForm,
        lambda d: services.action_item_add(actor=request.user, meeting_id=meeting.pk, **d),
        back=meeting_url(meeting),
        ok=_("Action item added."),
    )


@require_POST
@login_required
def action_item_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.action_items_visible_to(request.user), pk=pk)
    back = request.POST.get("next") or meeting_url(item.meeting)
    if not back.startswith("/"):
        back = meeting_url(item.meeting)
    return _post_step(
        request,
        forms.ActionItemStatusForm,
        lambda d: services.action_item_set_status(actor=request.user, item_id=item.pk, **d),
        back=back,
        ok=_("Action item updated."),
    )


def meeting_url(meeting: Meeting) -> str:
    return redirect("mediation:meeting_detail", pk=meeting.pk).url


@login_required
def action_item_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.action_items_visible_to(request.user)
    only_overdue = request.GET.get("overdue") == "1"
    if only_overdue:
        qs = selectors.action_items_overdue(request.user)
    elif request.GET.get("status") in ActionItem.Status.values:
        qs = qs.filter(status=request.GET["status"])
    return render(
        request,
        "mediation/action_item_list.html",
        {"page": _page(request, qs.order_by("due_date", "id")), "today": timezone.localdate(), "only_overdue": only_overdue},
    )


# --- deliberation-day rules and venues ----------------------------------------------------------
@manager_required
def rule_list(request: HttpRequest) -> HttpResponse:
    form = forms.RuleForm(request.POST or None, user=request.user, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if _call(request, form, lambda: services.rule_create(actor=request.user, **form.cleaned_data)):
            messages.success(request, _("Deliberation-day rule saved; its sessions are scheduled."))
            return redirect("mediation:rule_list")
    rules = selectors.rules_visible_to(request.user).annotate(
        upcoming=Count("sessions", filter=Q(sessions__status=Meeting.Status.UPCOMING, sessions__starts_at__gte=timezone.now()))
    )
    return render(request, "mediation/rule_list.html", {"page": _page(request, rules.order_by("id")), "form": form})


@require_POST
@manager_required
def rule_generate(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.rules_visible_to(request.user), pk=pk)
    result = {}
    if _call(request, None, lambda: result.update(r=services.rule_regenerate(actor=request.user, rule_id=rule.pk))):
        created, removed = result["r"]
        messages.success(
            request, _("Sessions regenerated: %(created)d added, %(removed)d removed.") % {"created": created, "removed": removed}
        )
    return redirect("mediation:rule_list")


@manager_required
def venue_list(request: HttpRequest) -> HttpResponse:
    form = forms.VenueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if _call(request, form, lambda: services.venue_create(actor=request.user, **form.cleaned_data)):
            messages.success(request, _("Venue registered."))
            return redirect("mediation:venue_list")
    venues = selectors.venues_visible_to(request.user).order_by("id")
    return render(request, "mediation/venue_list.html", {"page": _page(request, venues), "form": form})


# --- disputes -----------------------------------------------------------------------------------
@manager_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.disputes_visible_to(request.user).annotate(party_count=Count("parties")).order_by("-registered_on", "-id")
    status, outcome = request.GET.get("status", ""), request.GET.get("outcome", "")
    if status in DisputeCase.Status.values:
        qs = qs.filter(status=status)
    if outcome in DisputeCase.Outcome.values:
        qs = qs.filter(outcome=outcome)
    return render(
        request,
        "mediation/dispute_list.html",
        {"page": _page(request, qs), "status": status, "outcome": outcome, "outcomes": DisputeCase.Outcome.choices},
    )


@manager_required
def dispute_create(request: HttpRequest) -> HttpResponse:
    form = forms.DisputeForm(request.POST or None, user=request.user, initial={"registered_on": timezone.localdate()})
    created = {}
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("applicant", "respondent", "mediator_kind", "mediator_name")}
        call = lambda: created.update(  # noqa: E731 - a one-line deferred call reads best here
            c=services.dispute_create(actor=request.user, parties=form.parties(), mediators=form.mediators(), **data)
        )
        if _call(request, form, call):
            messages.success(request, _("Dispute case registered."))
            return redirect("mediation:dispute_detail", pk=created["c"].pk)
    return render(
        request, "mediation/form_page.html", {"form": form, "title": _("Register a dispute case"), "back": "mediation:dispute_list"}
    )


@manager_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.disputes_visible_to(request.user), pk=pk)
    return render(
        request,
        "mediation/dispute_detail.html",
        {
            "case": case,
            "parties": case.parties.all(),
            "mediators": case.mediators.all(),
            "sessions": case.sessions.select_related("venue"),
            "party_form": forms.PartyForm(),
            "mediator_form": forms.MediatorForm(),
            "session_form": forms.SessionForm(initial={"held_on": timezone.localdate()}),
            "close_form": forms.CloseForm(),
        },
    )


def _case_step(request, pk, form_class, service, ok):
    case = get_object_or_404(selectors.disputes_visible_to(request.user), pk=pk)
    back = redirect("mediation:dispute_detail", pk=case.pk).url
    return _post_step(request, form_class, lambda d: service(actor=request.user, case_id=case.pk, **d), back=back, ok=ok)


@require_POST
@manager_required
def dispute_party(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, forms.PartyForm, services.dispute_party_add, _("Party added."))


@require_POST
@manager_required
def dispute_mediator(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, forms.MediatorForm, services.dispute_mediator_add, _("Mediator added."))


@require_POST
@manager_required
def dispute_session(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, forms.SessionForm, services.dispute_session_add, _("Session recorded."))


@require_POST
@manager_required
def dispute_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, forms.CloseForm, services.dispute_close, _("Case closed."))


# --- legal links --------------------------------------------------------------------------------
@manager_required
def liaison_list(request: HttpRequest) -> HttpResponse:
    form = forms.LiaisonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if _call(request, form, lambda: services.liaison_create(actor=request.user, **form.cleaned_data)):
            messages.success(request, _("Liaison registered."))
            return redirect("mediation:liaison_list")
    qs = selectors.liaisons_visible_to(request.user).annotate(compound_count=Count("compounds", distinct=True)).order_by("kind", "id")
    kind = request.GET.get("kind", "")
    if kind in LegalLiaison.Kind.values:
        qs = qs.filter(kind=kind)
    return render(request, "mediation/liaison_list.html", {"page": _page(request, qs, 50), "form": form, "kind": kind})


@manager_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    form = forms.ConsultationForm(request.POST or None, user=request.user, initial={"given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if _call(request, form, lambda: services.consultation_create(actor=request.user, **form.cleaned_data)):
            messages.success(request, _("Consultation logged."))
            return redirect("mediation:consultation_list")
    qs = selectors.consultations_visible_to(request.user).order_by("-given_on", "-id")
    return render(request, "mediation/consultation_list.html", {"page": _page(request, qs), "form": form})


@manager_required
def screening_list(request: HttpRequest) -> HttpResponse:
    qs = (
        selectors.screenings_visible_to(request.user)
        .annotate(
            hazard_count=Count("hazards", distinct=True),
            handled_count=Count("hazards", filter=Q(hazards__status="handled"), distinct=True),
            compound_count=Count("compounds", distinct=True),
        )
        .order_by("-held_on", "-id")
    )
    return render(request, "mediation/screening_list.html", {"page": _page(request, qs)})


@manager_required
def screening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    screening = get_object_or_404(selectors.screenings_visible_to(request.user), pk=pk)
    hazards = selectors.hazards_visible_to(request.user).filter(screening=screening)
    return render(
        request,
        "mediation/screening_detail.html",
        {"screening": screening, "hazards": hazards, "compounds": screening.compounds.all(), "resolve_form": forms.HazardResolveForm()},
    )


@require_POST
@manager_required
def hazard_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_object_or_404(selectors.hazards_visible_to(request.user), pk=pk)
    back = redirect("mediation:screening_detail", pk=hazard.screening_id).url
    return _post_step(
        request,
        forms.HazardResolveForm,
        lambda d: services.hazard_resolve(actor=request.user, hazard_id=hazard.pk, **d),
        back=back,
        ok=_("Hazard updated."),
    )


# --- counts -------------------------------------------------------------------------------------
@manager_required
def counts(request: HttpRequest) -> HttpResponse:
    """The district's figures by town (community, compound) and period; the same rows as GET /api/v1/mediation-counts/."""
    form = forms.PeriodForm(request.GET or None)
    start = end = None
    level, monthly = "subdistrict", False
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        level = form.cleaned_data["level"] or "subdistrict"
        monthly = form.cleaned_data["monthly"]
    start, end = default_period(start, end)
    if start > end:
        start, end = end, start
    rows = selectors.counts_by_area(request.user, start=start, end=end, level=level, monthly=monthly)
    return render(
        request,
        "mediation/counts.html",
        {
            "form": form,
            "rows": rows,
            "totals": selectors.totals(rows),
            "coverage": selectors.coverage(request.user),
            "start": start,
            "end": end,
            "level": level,
            "monthly": monthly,
        },
    )
