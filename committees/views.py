"""Portal pages: the district's formation picture, a compound's committee roster, a vote with live turnout and results."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees import selectors, services
from committees.forms import CandidateForm, PaperBallotForm, VoteForm
from committees.models import Ballot, Candidate, Committee, CommitteeMember, Matter, Vote
from committees.tally import vote_tally
from communities import selectors as places
from communities.models import Subdistrict
from core import errors, portal


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
    committees = Committee.objects.with_red().filter(status=Committee.Status.ACTIVE)  # counts kept on each committee
    compounds = (
        selectors.formation_compounds(user)
        .filter(committee_eligible=True)
        .select_related("community__subdistrict")
        .prefetch_related(Prefetch("committees", queryset=committees, to_attr="active_committees"))
        .order_by("community__subdistrict_id", "community_id", "id")
    )
    filtered, known = False, picture.eligible
    show = request.GET.get("show", "")
    if show == "lacking":
        compounds, known = compounds.filter(has_active=False), picture.without_active
    elif show == "ending":
        ending = Committee.objects.filter(compound=OuterRef("pk"), status=Committee.Status.ACTIVE, term_end__lte=_ending_cutoff())
        compounds, filtered = compounds.filter(Exists(ending)), True
    subdistrict = request.GET.get("subdistrict", "")
    if subdistrict.isdigit():
        compounds, filtered = compounds.filter(community__subdistrict_id=int(subdistrict)), True
    q = request.GET.get("q", "").strip()[:100]
    if q:  # Chinese names: a substring match, as the compound list does
        compounds, filtered = compounds.filter(Q(name__icontains=q) | Q(aliases__icontains=q)), True
    paginator = Paginator(compounds, 50)
    if not filtered:
        # Without a town or name filter the list is the picture's eligible compounds (or those lacking an
        # active committee): its count is already known, not counted twice.
        paginator.count = known
    page = paginator.get_page(request.GET.get("page"))
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
    return _compound_page(request, place)


def _compound_page(request: HttpRequest, place, *, vote_form: VoteForm | None = None) -> HttpResponse:
    """The roster page; `vote_form` is a refused draft vote, shown again as typed with its errors."""
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
            "vote_form": vote_form or VoteForm(),
        },
        status=400 if vote_form is not None else 200,
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
    return _vote_page(request, vote)


def _ballot_candidates(vote: Vote) -> list[Candidate]:
    return list(vote.candidates.filter(vetting=Candidate.Vetting.APPROVED).order_by("id"))


def _vote_page(
    request: HttpRequest, vote: Vote, *, ballot_form: PaperBallotForm | None = None, candidate_form: CandidateForm | None = None
) -> HttpResponse:
    """The vote page; a refused paper ballot or nomination is shown again as typed, its errors beside it."""
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
            "ballot_form": ballot_form or PaperBallotForm(vote=vote, candidates=_ballot_candidates(vote)),
            "candidate_form": candidate_form or CandidateForm(),
        },
        status=400 if ballot_form is not None or candidate_form is not None else 200,
    )


@login_required
@require_POST
def vote_action(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    vote = get_object_or_404(selectors.votes_visible_to(request.user), pk=pk)
    steps = {"publish": services.vote_publish, "certify": services.vote_certify, "cancel": services.vote_cancel}
    if step not in steps:
        return redirect("committees:vote", pk=pk)
    portal.attempt(request, lambda: steps[step](user=request.user, vote=vote), ok_message=_("Done."))
    return redirect("committees:vote", pk=pk)


@login_required
@require_POST
def ballot_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(selectors.ballots_visible_to(request.user).select_related("vote__compound"), pk=pk)
    accept = request.POST.get("accept", "1") == "1"
    portal.attempt(
        request,
        lambda: services.ballot_sign_off(user=request.user, ballot=ballot, accept=accept, reason=request.POST.get("reason", "")),
        ok_message=_("Paper ballot signed off."),
    )
    return redirect("committees:vote", pk=ballot.vote_id)


@login_required
@require_POST
def paper_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee member or the community enters a paper ballot, finding the owner by the unit's address.

    A refused ballot (unknown unit, unmarked candidates not confirmed, the window closed) comes back
    on the vote page with every mark kept and the error inside the ballot form."""
    vote = get_object_or_404(selectors.votes_visible_to(request.user).select_related("compound"), pk=pk)
    form = PaperBallotForm(request.POST, vote=vote, candidates=_ballot_candidates(vote))

    def enter(d: dict) -> list[Ballot]:
        owner = selectors.unit_owner(vote.compound, building=d["building"], entrance=d["entrance"], room=d["room"])
        if owner is None:
            raise errors.ValidationError(_("No registered owner for this unit."), field="room")
        if vote.is_election:
            return services.ballot_enter_paper(user=request.user, vote=vote, owner=owner, marks=form.marks(), note=d["note"])
        return services.ballot_enter_paper(user=request.user, vote=vote, owner=owner, choice=d["choice"], note=d["note"])

    if portal.submit(form, enter):
        messages.success(request, _("Paper ballot entered; it counts once the community signs it off."))
        return redirect(reverse("committees:vote", args=[pk]) + "#paper-ballot")
    return _vote_page(request, vote, ballot_form=form)


@login_required
@require_POST
def candidate_vet(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(selectors.candidates_visible_to(request.user).select_related("compound"), pk=pk)
    portal.attempt(
        request,
        lambda: services.candidate_vet(
            user=request.user, candidate=candidate, approved=request.POST.get("approved") == "1", reason=request.POST.get("reason", "")
        ),
        ok_message=_("Vetting recorded."),
    )
    return (
        redirect("committees:vote", pk=candidate.vote_id)
        if candidate.vote_id
        else redirect("committees:compound", pk=candidate.compound_id)
    )


@login_required
@require_POST
def vote_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Committee members and officials draft a vote for the compound."""
    place = get_object_or_404(selectors.compounds_for_committees(request.user).select_related("community__subdistrict"), pk=pk)
    form = VoteForm(request.POST)

    def create(d: dict) -> Vote:
        return services.vote_create(
            user=request.user,
            compound=place,
            matter=d["matter"],
            title=d["title"],
            description=d["description"],
            opens_at=d["opens_at"],
            closes_at=d["closes_at"],
            seats=d["seats"] if d["matter"] == Matter.ELECTION else None,
        )

    created = portal.submit(form, create)
    if created:
        return redirect("committees:vote", pk=created.result.pk)
    return _compound_page(request, place, vote_form=form)


@login_required
@require_POST
def candidate_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Nominate a candidate onto a draft election's ballot; vetting follows."""
    vote = get_object_or_404(selectors.votes_visible_to(request.user).select_related("compound__community"), pk=pk)
    form = CandidateForm(request.POST)
    if portal.submit(form, lambda d: services.candidate_nominate(user=request.user, compound=vote.compound, vote=vote, **d)):
        messages.success(request, _("Candidate nominated; vetting is pending."))
        return redirect("committees:vote", pk=pk)
    return _vote_page(request, vote, candidate_form=form)
