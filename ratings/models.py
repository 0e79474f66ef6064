"""Surveys, metric snapshots, star ratings, company evaluations and district targets (SPEC §5).

The snapshot table holds one row per (level, area, month): compound rows computed from the domain
tables, community / subdistrict / district rows summed from the rows below them. Every rate is stored
with its numerator and denominator, so a roll-up is an exact sum (Σ ÷ Σ), never a mean of rates.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Community, Compound, District, Subdistrict, Unit


class Level(models.TextChoices):
    DISTRICT = "district", _("district")
    SUBDISTRICT = "subdistrict", _("town / subdistrict")
    COMMUNITY = "community", _("community")
    COMPOUND = "compound", _("compound")


class Answer(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASIC = "basic", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


# The five dimensions of the "520" method: residents satisfied with governance, living environment,
# service, public order and neighbour relations.
DIMENSIONS = [
    ("governance", _("governance")),
    ("environment", _("living environment")),
    ("service", _("service")),
    ("public_order", _("public order")),
    ("neighbours", _("neighbour relations")),
]


class SurveyRound(models.Model):
    """A satisfaction survey over a period and an area. Its responses count in the month of `period_end`."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("survey status", "open")
        CLOSED = "closed", pgettext_lazy("survey status", "closed")

    title = models.CharField(_("title"), max_length=100)
    level = models.CharField(_("area level"), max_length=12, choices=Level.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("district"))
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("town / subdistrict")
    )
    community = models.ForeignKey(Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community"))
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("compound"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    month = models.DateField(_("counts in month"), editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="survey_period_ordered"),
            models.CheckConstraint(
                name="survey_area_matches_level",
                condition=(
                    Q(level="district", district__isnull=False, subdistrict__isnull=True, community__isnull=True, compound__isnull=True)
                    | Q(
                        level="subdistrict", district__isnull=True, subdistrict__isnull=False, community__isnull=True, compound__isnull=True
                    )
                    | Q(level="community", district__isnull=True, subdistrict__isnull=True, community__isnull=False, compound__isnull=True)
                    | Q(level="compound", district__isnull=True, subdistrict__isnull=True, community__isnull=True, compound__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def area(self):
        return self.compound or self.community or self.subdistrict or self.district

    def compound_q(self, prefix: str = "") -> Q:
        """The compounds this round covers, as a filter on a compound queryset (or a related path)."""
        if self.level == Level.COMPOUND:
            return Q(**{f"{prefix}id": self.compound_id})
        if self.level == Level.COMMUNITY:
            return Q(**{f"{prefix}community_id": self.community_id})
        if self.level == Level.SUBDISTRICT:
            return Q(**{f"{prefix}community__subdistrict_id": self.subdistrict_id})
        return Q(**{f"{prefix}community__subdistrict__district_id": self.district_id})


class SurveyResponse(models.Model):
    """One household's (unit's) answer to a round: an overall rating and the five "520" dimensions."""

    class Source(models.TextChoices):
        APP = "app", _("App/API")
        PAPER = "paper", _("paper (imported)")

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey round"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    # Denormalised from the unit so the metrics group responses by compound without a join.
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+", verbose_name=_("compound"))
    overall = models.CharField(_("overall"), max_length=12, choices=Answer.choices)
    governance = models.CharField(_("governance"), max_length=12, choices=Answer.choices)
    environment = models.CharField(_("living environment"), max_length=12, choices=Answer.choices)
    service = models.CharField(_("service"), max_length=12, choices=Answer.choices)
    public_order = models.CharField(_("public order"), max_length=12, choices=Answer.choices)
    neighbours = models.CharField(_("neighbour relations"), max_length=12, choices=Answer.choices)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("source"), max_length=6, choices=Source.choices, default=Source.APP)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("answering resident")
    )
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["round_id", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="survey_one_response_per_household")]
        indexes = [models.Index(fields=["compound", "round"], name="survey_resp_compound_round")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.unit_id}"


class MetricSnapshot(models.Model):
    """Counts and rates of one area in one calendar month (Asia/Shanghai), written only by the engine."""

    level = models.CharField(_("area level"), max_length=12, choices=Level.choices)
    area_id = models.BigIntegerField(_("area id"))
    month = models.DateField(_("month"))
    # The area's place in the tree (compound rows carry all four; a district row only the district).
    compound = models.ForeignKey(
        Compound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("compound"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("community"),
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("town / subdistrict"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("district"),
    )

    compounds = models.IntegerField(_("number of compounds"), default=0)
    households = models.BigIntegerField(_("households"), default=0)
    # Complaints made in the month, rejected ones excluded.
    complaints = models.IntegerField(_("number of complaints"), default=0)
    resolved = models.IntegerField(_("resolved or closed"), default=0)
    response_due = models.IntegerField(_("due for signing"), default=0)
    responded_on_time = models.IntegerField(_("signed for in time"), default=0)
    rated = models.IntegerField(_("closed and rated"), default=0)
    rated_satisfied = models.IntegerField(_("rated satisfied or basically satisfied"), default=0)
    overdue = models.IntegerField(_("overdue complaints"), default=0)
    supervised = models.IntegerField(_("complaints put under supervision"), default=0)
    # Survey responses of rounds counting in the month.
    survey_responses = models.IntegerField(_("survey responses"), default=0)
    survey_satisfied = models.IntegerField(_("satisfied or basically satisfied"), default=0)
    dim_governance = models.IntegerField(_("satisfied with governance"), default=0)
    dim_environment = models.IntegerField(_("satisfied with living environment"), default=0)
    dim_service = models.IntegerField(_("satisfied with service"), default=0)
    dim_order = models.IntegerField(_("satisfied with public order"), default=0)
    dim_neighbours = models.IntegerField(_("satisfied with neighbour relations"), default=0)
    # Rectification lists whose deadline falls in the month (inspections app).
    rect_due = models.IntegerField(_("rectification lists due"), default=0)
    rect_on_time = models.IntegerField(_("accepted by the deadline"), default=0)
    inspections = models.IntegerField(_("compounds with an inspection score"), default=0)
    inspection_score_sum = models.DecimalField(_("sum of latest inspection scores"), max_digits=14, decimal_places=4, default=Decimal(0))
    # Committees at the end of the month (committees app).
    committee_eligible = models.IntegerField(_("compounds eligible for a committee"), default=0)
    committee_formed = models.IntegerField(_("eligible compounds with an active committee"), default=0)
    committees_active = models.IntegerField(_("active committees"), default=0)
    committees_red = models.IntegerField(_("red committees"), default=0)
    # Mediation and deliberation (mediation app).
    disputes = models.IntegerField(_("dispute cases"), default=0)
    disputes_settled = models.IntegerField(_("disputes settled"), default=0)
    meetings = models.IntegerField(_("meetings held"), default=0)
    micro_consultations = models.IntegerField(_("micro-consultations held"), default=0)

    # Exact rates, in percent (complaint ratio: per 100 households), rounded to 6 places; None when there is no denominator.
    complaint_ratio = models.DecimalField(_("complaint ratio"), max_digits=14, decimal_places=6, null=True)
    resolution_rate = models.DecimalField(_("resolution rate"), max_digits=10, decimal_places=6, null=True)
    response_rate = models.DecimalField(_("response rate"), max_digits=10, decimal_places=6, null=True)
    ticket_satisfaction_rate = models.DecimalField(_("ticket satisfaction rate"), max_digits=10, decimal_places=6, null=True)
    satisfaction_rate = models.DecimalField(_("satisfaction rate"), max_digits=10, decimal_places=6, null=True)
    rectification_rate = models.DecimalField(_("on-time rectification rate"), max_digits=10, decimal_places=6, null=True)
    formation_rate = models.DecimalField(_("committee formation rate"), max_digits=10, decimal_places=6, null=True)
    red_ratio = models.DecimalField(_("red committee ratio"), max_digits=10, decimal_places=6, null=True)
    inspection_score = models.DecimalField(_("inspection score"), max_digits=10, decimal_places=6, null=True)
    overdue_rate = models.DecimalField(_("overdue rate"), max_digits=10, decimal_places=6, null=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("metric snapshot")
        verbose_name_plural = _("metric snapshots")
        ordering = ["level", "area_id", "month"]
        constraints = [models.UniqueConstraint(fields=["level", "area_id", "month"], name="snapshot_one_per_area_month")]
        # Compound rows of a whole district or town are read by a sequential scan (they are most of the table).
        indexes = [
            # Roll-ups and dashboards: the compounds of an area in a month range.
            models.Index(fields=["level", "community", "month"], name="snapshot_level_community"),
            # Roll-ups of towns from community rows and of the district from town rows (small partial indexes,
            # so the 100,000s of compound rows a full run writes do not maintain them).
            models.Index(fields=["subdistrict", "month"], condition=Q(level="community"), name="snapshot_community_rows"),
            models.Index(fields=["district", "month"], condition=Q(level="subdistrict"), name="snapshot_subdistrict_rows"),
        ]

    def __str__(self) -> str:
        return f"{self.level}:{self.area_id}:{self.month:%Y-%m}"


class MetricRun(models.Model):
    """One run of the engine. The last finished run's `watermark` is where the next incremental run starts."""

    class Kind(models.TextChoices):
        FULL = "full", _("full")
        INCREMENTAL = "incremental", _("incremental")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    watermark = models.DateTimeField(_("watermark"))
    month_from = models.DateField(_("first month"), null=True, blank=True)
    month_to = models.DateField(_("last month"), null=True, blank=True)
    touched = models.IntegerField(_("compound-months recomputed"), default=0)
    duration_ms = models.IntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("metrics run")
        verbose_name_plural = _("metrics runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class StarRatingRound(models.Model):
    """A periodic star rating of the district's managed compounds (satisfaction weighted highest by default)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PROPOSED = "proposed", pgettext_lazy("rating round", "proposed")
        PUBLISHED = "published", _("published")

    title = models.CharField(_("title"), max_length=100)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    month_from = models.DateField(_("first month"))
    month_to = models.DateField(_("last month"))
    w_satisfaction = models.DecimalField(_("weight: satisfaction"), max_digits=5, decimal_places=2, default=Decimal(50))
    w_inspection = models.DecimalField(_("weight: inspection score"), max_digits=5, decimal_places=2, default=Decimal(25))
    w_complaints = models.DecimalField(_("weight: complaint ratio"), max_digits=5, decimal_places=2, default=Decimal(15))
    w_rectification = models.DecimalField(_("weight: rectification timeliness"), max_digits=5, decimal_places=2, default=Decimal(10))
    # Complaint-ratio score = 100 − penalty × monthly-average complaint ratio (floored at 0).
    complaint_penalty = models.DecimalField(
        _("points lost per complaint per 100 households"), max_digits=6, decimal_places=2, default=Decimal(10)
    )
    cut_5 = models.DecimalField(_("five stars from"), max_digits=5, decimal_places=2, default=Decimal(90))
    cut_4 = models.DecimalField(_("four stars from"), max_digits=5, decimal_places=2, default=Decimal(80))
    cut_3 = models.DecimalField(_("three stars from"), max_digits=5, decimal_places=2, default=Decimal(70))
    cut_2 = models.DecimalField(_("two stars from"), max_digits=5, decimal_places=2, default=Decimal(60))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("published by")
    )

    class Meta:
        verbose_name = _("star rating round")
        verbose_name_plural = _("star rating rounds")
        ordering = ["-month_to", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(month_to__gte=models.F("month_from")), name="star_round_months_ordered"),
            models.CheckConstraint(
                condition=Q(w_satisfaction__gte=0, w_inspection__gte=0, w_complaints__gte=0, w_rectification__gte=0),
                name="star_round_weights_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(cut_5__gt=models.F("cut_4"), cut_4__gt=models.F("cut_3"), cut_3__gt=models.F("cut_2")),
                name="star_round_cutoffs_descending",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def stars_for(self, score: Decimal) -> int:
        for stars, cut in ((5, self.cut_5), (4, self.cut_4), (3, self.cut_3), (2, self.cut_2)):
            if score >= cut:
                return stars
        return 1


class StarRating(models.Model):
    """The engine's proposal for one compound, with its breakdown, and the official's decision."""

    round = models.ForeignKey(StarRatingRound, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("rating round"))
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="star_ratings", verbose_name=_("compound"))
    satisfaction_rate = models.DecimalField(_("satisfaction rate"), max_digits=10, decimal_places=6, null=True)
    inspection_score = models.DecimalField(_("latest inspection score"), max_digits=10, decimal_places=6, null=True)
    complaint_ratio = models.DecimalField(_("monthly-average complaint ratio"), max_digits=14, decimal_places=6, null=True)
    rectification_rate = models.DecimalField(_("on-time rectification rate"), max_digits=10, decimal_places=6, null=True)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=4)
    proposed_stars = models.PositiveSmallIntegerField(_("proposed stars"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    reason = models.CharField(_("reason for adjusting"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("star rating")
        verbose_name_plural = _("star ratings")
        ordering = ["round_id", "-score", "compound_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "compound"], name="star_rating_one_per_compound"),
            models.CheckConstraint(condition=Q(proposed_stars__gte=1, proposed_stars__lte=5), name="star_rating_proposed_1_to_5"),
            models.CheckConstraint(condition=Q(stars__isnull=True) | Q(stars__gte=1, stars__lte=5), name="star_rating_stars_1_to_5"),
            # An official who departs from the proposal says why.
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars=models.F("proposed_stars")) | ~Q(reason=""),
                name="star_rating_adjustment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.stars or self.proposed_stars}★"


class EvaluationRound(models.Model):
    """A property-company evaluation (物业企业信用评价) of a district's companies over finished months.

    The officials' weights of the eight inputs (ratings.evaluation.INPUTS) sum to 100. draft (scores
    computed, each confirmed or adjusted) → confirmed (every company's score settled) → published (ranks
    and the 红黑榜 fixed).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONFIRMED = "confirmed", pgettext_lazy("evaluation round", "confirmed")
        PUBLISHED = "published", _("published")

    title = models.CharField(_("title"), max_length=100)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    month_from = models.DateField(_("first month"))
    month_to = models.DateField(_("last month"))
    w_complaint_ratio = models.DecimalField(_("weight: complaint ratio"), max_digits=5, decimal_places=2, default=Decimal(15))
    w_response = models.DecimalField(_("weight: response rate"), max_digits=5, decimal_places=2, default=Decimal(10))
    w_resolution = models.DecimalField(_("weight: resolution rate"), max_digits=5, decimal_places=2, default=Decimal(10))
    w_ticket_satisfaction = models.DecimalField(_("weight: ticket satisfaction"), max_digits=5, decimal_places=2, default=Decimal(10))
    w_satisfaction = models.DecimalField(_("weight: survey satisfaction"), max_digits=5, decimal_places=2, default=Decimal(20))
    w_inspection = models.DecimalField(_("weight: inspection score"), max_digits=5, decimal_places=2, default=Decimal(15))
    w_rectification = models.DecimalField(_("weight: on-time rectification"), max_digits=5, decimal_places=2, default=Decimal(10))
    w_supervision = models.DecimalField(_("weight: supervision notices"), max_digits=5, decimal_places=2, default=Decimal(10))
    # Complaint-ratio points = 100 − complaint_penalty × monthly-average complaint ratio (floored at 0).
    complaint_penalty = models.DecimalField(
        _("points lost per complaint per 100 households"), max_digits=6, decimal_places=2, default=Decimal(10)
    )
    # Supervision points = 100 − supervision_penalty × supervised complaints per managed compound (floored at 0).
    supervision_penalty = models.DecimalField(
        _("points lost per supervised complaint per compound"), max_digits=6, decimal_places=2, default=Decimal(20)
    )
    board_size = models.PositiveSmallIntegerField(_("companies on each side of the red and black list"), default=3)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    computed_at = models.DateTimeField(_("scores computed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("published by")
    )

    class Meta:
        verbose_name = _("company evaluation round")
        verbose_name_plural = _("company evaluation rounds")
        ordering = ["-month_to", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(month_to__gte=models.F("month_from")), name="evaluation_round_months_ordered"),
            models.CheckConstraint(
                condition=Q(
                    w_complaint_ratio__gte=0,
                    w_response__gte=0,
                    w_resolution__gte=0,
                    w_ticket_satisfaction__gte=0,
                    w_satisfaction__gte=0,
                    w_inspection__gte=0,
                    w_rectification__gte=0,
                    w_supervision__gte=0,
                ),
                name="evaluation_round_weights_nonnegative",
            ),
            # The weights are shares of 100 points.
            models.CheckConstraint(
                condition=Q(
                    w_supervision=100
                    - models.F("w_complaint_ratio")
                    - models.F("w_response")
                    - models.F("w_resolution")
                    - models.F("w_ticket_satisfaction")
                    - models.F("w_satisfaction")
                    - models.F("w_inspection")
                    - models.F("w_rectification")
                ),
                name="evaluation_round_weights_sum_100",
            ),
            models.CheckConstraint(condition=Q(board_size__gte=1, board_size__lte=20), name="evaluation_round_board_size"),
            models.CheckConstraint(condition=Q(complaint_penalty__gte=0, supervision_penalty__gte=0), name="evaluation_round_penalties"),
        ]

    def __str__(self) -> str:
        return self.title


class CompanyEvaluation(models.Model):
    """One company's figures, points and score in a round, and the official's decision on it.

    The figures are the indicator catalogue's over the round's months for the compounds the company
    manages on the round's last day (`compounds`); `computed_score` is the weighted score; `score` the
    confirmed one (equal to it, or adjusted with a reason).
    """

    class Board(models.TextChoices):
        RED = "red", _("red list (best)")
        BLACK = "black", _("black list (worst)")

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="results", verbose_name=_("evaluation round"))
    company = models.ForeignKey(
        "communities.PropertyCompany", on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("property company")
    )
    compounds = models.ManyToManyField(Compound, related_name="+", verbose_name=_("compounds evaluated"))
    compound_count = models.PositiveIntegerField(_("number of compounds"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    complaint_ratio = models.DecimalField(_("monthly-average complaint ratio"), max_digits=14, decimal_places=6, null=True)
    response_rate = models.DecimalField(_("response rate"), max_digits=10, decimal_places=6, null=True)
    resolution_rate = models.DecimalField(_("resolution rate"), max_digits=10, decimal_places=6, null=True)
    ticket_satisfaction_rate = models.DecimalField(_("ticket satisfaction rate"), max_digits=10, decimal_places=6, null=True)
    satisfaction_rate = models.DecimalField(_("cumulative satisfaction rate"), max_digits=10, decimal_places=6, null=True)
    inspection_score = models.DecimalField(_("inspection score"), max_digits=10, decimal_places=6, null=True)
    rectification_rate = models.DecimalField(_("on-time rectification rate"), max_digits=10, decimal_places=6, null=True)
    supervised = models.PositiveIntegerField(_("complaints put under supervision"), default=0)
    computed_score = models.DecimalField(_("computed score"), max_digits=7, decimal_places=4)
    score = models.DecimalField(_("confirmed score"), max_digits=7, decimal_places=4, null=True, blank=True)
    reason = models.CharField(_("reason for adjusting"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    board = models.CharField(_("red and black list"), max_length=5, choices=Board.choices, blank=True)

    class Meta:
        verbose_name = _("company evaluation")
        verbose_name_plural = _("company evaluations")
        ordering = ["round_id", "rank", "-computed_score", "company_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "company"], name="evaluation_one_per_company"),
            models.CheckConstraint(
                condition=Q(computed_score__gte=0, computed_score__lte=100) & (Q(score__isnull=True) | Q(score__gte=0, score__lte=100)),
                name="evaluation_scores_0_to_100",
            ),
            # An official who departs from the computed score says why.
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score=models.F("computed_score")) | ~Q(reason=""),
                name="evaluation_adjustment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.score if self.score is not None else self.computed_score}"

    @property
    def final_score(self) -> Decimal:
        return self.computed_score if self.score is None else self.score

    @property
    def adjusted(self) -> bool:
        return self.score is not None and self.score != self.computed_score


class EvaluationEvent(models.Model):
    """Append-only trail of a round: who computed, confirmed, adjusted (with the reason) and published.

    Written only by ratings.services; the admin shows it read-only and the audit page (/audit/) lists it.
    """

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("evaluation event", "round opened")
        COMPUTED = "computed", pgettext_lazy("evaluation event", "scores computed")
        CONFIRMED = "confirmed", pgettext_lazy("evaluation event", "score confirmed")
        ADJUSTED = "adjusted", pgettext_lazy("evaluation event", "score adjusted")
        ROUND_CONFIRMED = "round_confirmed", pgettext_lazy("evaluation event", "round confirmed")
        PUBLISHED = "published", pgettext_lazy("evaluation event", "round published")

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="events", verbose_name=_("evaluation round"))
    company = models.ForeignKey(
        "communities.PropertyCompany",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("property company"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    score_from = models.DecimalField(_("score before"), max_digits=7, decimal_places=4, null=True, blank=True)
    score_to = models.DecimalField(_("score after"), max_digits=7, decimal_places=4, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("company evaluation event")
        verbose_name_plural = _("company evaluation events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.round.title}：{self.company.name}" if self.company_id else self.round.title


class Target(models.Model):
    """One of the district's "five rises, two falls" (五升两降): an indicator with a baseline, a target and a direction."""

    class Indicator(models.TextChoices):
        FORMATION_RATE = "formation_rate", _("committee formation rate")
        RED_RATIO = "red_ratio", _("red committee ratio")
        SATISFACTION_RATE = "satisfaction_rate", _("satisfaction rate")
        RESPONSE_RATE = "response_rate", _("response rate")
        RESOLUTION_RATE = "resolution_rate", _("resolution rate")
        RECTIFICATION_RATE = "rectification_rate", _("on-time rectification rate")
        TICKET_SATISFACTION_RATE = "ticket_satisfaction_rate", _("ticket satisfaction rate")
        COMPLAINT_RATIO = "complaint_ratio", _("monthly-average complaint ratio")
        OVERDUE_RATE = "overdue_rate", _("overdue complaint rate")

    class Direction(models.TextChoices):
        RISE = "rise", _("rise")
        FALL = "fall", _("fall")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=4)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=4)
    baseline_from = models.DateField(_("baseline from month"), null=True, blank=True)
    baseline_to = models.DateField(_("baseline to month"), null=True, blank=True)
    month_from = models.DateField(_("measured from month"))
    month_to = models.DateField(_("measured to month"), null=True, blank=True, help_text=_("Empty: up to the latest month."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("district target")
        verbose_name_plural = _("district targets")
        ordering = ["direction", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "indicator"], name="target_one_per_indicator"),
            # A rise target lies above its baseline, a fall target below.
            models.CheckConstraint(
                condition=(Q(direction="rise") & Q(target__gt=models.F("baseline")))
                | (Q(direction="fall") & Q(target__lt=models.F("baseline"))),
                name="target_direction_matches",
            ),
            models.CheckConstraint(
                condition=Q(baseline_from__isnull=True, baseline_to__isnull=True) | Q(baseline_to__gte=models.F("baseline_from")),
                name="target_baseline_span_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.get_indicator_display()
