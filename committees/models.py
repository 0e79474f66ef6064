"""Owners' committees, their members, candidates, owners' votes (Civil Code Art. 278) and ballots.

Counting rules (SPEC §4.3; SPC interpretation on building-division ownership, Arts. 8–9) are made
concrete by the *register* (`RollEntry`): when a vote opens, the compound's units are frozen into
one entry per head. An entry is "the set of units held by the same buyer": units whose owner set is
identical share an entry (one head, their areas summed); all of the developer's unsold or
undelivered units share one entry. A ballot speaks for one entry; the tally only sums entries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from communities.models import Compound, Owner
from core.models import TimeStampedModel

MAX_TERM_YEARS = 5


class AddYears(Func):
    """`date + N years` as SQL, usable inside a CheckConstraint.

    PostgreSQL: `(d + interval 'N years')::date` (29 Feb + 1 year = 28 Feb);
    SQLite: `date(d, '+N years')` (29 Feb + 1 year = 1 Mar, SQLite normalises the overflow).
    The two differ only for a term starting on 29 February.
    """

    arity = 1
    output_field = models.DateField()

    def __init__(self, expression, years: int, **extra) -> None:
        if not isinstance(years, int) or years < 0:
            raise ValueError("years must be a non-negative integer")
        self.years = years
        super().__init__(expression, **extra)

    def __eq__(self, other) -> bool:
        return isinstance(other, AddYears) and self.years == other.years and super().__eq__(other)

    def __hash__(self) -> int:
        return hash((super().__hash__(), self.years))

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template=f"CAST((%(expressions)s + INTERVAL '{self.years} years') AS date)", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template=f"date(%(expressions)s, '+{self.years} years')", **extra_context)


class Matter(models.TextChoices):
    """The nine matters owners decide together (Civil Code Art. 278), in the article's order."""

    PROCEDURE_RULES = "procedure_rules", _("(1) rules of procedure of the owners' assembly")
    STATUTE = "statute", _("(2) management statute")
    ELECTION = "election", _("(3) electing or replacing committee members")
    PROPERTY_COMPANY = "property_company", _("(4) hiring or dismissing the property company")
    USE_FUND = "use_fund", _("(5) using the maintenance fund")
    RAISE_FUND = "raise_fund", _("(6) raising the maintenance fund")
    REBUILD = "rebuild", _("(7) rebuilding or reconstructing buildings and facilities")
    CHANGE_USE = "change_use", _("(8) changing the use of common parts or running a business on them")
    OTHER = "other", _("(9) other major matters")


# Art. 278 ¶2: matters (6)–(8) need at least 3/4 of the participating area and owners.
SUPERMAJORITY_MATTERS = frozenset({Matter.RAISE_FUND, Matter.REBUILD, Matter.CHANGE_USE})
ARTICLE_ITEM = {m: i for i, m in enumerate(Matter, start=1)}


class Choice(models.TextChoices):
    APPROVE = "approve", _("approve")
    OPPOSE = "oppose", _("oppose")
    ABSTAIN = "abstain", _("abstain")


# Counts a committee keeps of its members (CommitteeQuerySet.recount); not audited, not written by Committee.save().
COUNT_FIELDS = ("seated_members", "party_members")


def _seated(**more) -> Coalesce:
    """Members seated now (seat_end IS NULL) of the outer committee, as a subquery (0 when none)."""
    members = CommitteeMember.objects.filter(committee=OuterRef("pk"), seat_end__isnull=True, **more).order_by()
    return Coalesce(Subquery(members.values("committee").annotate(n=models.Count("id")).values("n")), 0)


def red_q() -> Q:
    """Red by the counts each committee keeps (`recount`): active and Party members > half of seated, in integer
    arithmetic (2 × Party members > seated). The rule of `with_counts`, without reading the members."""
    return Q(status=Committee.Status.ACTIVE) & GreaterThan(F("party_members") * 2, F("seated_members"))


class CommitteeQuerySet(models.QuerySet):
    def with_counts(self) -> CommitteeQuerySet:
        """Annotate `seated_count`, `party_count` and `red` (SPEC §2: active and Party members > half of seated).

        Counted by a subquery per committee, not a join and GROUP BY: a page of 20 committees then counts the
        members of those 20 only, instead of grouping every member of the district before the LIMIT."""
        return self.annotate(seated_count=_seated(), party_count=_seated(is_party_member=True)).annotate(
            # Integer arithmetic: 2 × Party members − seated > 0 ⇔ Party members > half.
            party_margin=models.F("party_count") * 2 - models.F("seated_count"),
            red=models.Case(
                models.When(Q(status=Committee.Status.ACTIVE, party_margin__gt=0), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def red_count(self) -> int:
        """How many of these committees are red (`red_q`): a plain filter, no pass over the members."""
        return self.filter(red_q()).count()

    def with_red(self) -> CommitteeQuerySet:
        """Annotate `red` (`red_q`) without `with_counts`' two subqueries per committee: for lists of many."""
        red = models.Case(models.When(red_q(), then=models.Value(True)), default=models.Value(False), output_field=models.BooleanField())
        return self.annotate(red=red)

    def recount(self) -> int:
        """Store each of these committees' seated members and Party members as counted now, in one UPDATE
        (a subquery per count). Called by the CommitteeMember signals, and by writers that bypass them."""
        return self.order_by().update(seated_members=_seated(), party_members=_seated(is_party_member=True))

    def drifted(self) -> CommitteeQuerySet:
        """Committees whose kept counts differ from a count of their members now: a write that bypassed the
        signals (a queryset update, bulk_create, two unlocked writers at once). The nightly recount repairs them."""
        return self.alias(counted_seated=_seated(), counted_party=_seated(is_party_member=True)).exclude(
            seated_members=F("counted_seated"), party_members=F("counted_party")
        )

    def current(self) -> CommitteeQuerySet:
        return self.filter(status__in=[Committee.Status.PREPARING, Committee.Status.ACTIVE])


class Committee(TimeStampedModel):
    """An owners' committee (业委会) of one compound for one term."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("preparing")
        ACTIVE = "active", pgettext_lazy("committee status", "active")
        EXPIRED = "expired", _("term expired")
        DISSOLVED = "dissolved", _("dissolved")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="committees", verbose_name=_("compound"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREPARING)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"))
    filed_on = models.DateField(
        _("filed on"), null=True, blank=True, help_text=_("Date the committee was filed (备案) with the authorities.")
    )
    election = models.ForeignKey(
        "Vote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("election that seated it")
    )
    # Set once when the 90-day reminder went out, so a repeated beat tick never reminds twice.
    reminder_sent_at = models.DateTimeField(_("term-end reminder sent at"), null=True, blank=True)
    # Kept by `CommitteeQuerySet.recount` (signals on CommitteeMember; bulk writers call it themselves), so
    # that the red ratio over thousands of committees is a filter. Seated = seat_end IS NULL, as in `with_counts`.
    seated_members = models.PositiveIntegerField(_("members seated"), default=0, editable=False)
    party_members = models.PositiveIntegerField(_("Party members seated"), default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", *COUNT_FIELDS])
    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("owners' committee")
        verbose_name_plural = _("owners' committees")
        ordering = ["compound_id", "-term_start"]
        indexes = [
            # GET /committees/ (committees.api CommitteeViewSet): by compound, newest term first, a page at a time.
            models.Index(fields=["compound", "-term_start", "id"], name="committee_list"),
        ]
        constraints = [
            # One committee per compound at a time: preparing or active.
            models.UniqueConstraint(
                fields=["compound"], condition=Q(status__in=["preparing", "active"]), name="committee_one_current_per_compound"
            ),
            models.CheckConstraint(condition=Q(term_end__gt=F("term_start")), name="committee_term_end_after_start"),
            models.CheckConstraint(
                condition=Q(term_end__lte=AddYears(F("term_start"), MAX_TERM_YEARS)), name="committee_term_at_most_5_years"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound} · {self.term_start:%Y}–{self.term_end:%Y}"

    def save(self, *args, **kwargs) -> None:
        # The member counts belong to `recount`: saving a committee loaded before its members changed must not
        # write its stale counts back, so an update leaves them out unless asked for by name.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in COUNT_FIELDS]
        super().save(*args, **kwargs)

    def seats_now(self) -> models.QuerySet[CommitteeMember]:
        return self.members.filter(seat_end__isnull=True)

    @property
    def is_red(self) -> bool:
        """Derived, never stored: active, and Party members are more than half of the seated members."""
        if hasattr(self, "red"):
            return bool(self.red)
        if self.status != self.Status.ACTIVE:
            return False
        seated = self.seats_now()
        total = seated.count()
        return total > 0 and seated.filter(is_party_member=True).count() * 2 > total

    def days_to_term_end(self, today=None) -> int:
        return (self.term_end - (today or timezone.localdate())).days


class MemberQuerySet(models.QuerySet):
    def roster(self) -> MemberQuerySet:
        """Seated members first; director, deputies, members; then by seniority."""
        rank = models.Case(
            models.When(role=CommitteeMember.Role.DIRECTOR, then=models.Value(0)),
            models.When(role=CommitteeMember.Role.DEPUTY, then=models.Value(1)),
            default=models.Value(2),
        )
        return self.annotate(role_rank=rank).order_by(F("seat_end").desc(nulls_first=True), "role_rank", "seat_start", "id")


class CommitteeMember(TimeStampedModel):
    """A seat on a committee. A seat ends (seat_end) rather than being deleted."""

    class Role(models.TextChoices):
        DIRECTOR = "director", _("director")
        DEPUTY = "deputy", _("deputy director")
        MEMBER = "member", _("member")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members", verbose_name=_("committee"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    owner = models.ForeignKey(Owner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="committee_seats", verbose_name=_("user")
    )
    candidate = models.ForeignKey(
        "Candidate", on_delete=models.SET_NULL, null=True, blank=True, related_name="seats", verbose_name=_("elected as candidate")
    )
    role = models.CharField(pgettext_lazy("committee seat", "role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_party_member = models.BooleanField(_("Party member"), default=False)
    is_retired_cadre = models.BooleanField(_("retired cadre"), default=False)
    is_deputy = models.BooleanField(_("people's congress deputy or CPPCC member"), default=False)
    is_model_worker = models.BooleanField(_("model worker"), default=False)
    in_party_branch = models.BooleanField(_("also sits on the compound Party branch"), default=False)
    in_property_team = models.BooleanField(_("also sits on the property company's on-site team"), default=False)
    seat_start = models.DateField(_("seat start"))
    seat_end = models.DateField(_("seat end"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee_id", "seat_end", "role", "id"]
        constraints = [
            # Only one seated director per committee at a time.
            models.UniqueConstraint(
                fields=["committee"], condition=Q(role="director", seat_end__isnull=True), name="committee_one_seated_director"
            ),
            models.CheckConstraint(
                condition=Q(seat_end__isnull=True) | Q(seat_end__gte=F("seat_start")), name="member_seat_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def is_seated(self) -> bool:
        return self.seat_end is None

    @property
    def is_cross_appointed(self) -> bool:
        return self.in_party_branch or self.in_property_team


class Vote(TimeStampedModel):
    """An owners' vote on one Art. 278 matter. An election is matter (3) with seats and candidates."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("published")
        CERTIFIED = "certified", _("certified")
        CANCELLED = "cancelled", _("cancelled")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="votes", verbose_name=_("compound"))
    matter = models.CharField(_("matter (Civil Code Art. 278)"), max_length=20, choices=Matter.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(_("term of the elected committee (years)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("certified by")
    )
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True)
    # The tally as certified, every figure included; recomputing from the ballots gives the same.
    result = models.JSONField(_("certified result"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("owners' vote")
        verbose_name_plural = _("owners' votes")
        ordering = ["-opens_at", "-id"]
        indexes = [
            # GET /elections/, /decisions/ (committees.api _VoteViewSet): newest first, by keyset.
            models.Index(F("opens_at").desc(), F("id").desc(), name="vote_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="vote_closes_after_opening"),
            models.CheckConstraint(
                condition=(Q(matter="election") & Q(seats__gte=1) & Q(term_years__gte=1, term_years__lte=MAX_TERM_YEARS))
                | (~Q(matter="election") & Q(seats__isnull=True) & Q(term_years__isnull=True)),
                name="vote_seats_only_for_elections",
            ),
            models.CheckConstraint(
                condition=~Q(status="certified") | Q(certified_at__isnull=False, result__isnull=False), name="vote_certified_has_result"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_election(self) -> bool:
        return self.matter == Matter.ELECTION

    @property
    def needs_supermajority(self) -> bool:
        return self.matter in SUPERMAJORITY_MATTERS

    @property
    def article_item(self) -> int:
        return ARTICLE_ITEM[Matter(self.matter)]

    def is_in_window(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at

    @property
    def phase(self) -> str:
        """draft · scheduled · voting · closed (awaiting certification) · certified · cancelled."""
        if self.status != self.Status.OPEN:
            return self.status
        now = timezone.now()
        if now < self.opens_at:
            return "scheduled"
        return "voting" if now < self.closes_at else "closed"

    @property
    def is_counting(self) -> bool:
        """Ballots may still come or change (open, before the window closes): no outcome is final, so
        pages say 计票中 instead of elected / not elected."""
        return self.phase in ("scheduled", "voting")


class RollEntry(models.Model):
    """One head on a vote's register, frozen when the vote is published (SPC interpretation Arts. 8–9).

    `key` names the buyer: "o:<owner ids>" for the units held by exactly that set of owners (one
    owner with three units → one entry with three units), "developer" for all unsold or
    undelivered units together. `area` is the sum of the registered areas of the entry's units.
    """

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="roll", verbose_name=_("vote"))
    key = models.CharField(_("buyer key"), max_length=200)
    area = models.DecimalField(_("exclusive-part area (m²)"), max_digits=14, decimal_places=2)
    unit_count = models.PositiveIntegerField(_("units"))
    is_developer = models.BooleanField(_("developer's unsold units"), default=False)
    label = models.CharField(_("units"), max_length=200, blank=True)
    owners = models.ManyToManyField(Owner, through="RollOwner", related_name="+", verbose_name=_("owners who may cast it"))

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        constraints = [
            models.UniqueConstraint(fields=["vote", "key"], name="roll_unique_buyer"),
            models.CheckConstraint(condition=Q(area__gt=0) & Q(unit_count__gt=0), name="roll_area_and_units_positive"),
        ]

    def __str__(self) -> str:
        return self.label or self.key


class RollOwner(models.Model):
    """Who may cast the ballot of a register entry (any co-owner; the last ballot wins)."""

    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE, related_name="links")
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "owner"], name="roll_owner_unique")]
        # "Which entries may this owner cast?" (ballot casting) filters by owner.
        indexes = [models.Index(fields=["owner"], name="roll_owner_owner_idx")]

    def __str__(self) -> str:
        return f"{self.owner_id} → {self.entry_id}"


class Candidate(TimeStampedModel):
    """A person put forward for a compound's committee (三推荐、两回请, or owners' joint nomination).

    Candidates are first gathered per compound (the district's mobilisation pool), vetted, and put on
    an election's ballot (`vote`). Only approved candidates appear on a published ballot.
    """

    class Source(models.TextChoices):
        COMMUNITY_PARTY = "community_party", _("recommended by the village/community Party organisation")
        COMPOUND_BRANCH = "compound_branch", _("recommended by the compound Party branch")
        BUILDING_LEADER = "building_leader", _("recommended by a Party building leader")
        RETIRED_AGENCY = "retired_agency", _("recalled: retired Party member with Party relationship in an agency")
        SECRETARY_ELSEWHERE = "secretary_elsewhere", _("recalled: owner serving as Party secretary elsewhere")
        OWNERS_JOINT = "owners_joint", _("nominated jointly by owners")

    class Vetting(models.TextChoices):
        PENDING = "pending", _("awaiting vetting")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", pgettext_lazy("candidate vetting", "rejected")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("compound"))
    vote = models.ForeignKey(Vote, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates", verbose_name=_("election"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    owner = models.ForeignKey(Owner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner"))
    source = models.CharField(pgettext_lazy("candidate nomination", "source"), max_length=20, choices=Source.choices)
    is_party_member = models.BooleanField(_("Party member"), default=False)
    is_retired_cadre = models.BooleanField(_("retired cadre"), default=False)
    is_deputy = models.BooleanField(_("people's congress deputy or CPPCC member"), default=False)
    is_model_worker = models.BooleanField(_("model worker"), default=False)
    statement = models.TextField(_("statement"), blank=True)
    vetting = models.CharField(_("vetting"), max_length=10, choices=Vetting.choices, default=Vetting.PENDING)
    vetting_reason = models.CharField(_("vetting reason"), max_length=300, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("vetted by")
    )
    vetted_at = models.DateTimeField(_("vetted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["compound_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(vetting="rejected") | ~Q(vetting_reason=""), name="candidate_rejection_has_reason"),
        ]

    def __str__(self) -> str:
        return self.name


class Ballot(models.Model):
    """One head's ballot in a vote. Changing a ballot adds a row and supersedes the old one.

    `status=counted` marks the one ballot per register entry the tally uses (a partial unique
    constraint); superseded rows stay as history. A paper ballot waits (`pending`) until a
    community official signs it off.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        PAPER = "paper", _("paper")

    class Status(models.TextChoices):
        PENDING = "pending", _("paper ballot awaiting sign-off")
        COUNTED = "counted", _("counted")
        SUPERSEDED = "superseded", _("superseded")
        REJECTED = "rejected", _("rejected at sign-off")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("vote"))
    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("register entry"))
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="+", verbose_name=_("cast by owner"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("entered by")
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("signed off by")
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["vote_id", "-cast_at", "-id"]
        indexes = [
            # GET /ballots/ (committees.api BallotViewSet): newest first, by keyset.
            models.Index(F("cast_at").desc(), F("id").desc(), name="ballot_newest"),
        ]
        constraints = [
            # The tally counts one ballot per head: the latest counted one. Its partial index also
            # serves the tally's scan of a vote's counted ballots.
            models.UniqueConstraint(fields=["vote", "entry"], condition=Q(status="counted"), name="ballot_one_counted_per_head"),
            # A paper ballot is counted (or superseded, or rejected) only after sign-off.
            models.CheckConstraint(
                condition=Q(channel="online") | Q(status="pending") | Q(signed_off_at__isnull=False), name="ballot_paper_signed_off"
            ),
            models.CheckConstraint(condition=~Q(channel="online") | ~Q(status="pending"), name="ballot_online_never_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.entry_id} {self.get_status_display()}"


class BallotMark(models.Model):
    """An election ballot's choice for one candidate. No mark for a candidate counts as abstaining."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="marks", verbose_name=_("ballot"))
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="marks", verbose_name=_("candidate"))
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ballot mark")
        verbose_name_plural = _("ballot marks")
        constraints = [models.UniqueConstraint(fields=["ballot", "candidate"], name="mark_one_per_candidate")]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.get_choice_display()}"
