"""Portal pages: the district's formation picture, a compound's committee roster, a vote with live turnout and results."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees import selectors, services
from committees.forms import CandidateForm, VoteForm
from committees.models import Ballot, Candidate, Choice, Committee, CommitteeMember, Matter, Vote
from committees.tally import vote_tally
from communities import selectors as places
from communities.models import Subdistrict, Unit
from core import errors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Officials: the formation picture. Committee members and owners: their compound's roster."""
    user = request.user
    if user.is_superuser or places.has_role(user, "official"):
        return overview(request)
    compound = selectors.compounds_for_committees(user).order_by("id").first()
    if compound is None:
        return render(request, "committees/none.html")
    return redirect("committees:compound", pk=compound.pk)


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return None if not whole else Decimal(part) * 100 / Decimal(whole)


def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    picture = selectors.formation(user)
    committees = Committee.objects.with_counts().filter(status=Committee.Status.ACTIVE)
    compounds = (
        selectors.formation_compounds(user)
        .filter(committee_eligible=True)
        .select_related("community__subdistrict")
        .prefetch_related(Prefetch("committees", queryset=committees, to_attr="active_committees"))
        .order_by("community__subdistrict_id", "community_id", "id")
    )
    show = request.GET.get("show", "")
    if show == "lacking":
        compounds = compounds.filter(has_active=False)
    elif show == "ending":
        ending = Committee.objects.filter(compound=OuterRef("pk"), status=Committee.Status.ACTIVE, term_end__lte=_ending_cutoff())
        compounds = compounds.filter(Exists(ending))
    subdistrict = request.GET.get("subdistrict", "")
    if subdistrict.isdigit():
        compounds = compounds.filter(community__subdistrict_id=int(subdistrict))
    page = Paginator(compounds, 50).get_page(request.GET.get("page"))
    sources = selectors.candidate_counts_by_source(selectors.candidates_visible_to(user))
    return render(
        request,
        "committees/overview.html",
        {
            "picture": picture,
            "page": page,
            "show": show,
            "subdistrict": subdistrict,
            "subdistricts": Subdistrict.objects.filter(pk__in=selectors.formation_compounds(user).values("community__subdistrict_id")),
            "sources": sources,
            "source_total": sum(s["total"] for s in sources),
            "reminder_days": selectors.REMINDER_DAYS,
        },
    )


def _ending_cutoff():
    return timezone.localdate() + timedelta(days=selectors.REMINDER_DAYS)


@login_required
def compound(request: HttpRequest, pk: int) -> HttpResponse:
    """A compound's committee roster (public to its owners), its past committees and votes; history for officials."""
    place = get_object_or_404(selectors.compounds_for_committees(request.user).select_related("community__subdistrict"), pk=pk)
    committees = list(
        Committee.objects.with_counts()
        .filter(compound=place)
        .prefetch_related(Prefetch("members", queryset=CommitteeMember.objects.roster()))
        .order_by("-term_start")
    )
    current = next((c for c in committees if c.status in (Committee.Status.PREPARING, Committee.Status.ACTIVE)), None)
    is_official = selectors.is_official_for(request.user, place)
    history = []
    if is_official:
        history = sorted(
            [*Committee.history.filter(compound_id=place.pk)[:50], *CommitteeMember.history.filter(committee__compound=place)[:100]],
            key=lambda h: h.history_date,
            reverse=True,
        )[:60]
    votes = selectors.votes_visible_to(request.user).filter(compound=place).order_by("-opens_at")
    return render(
        request,
        "committees/compound.html",
        {
            "compound": place,
            "current": current,
            "past": [c for c in committees if c is not current],
            "votes": votes,
            "is_official": is_official,
            "can_manage": selectors.can_manage(request.user, place),
            "history": history,
            "vote_form": VoteForm(),
        },
    )


def _turnout(result: dict) -> dict:
    eligible_area, eligible_heads = Decimal(result["eligible"]["area"]), result["eligible"]["heads"]
    part_area, part_heads = Decimal(result["participating"]["area"]), result["participating"]["heads"]
    return {
        "area_pct": _percent(part_area, eligible_area),
        "heads_pct": _percent(part_heads, eligible_heads),
    }


@login_required
def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = get_object_or_404(selectors.votes_visible_to(request.user).select_related("compound__community"), pk=pk)
    result = vote.result if vote.status == Vote.Status.CERTIFIED else vote_tally(vote)
    can_manage = selectors.can_manage(request.user, vote.compound)
    is_official = selectors.is_official_for(request.user, vote.compound)
    candidates = selectors.candidates_visible_to(request.user).filter(vote=vote).order_by("id")
    names = {c.pk: c.name for c in candidates}
    pending = Ballot.objects.none()
    if can_manage:
        pending = vote.ballots.filter(status=Ballot.Status.PENDING).select_related("entry", "owner").order_by("cast_at")[:200]
    return render(
        request,
        "committees/vote.html",
        {
            "vote": vote,
            "result": result,
            "turnout": _turnout(result),
            "candidates": candidates,
            "names": names,
            "can_manage": can_manage,
            "is_official": is_official,
            "pending": pending,
            "sources": dict(Candidate.Source.choices),
            "choices": Choice.choices,
            "candidate_form": CandidateForm(),
        },
    )


@login_required
@require_POST
def vote_action(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    vote = get_object_or_404(selectors.votes_visible_to(request.user), pk=pk)
    steps = {"publish": services.vote_publish, "certify": services.vote_certify, "cancel": services.vote_cancel}
    if step not in steps:
        return redirect("committees:vote", pk=pk)
    try:
        steps[step](user=request.user, vote=vote)
        messages.success(request, _("Done."))
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    return redirect("committees:vote", pk=pk)


@login_required
@require_POST
def ballot_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(selectors.ballots_visible_to(request.user).select_related("vote__compound"), pk=pk)
    accept = request.POST.get("accept", "1") == "1"
    try:
        services.ballot_sign_off(user=request.user, ballot=ballot, accept=accept, reason=request.POST.get("reason", ""))
        messages.success(request, _("Paper ballot signed off."))
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    return redirect("committees:vote", pk=ballot.vote_id)


@login_required
@require_POST
def paper_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee member enters a paper ballot, finding the owner by the unit's address."""
    vote = get_object_or_404(selectors.votes_visible_to(request.user).select_related("compound"), pk=pk)
    address = {k: request.POST.get(k, "").strip() for k in ("building", "entrance", "room")}
    unit = Unit.objects.filter(compound=vote.compound, **address).first()
    owner = unit.owners.order_by("id").first() if unit else None
    try:
        if owner is None:
            raise errors.ValidationError(_("No registered owner for this unit."), field="room")
        if vote.is_election:
            marks = [
                {"candidate": c.pk, "choice": request.POST[f"c{c.pk}"]}
                for c in vote.candidates.filter(vetting=Candidate.Vetting.APPROVED)
                if request.POST.get(f"c{c.pk}")
            ]
            services.ballot_enter_paper(user=request.user, vote=vote, owner=owner, marks=marks, note=request.POST.get("note", "")[:200])
        else:
            choice = request.POST.get("choice") or None
            services.ballot_enter_paper(user=request.user, vote=vote, owner=owner, choice=choice, note=request.POST.get("note", "")[:200])
        messages.success(request, _("Paper ballot entered; it counts once the community signs it off."))
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    return redirect("committees:vote", pk=pk)


@login_required
@require_POST
def candidate_vet(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(selectors.candidates_visible_to(request.user).select_related("compound"), pk=pk)
    try:
        services.candidate_vet(
            user=request.user, candidate=candidate, approved=request.POST.get("approved") == "1", reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Vetting recorded."))
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    return (
        redirect("committees:vote", pk=candidate.vote_id)
        if candidate.vote_id
        else redirect("committees:compound", pk=candidate.compound_id)
    )


@login_required
@require_POST
def vote_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Committee members and officials draft a vote for the compound."""
    place = get_object_or_404(selectors.compounds_for_committees(request.user), pk=pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("committees:compound", pk=pk)
    data = form.cleaned_data
    election = data["matter"] == Matter.ELECTION
    try:
        vote = services.vote_create(
            user=request.user,
            compound=place,
            matter=data["matter"],
            title=data["title"],
            description=data["description"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            seats=data["seats"] if election else None,
        )
    except errors.DomainError as exc:
        messages.error(request, exc.message)
        return redirect("committees:compound", pk=pk)
    return redirect("committees:vote", pk=vote.pk)


@login_required
@require_POST
def candidate_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Nominate a candidate onto a draft election's ballot; vetting follows."""
    vote = get_object_or_404(selectors.votes_visible_to(request.user).select_related("compound"), pk=pk)
    form = CandidateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect("committees:vote", pk=pk)
    try:
        services.candidate_nominate(user=request.user, compound=vote.compound, vote=vote, **form.cleaned_data)
        messages.success(request, _("Candidate nominated; vetting is pending."))
    except errors.DomainError as exc:
        messages.error(request, exc.message)
    return redirect("committees:vote", pk=pk)
