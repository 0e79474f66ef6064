"""Portal pages of deliberation and mediation. A view parses input, calls one service or selector, renders.

Lists and details start from the scoped selectors, so anything outside the user's scope is a 404.
Write pages are for officials and mediators (`manager_required`); committee members may read meetings.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import portal, privacy
from mediation import exports, forms, selectors, services
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


def _post_step(request: HttpRequest, form, fn, *, page, name: str, back: str, ok: str, shown=lambda: True) -> HttpResponse:
    """A POST step on a detail page (core.portal): done → back to the page with a message; refused →
    the page again with this form as typed (`name` is its context name) and the errors beside it, or,
    when the page no longer shows the form (`shown()` false: the case was closed meanwhile), a message."""
    if portal.submit(form, fn):
        messages.success(request, ok)
        return redirect(back)
    if not shown():
        return _row_step_errors(request, form, back)
    return page((name, form))


def _row_step(request: HttpRequest, form, fn, *, back: str, ok: str) -> HttpResponse:
    """A one-line form in a table row with nothing worth keeping (a status select): errors become messages."""
    if portal.submit(form, fn):
        messages.success(request, ok)
        return redirect(back)
    return _row_step_errors(request, form, back)


def _row_step_errors(request: HttpRequest, form, back: str) -> HttpResponse:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return redirect(back)


def _render_with(request: HttpRequest, template: str, context: dict, failed: tuple[str, object] | None) -> HttpResponse:
    if failed:
        context[failed[0]] = failed[1]
    return render(request, template, context, status=400 if failed else 200)


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
    if request.method == "POST":
        created = portal.submit(form, lambda d: services.meeting_create(actor=request.user, **d))
        if created:
            messages.success(request, _("Meeting recorded."))
            return redirect("mediation:meeting_detail", pk=created.result.pk)
    context = {"form": form, "title": _("Record a meeting"), "back": "mediation:meeting_list"}
    return render(request, "mediation/form_page.html", context, status=400 if form.errors else 200)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk))


def _meeting_page(request: HttpRequest, meeting: Meeting, failed: tuple[str, object] | None = None) -> HttpResponse:
    """The meeting page; `failed` is (context name, form) of a step just refused, shown again as typed."""
    can_manage = selectors.can_manage(request.user, meeting.compound_id)
    topics = selectors.topics_visible_to(request.user).filter(meeting=meeting).order_by("id")
    missing = []
    if meeting.kind == Meeting.Kind.FOUR_PARTY:
        present = set(meeting.attendees.values_list("party", flat=True))
        missing = [label for value, label in Attendee.Party.choices if value in Attendee.FOUR_PARTIES and value not in present]
    return _render_with(
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
        failed,
    )


def _meeting_for_step(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(selectors.meetings_visible_to(request.user), pk=pk)


@require_POST
@login_required
def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_step(request, pk)
    return _post_step(
        request,
        forms.MeetingUpdateForm(request.POST),
        lambda d: services.meeting_update(actor=request.user, meeting_id=meeting.pk, **d),
        back=meeting_url(meeting),
        page=lambda failed: _meeting_page(request, meeting, failed),
        name="update_form",
        ok=_("Meeting updated."),
    )


@require_POST
@login_required
def meeting_attendee(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_step(request, pk)
    return _post_step(
        request,
        forms.AttendeeForm(request.POST),
        lambda d: services.attendee_add(actor=request.user, meeting_id=meeting.pk, **d),
        back=meeting_url(meeting),
        page=lambda failed: _meeting_page(request, meeting, failed),
        name="attendee_form",
        ok=_("Attendee added."),
    )


@require_POST
@login_required
def meeting_topic(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_step(request, pk)
    return _post_step(
        request,
        forms.TopicForm(request.POST),
        lambda d: services.topic_propose(actor=request.user, compound=meeting.compound, meeting=meeting, **d),
        back=meeting_url(meeting),
        page=lambda failed: _meeting_page(request, meeting, failed),
        name="topic_form",
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

    form = forms.TopicDecisionForm(request.POST)
    if not topic.meeting_id:
        return _row_step(request, form, step, back=back, ok=_("Topic updated."))
    return _post_step(
        request,
        form,
        step,
        page=lambda failed: _meeting_page(request, topic.meeting, (failed[0], (topic.pk, failed[1]))),
        name="decision",
        back=back,
        ok=_("Topic updated."),
    )


@require_POST
@login_required
def meeting_action_item(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_step(request, pk)
    return _post_step(
        request,
        forms.ActionItemForm(request.POST),
        lambda d: services.action_item_add(actor=request.user, meeting_id=meeting.pk, **d),
        back=meeting_url(meeting),
        page=lambda failed: _meeting_page(request, meeting, failed),
        name="item_form",
        ok=_("Action item added."),
    )


@require_POST
@login_required
def action_item_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.action_items_visible_to(request.user), pk=pk)
    back = request.POST.get("next") or meeting_url(item.meeting)
    if not back.startswith("/"):
        back = meeting_url(item.meeting)
    return _row_step(
        request,
        forms.ActionItemStatusForm(request.POST),
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
    if request.method == "POST":
        if portal.submit(form, lambda d: services.rule_create(actor=request.user, **d)):
            messages.success(request, _("Deliberation-day rule saved; its sessions are scheduled."))
            return redirect("mediation:rule_list")
    rules = selectors.rules_visible_to(request.user).annotate(
        upcoming=Count("sessions", filter=Q(sessions__status=Meeting.Status.UPCOMING, sessions__starts_at__gte=timezone.now()))
    )
    context = {"page": _page(request, rules.order_by("id")), "form": form}
    return render(request, "mediation/rule_list.html", context, status=400 if form.errors else 200)


@require_POST
@manager_required
def rule_generate(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.rules_visible_to(request.user), pk=pk)
    done = portal.attempt(request, lambda: services.rule_regenerate(actor=request.user, rule_id=rule.pk))
    if done:
        created, removed = done.result
        messages.success(
            request, _("Sessions regenerated: %(created)d added, %(removed)d removed.") % {"created": created, "removed": removed}
        )
    return redirect("mediation:rule_list")


@manager_required
def venue_list(request: HttpRequest) -> HttpResponse:
    form = forms.VenueForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if portal.submit(form, lambda d: services.venue_create(actor=request.user, **d)):
            messages.success(request, _("Venue registered."))
            return redirect("mediation:venue_list")
    venues = selectors.venues_visible_to(request.user).order_by("id")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        venues = venues.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return render(
        request, "mediation/venue_list.html", {"page": _page(request, venues), "form": form, "q": q}, status=400 if form.errors else 200
    )


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

    def register(d: dict) -> DisputeCase:
        data = {k: v for k, v in d.items() if k not in ("applicant", "respondent", "mediator_kind", "mediator_name")}
        return services.dispute_create(actor=request.user, parties=form.parties(), mediators=form.mediators(), **data)

    if request.method == "POST":
        created = portal.submit(form, register)
        if created:
            messages.success(request, _("Dispute case registered."))
            return redirect("mediation:dispute_detail", pk=created.result.pk)
    context = {"form": form, "title": _("Register a dispute case"), "back": "mediation:dispute_list"}
    return render(request, "mediation/form_page.html", context, status=400 if form.errors else 200)


@manager_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _dispute_page(request, get_object_or_404(selectors.disputes_visible_to(request.user), pk=pk))


def _dispute_page(request: HttpRequest, case: DisputeCase, failed: tuple[str, object] | None = None) -> HttpResponse:
    return _render_with(
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
        failed,
    )


def _case_step(request, pk, form_class, service, ok, *, name: str):
    case = get_object_or_404(selectors.disputes_visible_to(request.user), pk=pk)
    back = redirect("mediation:dispute_detail", pk=case.pk).url
    return _post_step(
        request,
        form_class(request.POST),
        lambda d: service(actor=request.user, case_id=case.pk, **d),
        page=lambda failed: _dispute_page(request, case, failed),
        name=name,
        back=back,
        ok=ok,
        shown=lambda: DisputeCase.objects.filter(pk=case.pk, status=DisputeCase.Status.OPEN).exists(),
    )


@require_POST
@manager_required
def dispute_party(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, forms.PartyForm, services.dispute_party_add, _("Party added."), name="party_form")


@require_POST
@manager_required
def dispute_mediator(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, forms.MediatorForm, services.dispute_mediator_add, _("Mediator added."), name="mediator_form")


@require_POST
@manager_required
def dispute_session(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, forms.SessionForm, services.dispute_session_add, _("Session recorded."), name="session_form")


@require_POST
@manager_required
def dispute_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, forms.CloseForm, services.dispute_close, _("Case closed."), name="close_form")


# --- legal links --------------------------------------------------------------------------------
@manager_required
def liaison_list(request: HttpRequest) -> HttpResponse:
    form = forms.LiaisonForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if portal.submit(form, lambda d: services.liaison_create(actor=request.user, **d)):
            messages.success(request, _("Liaison registered."))
            return redirect("mediation:liaison_list")
    qs = selectors.liaisons_visible_to(request.user).annotate(compound_count=Count("compounds", distinct=True)).order_by("kind", "id")
    kind = request.GET.get("kind", "")
    if kind in LegalLiaison.Kind.values:
        qs = qs.filter(kind=kind)
    context = {"page": _page(request, qs, 50), "form": form, "kind": kind}
    return render(request, "mediation/liaison_list.html", context, status=400 if form.errors else 200)


@manager_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    form = forms.ConsultationForm(request.POST or None, user=request.user, initial={"given_on": timezone.localdate()})
    if request.method == "POST":
        if portal.submit(form, lambda d: services.consultation_create(actor=request.user, **d)):
            messages.success(request, _("Consultation logged."))
            return redirect("mediation:consultation_list")
    qs = selectors.consultations_visible_to(request.user).order_by("-given_on", "-id")
    context = {"page": _page(request, qs), "form": form}
    return render(request, "mediation/consultation_list.html", context, status=400 if form.errors else 200)


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
    return _screening_page(request, screening)


def _screening_page(request: HttpRequest, screening, failed: tuple[str, object] | None = None) -> HttpResponse:
    """The screening page; `failed` is ("failed_hazard", (hazard id, form)) of a refused resolution."""
    hazards = selectors.hazards_visible_to(request.user).filter(screening=screening)
    return _render_with(
        request,
        "mediation/screening_detail.html",
        {"screening": screening, "hazards": hazards, "compounds": screening.compounds.all(), "resolve_form": forms.HazardResolveForm()},
        failed,
    )


@require_POST
@manager_required
def hazard_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_object_or_404(selectors.hazards_visible_to(request.user), pk=pk)
    back = redirect("mediation:screening_detail", pk=hazard.screening_id).url
    return _post_step(
        request,
        forms.HazardResolveForm(request.POST),
        lambda d: services.hazard_resolve(actor=request.user, hazard_id=hazard.pk, **d),
        page=lambda failed: _screening_page(request, hazard.screening, (failed[0], (hazard.pk, failed[1]))),
        name="failed_hazard",
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
    if request.GET.get("export") == "xlsx":
        privacy.log_export(user=request.user, what="mediation.counts.xlsx", rows=len(rows), params=request.GET, request=request)
        return exports.counts_response(
            rows=rows, totals=selectors.totals(rows), metrics=selectors.METRICS, start=start, end=end, monthly=monthly
        )
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
