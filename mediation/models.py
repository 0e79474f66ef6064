"""Deliberation and mediation (SPEC §4.4): venues, deliberation-day rules and meetings with their
agenda, attendees and action items; dispute cases; legal liaisons (公检法司), consultations,
police cases and judges' workstation screenings with the hazards they found."""

import datetime as dt

from dateutil import rrule
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Community, Compound, Subdistrict, Unit
from core.models import TimeStampedModel

_ONE_PLACE = (Q(compound__isnull=False) & Q(community__isnull=True)) | (Q(compound__isnull=True) & Q(community__isnull=False))


class Venue(TimeStampedModel):
    """A place where residents deliberate: belongs to exactly one compound or one community."""

    class Kind(models.TextChoices):
        PAVILION = "pavilion", _("deliberation pavilion")
        HALL = "hall", _("residents' deliberation hall")
        TEA_HOUSE = "tea_house", _("owners' tea house")
        COLLECTION_POINT = "collection_point", _("public opinion collection point")
        JUDGES_WORKSTATION = "judges_workstation", _("judges' workstation")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="venues", verbose_name=_("compound")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="venues", verbose_name=_("community")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_PLACE, name="venue_compound_xor_community"),
            models.UniqueConstraint(fields=["compound", "name"], name="venue_unique_name_in_compound"),
            models.UniqueConstraint(fields=["community", "name"], name="venue_unique_name_in_community"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self):
        return self.compound or self.community


class DeliberationRule(TimeStampedModel):
    """When a compound's deliberation day (议事日) recurs; sessions are generated from it with dateutil's rrule.

    monthly: the `positions`-th `weekday` of each month (e.g. [2, 4] and Saturday; -1 is the last);
    weekly: every `interval` weeks on `weekday`.
    """

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("monthly, on the n-th weekday")
        WEEKLY = "weekly", _("every n weeks")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="deliberation_rules", verbose_name=_("compound"))
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="rules", verbose_name=_("venue"))
    title = models.CharField(_("title"), max_length=100)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.SATURDAY)
    # Weeks of the month for a monthly rule, e.g. [2, 4]; -1 is the last. Validated by the service.
    positions = models.JSONField(_("weeks of the month"), default=list, blank=True, help_text=_("e.g. 2,4; -1 is the last"))
    interval = models.PositiveSmallIntegerField(_("every n weeks"), default=1, validators=[MinValueValidator(1), MaxValueValidator(8)])
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"), null=True, blank=True)
    start_time = models.TimeField(_("starts at"), default=dt.time(9, 0))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("deliberation-day rule")
        verbose_name_plural = _("deliberation-day rules")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="rule_weekday_0_6"),
            models.CheckConstraint(condition=Q(interval__gte=1), name="rule_interval_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="rule_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def recurrence(self, *, until: dt.date) -> rrule.rrule:
        """The rule as a dateutil rrule over local dates from `start_date` to `until` (or `end_date`)."""
        day = rrule.weekdays[self.weekday]
        last = min(until, self.end_date) if self.end_date else until
        start = dt.datetime.combine(self.start_date, dt.time())
        end = dt.datetime.combine(last, dt.time())
        if self.frequency == self.Frequency.WEEKLY:
            return rrule.rrule(rrule.WEEKLY, interval=self.interval, byweekday=day, dtstart=start, until=end)
        return rrule.rrule(rrule.MONTHLY, byweekday=[day(n) for n in self.positions], dtstart=start, until=end)

    def dates(self, *, start: dt.date, until: dt.date) -> list[dt.date]:
        """Session dates between `start` and `until` inclusive."""
        return [d.date() for d in self.recurrence(until=until) if d.date() >= start]

    @property
    def rrule_text(self) -> str:
        """RFC 5545 text of the rule (what a calendar client would import)."""
        return str(self.recurrence(until=self.end_date or self.start_date + dt.timedelta(days=366))).split("\n")[-1]


class Meeting(TimeStampedModel):
    class Kind(models.TextChoices):
        DELIBERATION_DAY = "deliberation_day", _("deliberation day")
        MICRO_CONSULTATION = "micro_consultation", _("micro-consultation")
        FOUR_PARTY = "four_party", _("four-party joint meeting")
        TEA_HOUSE = "tea_house", _("owners' tea house")

    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("upcoming")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("compound"))
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("venue"))
    rule = models.ForeignKey(
        DeliberationRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions", verbose_name=_("rule")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UPCOMING)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            # Regenerating a rule's sessions inserts with ignore_conflicts: one session per rule and start.
            models.UniqueConstraint(fields=["rule", "starts_at"], name="meeting_one_session_per_rule_start"),
            models.CheckConstraint(condition=Q(rule__isnull=True) | Q(kind="deliberation_day"), name="meeting_rule_only_for_deliberation"),
        ]
        indexes = [models.Index(fields=["compound", "starts_at"], name="meeting_compound_start")]

    def __str__(self) -> str:
        return self.title


class Attendee(models.Model):
    class Party(models.TextChoices):
        COMMUNITY_PARTY = "community_party", _("community Party organisation")
        PARTY_BRANCH = "party_branch", _("compound Party branch")
        PROPERTY_COMPANY = "property_company", _("property company")
        OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
        RESIDENT = "resident", _("resident")
        COMMUNITY = "community", _("community residents' committee")
        LEGAL = "legal", _("legal worker or police")
        OTHER = "other", _("other")

    # The four parties of a four-party joint meeting (四方联席会议).
    FOUR_PARTIES = (Party.COMMUNITY_PARTY, Party.PARTY_BRANCH, Party.PROPERTY_COMPANY, Party.OWNERS_COMMITTEE)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("meeting"))
    name = models.CharField(_("name"), max_length=50)
    party = models.CharField(_("represents"), max_length=20, choices=Party.choices)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "name", "party"], name="attendee_once_per_party")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_party_display()})"


class Topic(TimeStampedModel):
    """An agenda topic: proposed by a resident (or staff), then accepted, merged or declined; accepted ones get settled."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", pgettext_lazy("topic status", "accepted")
        MERGED = "merged", _("merged")
        DECLINED = "declined", _("declined")
        SETTLED = "settled", _("settled")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="topics", verbose_name=_("compound"))
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="topics", verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("proposed by")
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_topics", verbose_name=_("merged into")
    )
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("topic decision", "decided by"),
    )
    decided_at = models.DateTimeField(pgettext_lazy("topic decision", "decided at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="merged") & Q(merged_into__isnull=False)) | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="topic_merged_iff_target",
            ),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""), name="topic_declined_has_reason"),
            models.CheckConstraint(condition=~Q(merged_into=models.F("id")), name="topic_not_merged_into_itself"),
            models.CheckConstraint(
                condition=(Q(status="settled") & Q(settled_at__isnull=False)) | (~Q(status="settled") & Q(settled_at__isnull=True)),
                name="topic_settled_iff_settled_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionItem(TimeStampedModel):
    """Something a meeting decided, with an owner and a due date, followed until done."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting"))
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items", verbose_name=_("topic"))
    title = models.CharField(_("what"), max_length=200)
    owner_name = models.CharField(pgettext_lazy("action item owner", "owner"), max_length=100)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_at__isnull=False)) | (~Q(status="done") & Q(done_at__isnull=True)),
                name="action_item_done_iff_done_at",
            )
        ]
        indexes = [
            # The dashboard's "overdue action items": not done, due before today.
            models.Index(fields=["due_date"], name="action_item_open_due", condition=~Q(status="done")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.DONE and self.due_date < timezone.localdate()


class LegalLiaison(TimeStampedModel):
    """A legal worker or police officer linked to compounds (公检法司挂钩)."""

    class Kind(models.TextChoices):
        LEGAL_WORKER = "legal_worker", _("legal worker")
        POLICE_OFFICER = "police_officer", _("police officer")

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="liaisons", verbose_name=_("user account")
    )
    compounds = models.ManyToManyField(Compound, related_name="legal_liaisons", verbose_name=_("linked compounds"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("legal liaison")
        verbose_name_plural = _("legal liaisons")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["name", "kind", "organisation"], name="liaison_unique_person")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class LegalConsultation(TimeStampedModel):
    """A legal question answered for residents of a compound (法律咨询)."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="legal_consultations", verbose_name=_("compound"))
    liaison = models.ForeignKey(
        LegalLiaison, on_delete=models.PROTECT, null=True, blank=True, related_name="consultations", verbose_name=_("answered by")
    )
    given_on = models.DateField(_("date"))
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), blank=True)
    is_major = models.BooleanField(_("major matter"), default=True)

    class Meta:
        verbose_name = _("legal consultation")
        verbose_name_plural = _("legal consultations")
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return self.question


class PoliceCase(TimeStampedModel):
    """A criminal case in a compound solved by its linked police officer (破获案件)."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="police_cases", verbose_name=_("compound"))
    liaison = models.ForeignKey(
        LegalLiaison, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("police officer")
    )
    solved_on = models.DateField(_("solved on"))
    summary = models.CharField(_("summary"), max_length=300)

    class Meta:
        verbose_name = _("solved case")
        verbose_name_plural = _("solved cases")
        ordering = ["-solved_on", "-id"]

    def __str__(self) -> str:
        return self.summary


class Screening(TimeStampedModel):
    """A judges' workstation's sweep for property disputes in a town (物业纠纷排查)."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="screenings", verbose_name=_("town / subdistrict"))
    workstation = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        related_name="screenings",
        limit_choices_to={"kind": Venue.Kind.JUDGES_WORKSTATION},
        verbose_name=_("judges' workstation"),
    )
    held_on = models.DateField(_("date"))
    compounds = models.ManyToManyField(Compound, related_name="screenings", blank=True, verbose_name=_("compounds screened"))
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.subdistrict} {self.held_on}"


class Hazard(TimeStampedModel):
    """A hazard a screening found, and what became of it."""

    class Severity(models.TextChoices):
        ORDINARY = "ordinary", _("ordinary")
        MAJOR = "major", pgettext_lazy("hazard severity", "major")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        HANDLED = "handled", _("handled")
        REFERRED = "referred", _("referred")

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="hazards", verbose_name=_("screening"))
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="hazards", verbose_name=_("compound"))
    description = models.CharField(_("description"), max_length=300)
    severity = models.CharField(
        pgettext_lazy("hazard severity", "severity"), max_length=10, choices=Severity.choices, default=Severity.ORDINARY
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("what became of it"), max_length=300, blank=True)
    handled_on = models.DateField(_("handled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open") & Q(handled_on__isnull=True)) | (~Q(status="open") & Q(handled_on__isnull=False)),
                name="hazard_handled_iff_date",
            ),
            models.CheckConstraint(condition=Q(status="open") | ~Q(outcome=""), name="hazard_closed_has_outcome"),
        ]

    def __str__(self) -> str:
        return self.description


class DisputeCase(TimeStampedModel):
    """A neighbour or property dispute taken to mediation (矛盾纠纷)."""

    class Type(models.TextChoices):
        NEIGHBOUR = "neighbour", _("between neighbours")
        PROPERTY_SERVICE = "property_service", _("property service")
        FEES = "fees", _("fees")
        LEAK = "leak", _("leaks")
        PARKING = "parking", _("parking")
        FIRE_LANE = "fire_lane", _("fire lane")
        OTHER = "other", _("other")

    class Source(models.TextChoices):
        DELIBERATION_DAY = "deliberation_day", _("deliberation day")
        HOTLINE = "hotline", _("hotline")
        SCREENING = "screening", _("screening")
        WALK_IN = "walk_in", _("walk-in")
        COMPLAINT = "complaint", _("complaint")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        AGREEMENT = "agreement", _("agreement reached")
        COURT = "court", _("referred to court")
        ARBITRATION = "arbitration", _("referred to arbitration")
        WITHDRAWN = "withdrawn", _("withdrawn")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("compound"))
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, null=True, blank=True, related_name="disputes", verbose_name=_("complaint")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="disputes", verbose_name=_("deliberation day")
    )
    screening = models.ForeignKey(
        Screening, on_delete=models.SET_NULL, null=True, blank=True, related_name="disputes", verbose_name=_("screening")
    )
    summary = models.CharField(_("summary"), max_length=300)
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    agreement_text = models.TextField(_("agreement"), blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("registered by")
    )

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("dispute cases")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open") & Q(outcome="") & Q(closed_on__isnull=True))
                | (Q(status="closed") & ~Q(outcome="") & Q(closed_on__isnull=False)),
                name="dispute_closed_iff_outcome",
            ),
            models.CheckConstraint(condition=~Q(outcome="agreement") | ~Q(agreement_text=""), name="dispute_agreement_has_text"),
            models.CheckConstraint(condition=~Q(source="complaint") | Q(complaint__isnull=False), name="dispute_complaint_source_linked"),
        ]
        indexes = [models.Index(fields=["compound", "closed_on"], name="dispute_compound_closed")]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_resolved(self) -> bool:
        """Resolved (化解) means mediation ended in an agreement."""
        return self.outcome == self.Outcome.AGREEMENT


class DisputeParty(models.Model):
    class Side(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        RESPONDENT = "respondent", _("respondent")

    case = models.ForeignKey(DisputeCase, on_delete=models.CASCADE, related_name="parties", verbose_name=_("case"))
    name = models.CharField(_("name"), max_length=100)
    side = models.CharField(_("side"), max_length=12, choices=Side.choices, default=Side.APPLICANT)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=pgettext_lazy("dispute party", "unit")
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CaseMediator(models.Model):
    class Kind(models.TextChoices):
        LEGAL_WORKER = "legal_worker", _("legal worker")
        POLICE_OFFICER = "police_officer", _("police officer")
        JUDGES_WORKSTATION = "judges_workstation", _("judges' workstation")
        COMMUNITY_CADRE = "community_cadre", _("community cadre")

    case = models.ForeignKey(DisputeCase, on_delete=models.CASCADE, related_name="mediators", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    liaison = models.ForeignKey(LegalLiaison, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("liaison"))

    class Meta:
        verbose_name = pgettext_lazy("case mediator", "mediator")
        verbose_name_plural = _("mediators")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind", "name"], name="case_mediator_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class MediationSession(models.Model):
    case = models.ForeignKey(DisputeCase, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("case"))
    held_on = models.DateField(_("date"))
    venue = models.ForeignKey(Venue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("venue"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.held_on}"
