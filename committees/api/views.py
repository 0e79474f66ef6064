"""Committees API: committees and members, elections and owners' decisions, candidates, ballots.

Every queryset starts from a committees selector (404 outside scope); every write is one service call.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.response import Response

from committees import selectors, services
from committees.api import filters, serializers
from committees.models import Ballot, BallotMark, CommitteeMember, Matter, Vote
from committees.tally import vote_tally
from communities.models import Compound
from core import errors
from core.api import KeysetPagination


def _filtered(filterset_class, request, qs):
    filterset = filterset_class(request.query_params, queryset=qs, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def _compound(user, pk: int) -> Compound:
    compound = selectors.compounds_for_committees(user).filter(pk=pk).first()
    if compound is None:
        raise errors.ScopeError(_("Compound not found."), field="compound")
    return compound


class CommitteeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Owners' committees: residents see their compound's; officials their area's. Officials record and change them."""

    serializer_class = serializers.CommitteeSerializer
    pagination_class = KeysetPagination
    filterset_class = filters.CommitteeFilter
    search_fields = ["compound__name"]

    def get_queryset(self):
        return (
            selectors.committees_visible_to(self.request.user)
            .with_counts()
            .select_related("compound")
            .prefetch_related(Prefetch("members", queryset=CommitteeMember.objects.roster()))
            .order_by("compound_id", "-term_start", "id")
        )

    @extend_schema(request=None, responses={200: serializers.FormationSerializer})
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def formation(self, request):
        """Officials: formation rate (eligible compounds with an active committee ÷ eligible), red ratio, terms ending soon."""
        return Response(serializers.FormationSerializer(selectors.formation(request.user)).data)

    @extend_schema(request=None, responses={200: serializers.CompoundLackingSerializer(many=True)})
    @action(detail=False, methods=["get"], filterset_class=None)
    def lacking(self, request):
        """Officials: eligible compounds in scope without an active committee (whether one is preparing)."""
        qs = selectors.formation_compounds(request.user).filter(committee_eligible=True, has_active=False).order_by("id")
        page = self.paginate_queryset(qs.select_related("community"))
        return self.get_paginated_response(serializers.CompoundLackingSerializer(page, many=True).data)

    @extend_schema(request=serializers.CommitteeCreateSerializer, responses={201: serializers.CommitteeSerializer})
    def create(self, request, *args, **kwargs):
        data = serializers.CommitteeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        committee = services.committee_create(user=request.user, compound=_compound(request.user, values.pop("compound")), **values)
        return Response(self.get_serializer(self.get_queryset().get(pk=committee.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.CommitteeUpdateSerializer, responses={200: serializers.CommitteeSerializer})
    def partial_update(self, request, pk=None):
        committee = self.get_object()
        data = serializers.CommitteeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.committee_update(user=request.user, committee=committee, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=committee.pk)).data)

    @extend_schema(request=serializers.MemberCreateSerializer, responses={201: serializers.MemberSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        committee = self.get_object()
        data = serializers.MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_add(user=request.user, committee=committee, **data.validated_data)
        return Response(serializers.MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.DissolveSerializer, responses={200: serializers.CommitteeSerializer})
    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        committee = self.get_object()
        data = serializers.DissolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.committee_dissolve(user=request.user, committee=committee, on=data.validated_data.get("on"))
        return Response(self.get_serializer(self.get_queryset().get(pk=committee.pk)).data)


class CommitteeMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Seats on committees; officials change a seat's role or end it."""

    serializer_class = serializers.MemberSerializer
    filterset_class = filters.MemberFilter
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.committee_members_visible_to(self.request.user).select_related("committee__compound").order_by("id")

    @extend_schema(request=serializers.MemberRoleSerializer, responses={200: serializers.MemberSerializer})
    @action(detail=True, methods=["post"], url_path="set-role")
    def set_role(self, request, pk=None):
        member = self.get_object()
        data = serializers.MemberRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.member_set_role(user=request.user, member=member, **data.validated_data)).data)

    @extend_schema(request=serializers.MemberEndSerializer, responses={200: serializers.MemberSerializer})
    @action(detail=True, methods=["post"], url_path="end-seat")
    def end_seat(self, request, pk=None):
        member = self.get_object()
        data = serializers.MemberEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.member_end_seat(user=request.user, member=member, **data.validated_data)).data)


class _VoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Shared by elections and decisions: publish, cancel, cast, paper ballots, tally, certify."""

    serializer_class = serializers.VoteSerializer
    filterset_class = filters.VoteFilter
    search_fields = ["title"]
    pagination_class = KeysetPagination  # votes accumulate over the years of every compound
    create_serializer = serializers.VoteCreateSerializer

    def base_queryset(self):
        return selectors.votes_visible_to(self.request.user)

    def get_queryset(self):
        return self.base_queryset().select_related("compound").order_by("-opens_at", "-id")

    def _create(self, request, **extra):
        data = self.create_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("matter") == Matter.ELECTION:
            raise errors.ValidationError(_("Elections are created under /elections/."), field="matter")
        compound = _compound(request.user, values.pop("compound"))
        vote = services.vote_create(user=request.user, compound=compound, **values, **extra)
        return Response(self.get_serializer(vote).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.VoteSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the draft and freeze the register of owners (committee or officials)."""
        return Response(self.get_serializer(services.vote_publish(user=request.user, vote=self.get_object())).data)

    @extend_schema(request=None, responses={200: serializers.VoteSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response(self.get_serializer(services.vote_cancel(user=request.user, vote=self.get_object())).data)

    @extend_schema(request=None, responses={200: serializers.TallySerializer})
    @action(detail=True, methods=["get"])
    def tally(self, request, pk=None):
        """Every figure: eligible, participating, approve/oppose/abstain per option or candidate, thresholds, verdict."""
        vote = self.get_object()
        if vote.status == Vote.Status.CERTIFIED:
            return Response({**vote.result, "certified": True})
        return Response({**vote_tally(vote), "certified": False})

    @extend_schema(request=None, responses={200: serializers.VoteSerializer})
    @action(detail=True, methods=["post"])
    def certify(self, request, pk=None):
        """The community certifies the closed vote; an election seats the elected candidates."""
        return Response(self.get_serializer(services.vote_certify(user=request.user, vote=self.get_object())).data)

    @extend_schema(methods=["get"], request=None, responses={200: serializers.BallotSerializer(many=True)})
    @extend_schema(methods=["post"], request=serializers.BallotCastSerializer, responses={201: serializers.BallotSerializer(many=True)})
    @action(detail=True, methods=["get", "post"])
    def ballots(self, request, pk=None):
        """GET: this vote's ballots (committee and officials: all; an owner: their own). POST: an owner casts or changes theirs."""
        vote = self.get_object()
        if request.method == "POST":
            data = serializers.BallotCastSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            cast = services.ballot_cast(
                user=request.user, vote=vote, choice=data.validated_data.get("choice"), marks=data.validated_data.get("marks")
            )
            return Response(serializers.BallotSerializer(_ballots(cast), many=True).data, status=status.HTTP_201_CREATED)
        qs = _filtered(filters.BallotFilter, request, _ballot_qs(selectors.ballots_visible_to(request.user).filter(vote=vote)))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializers.BallotSerializer(page, many=True).data)

    @extend_schema(request=serializers.PaperBallotSerializer, responses={201: serializers.BallotSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="paper-ballots")
    def paper_ballots(self, request, pk=None):
        """A committee member enters a paper ballot; it counts after a community official signs it off."""
        vote = self.get_object()
        data = serializers.PaperBallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entered = services.ballot_enter_paper(
            user=request.user, vote=vote, owner=v["owner"], choice=v.get("choice"), marks=v.get("marks"), note=v["note"]
        )
        return Response(serializers.BallotSerializer(_ballots(entered), many=True).data, status=status.HTTP_201_CREATED)


def _ballot_qs(qs):
    return (
        qs.select_related("entry")
        .prefetch_related(Prefetch("marks", queryset=BallotMark.objects.order_by("candidate_id")))
        .order_by("-cast_at", "-id")
    )


def _ballots(rows: list[Ballot]):
    return _ballot_qs(Ballot.objects.filter(pk__in=[b.pk for b in rows]))


class ElectionViewSet(mixins.CreateModelMixin, _VoteViewSet):
    """Elections of committee members (Art. 278 matter 3): seats, candidates, ballots, tally, certification."""

    create_serializer = serializers.ElectionCreateSerializer

    def base_queryset(self):
        return super().base_queryset().filter(matter=Matter.ELECTION)

    @extend_schema(request=serializers.ElectionCreateSerializer, responses={201: serializers.VoteSerializer})
    def create(self, request, *args, **kwargs):
        return self._create(request, matter=Matter.ELECTION)

    @extend_schema(request=None, responses={200: serializers.CandidateSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def candidates(self, request, pk=None):
        """Candidates on this election's ballot (owners see the approved ones once the ballot is published)."""
        vote = self.get_object()
        qs = selectors.candidates_visible_to(request.user).filter(vote=vote).order_by("id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializers.CandidateSerializer(page, many=True).data)


class DecisionViewSet(mixins.CreateModelMixin, _VoteViewSet):
    """Owners' decisions on the other Art. 278 matters (one question: approve, oppose or abstain)."""

    def base_queryset(self):
        return super().base_queryset().exclude(matter=Matter.ELECTION)

    @extend_schema(request=serializers.VoteCreateSerializer, responses={201: serializers.VoteSerializer})
    def create(self, request, *args, **kwargs):
        return self._create(request)


class CandidateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Candidates by source (三推荐、两回请, joint nomination), vetting, and placement on an election's ballot."""

    serializer_class = serializers.CandidateSerializer
    filterset_class = filters.CandidateFilter
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.candidates_visible_to(self.request.user).order_by("compound_id", "id")

    def _vote(self, pk):
        if pk is None:
            return None
        vote = selectors.votes_visible_to(self.request.user).filter(pk=pk).first()
        if vote is None:
            raise errors.ValidationError(_("Unknown election."), field="vote")
        return vote

    @extend_schema(request=serializers.CandidateCreateSerializer, responses={201: serializers.CandidateSerializer})
    def create(self, request, *args, **kwargs):
        data = serializers.CandidateCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        compound = _compound(request.user, values.pop("compound"))
        vote = self._vote(values.pop("vote", None))
        candidate = services.candidate_nominate(user=request.user, compound=compound, vote=vote, **values)
        return Response(self.get_serializer(candidate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.CandidateVetSerializer, responses={200: serializers.CandidateSerializer})
    @action(detail=True, methods=["post"])
    def vet(self, request, pk=None):
        """An official approves the candidate, or rejects them with a reason, before the ballot opens."""
        candidate = self.get_object()
        data = serializers.CandidateVetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.candidate_vet(user=request.user, candidate=candidate, **data.validated_data)).data)

    @extend_schema(request=serializers.CandidatePlaceSerializer, responses={200: serializers.CandidateSerializer})
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None):
        """Put the candidate on a draft election's ballot (or take them off with `vote: null`)."""
        candidate = self.get_object()
        data = serializers.CandidatePlaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vote = self._vote(data.validated_data["vote"])
        return Response(self.get_serializer(services.candidate_place(user=request.user, candidate=candidate, vote=vote)).data)

    @extend_schema(request=None, responses={200: serializers.SourceCountSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="by-source", filterset_class=None, pagination_class=None)
    def by_source(self, request):
        """How many candidates each source produced in the user's area (filters as for the list)."""
        qs = _filtered(filters.CandidateFilter, request, self.get_queryset())
        return Response(serializers.SourceCountSerializer(selectors.candidate_counts_by_source(qs), many=True).data)


class BallotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ballots: the committee and officials see their compound's; an owner their own. Officials sign off paper ballots."""

    serializer_class = serializers.BallotSerializer
    pagination_class = KeysetPagination  # one row per owner per vote: millions over a district's years
    filterset_class = filters.BallotFilter

    def get_queryset(self):
        return _ballot_qs(selectors.ballots_visible_to(self.request.user))

    @extend_schema(request=serializers.SignOffSerializer, responses={200: serializers.BallotSerializer})
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        ballot = get_object_or_404(self.get_queryset(), pk=pk)
        data = serializers.SignOffSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ballot_sign_off(user=request.user, ballot=ballot, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=ballot.pk)).data)
