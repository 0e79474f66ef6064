"""Complaints (work orders), their append-only events and photos (SPEC §4.1)."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Community, Compound, PropertyCompany, Subdistrict


class Category(models.Model):
    """A kind of problem; also an Open311 service. Deadlines are in working time."""

    code = models.SlugField(_("service code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    group = models.CharField(_("group"), max_length=50, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    accept_hours = models.PositiveSmallIntegerField(_("sign for within (working hours)"), default=4)
    resolve_days = models.PositiveSmallIntegerField(_("resolve within (working days)"), default=5)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    is_target = models.BooleanField(_("one of the district's ten target problems"), default=False)
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Comma-separated; used to classify hotline tickets.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["sort_order", "id"]
        constraints = [models.CheckConstraint(condition=Q(accept_hours__gt=0) & Q(resolve_days__gt=0), name="category_deadlines_positive")]

    def __str__(self) -> str:
        return self.name_zh


class Complaint(models.Model):
    """A resident's or hotline's report about a compound: a work order.

    `made_at` is when the resident made it (for a 12345 ticket, the call time on the ticket, not the
    import time); the metrics count complaints by `made_at` in Asia/Shanghai months. `updated_at` is
    bumped by every service write, conditional updates included, so the metrics engine can find the
    months touched since its last run.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("complaint status", "submitted")
        DISPATCHED = "dispatched", pgettext_lazy("complaint status", "dispatched")
        ACCEPTED = "accepted", pgettext_lazy("complaint status", "accepted")
        RESOLVED = "resolved", pgettext_lazy("complaint status", "resolved")
        CLOSED = "closed", pgettext_lazy("complaint status", "closed")
        REJECTED = "rejected", pgettext_lazy("complaint status", "rejected")

    class Channel(models.TextChoices):
        APP = "app", _("app / API")
        HOTLINE = "hotline", _("12345 hotline")
        WALKIN = "walkin", _("walk-in")
        OPEN311 = "open311", _("Open311 integration")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        BASIC = "basic", _("basically satisfied")
        DISSATISFIED = "dissatisfied", _("dissatisfied")

    class Overdue(models.TextChoices):
        """Which deadline an open complaint has missed; both can be."""

        SIGN_FOR = "sign_for", pgettext_lazy("missed deadline", "sign-for overdue")
        RESOLVE = "resolve", pgettext_lazy("missed deadline", "resolution overdue")

    class RejectReason(models.TextChoices):
        INVALID = "invalid", pgettext_lazy("complaint rejected as", "invalid")
        DUPLICATE = "duplicate", pgettext_lazy("complaint rejected as", "duplicate")

    # Left empty, the number is filled in by the database as the row is inserted ("TS" + the local date
    # of made_at + the id, zero-padded to 6; a BEFORE INSERT trigger on PostgreSQL, migration 0006) and
    # comes back in the INSERT's RETURNING clause: no second statement. Other databases: see
    # services.complaint_create.
    number = models.CharField(_("number"), max_length=24, unique=True, db_default="")
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("compound"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("category"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.APP)
    description = models.TextField(_("description"))
    location = models.CharField(_("location in the compound"), max_length=200, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints", verbose_name=_("reporter")
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    hotline_ticket = models.CharField(_("12345 ticket number"), max_length=40, null=True, blank=True, unique=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    assigned_company = models.ForeignKey(
        PropertyCompany, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints", verbose_name=_("assigned company")
    )
    assigned_community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints", verbose_name=_("assigned community")
    )

    made_at = models.DateTimeField(_("made at"), db_index=True)
    # Defaults rather than auto_now_add so imports and the demo can record when a thing really happened.
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    response_due = models.DateTimeField(_("sign for by"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve by"), null=True, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    # The deadline the handlers were last told is near (complaints.deadlines_near): once per deadline,
    # so a new deadline (reassignment, reopening, extension) gets its own reminder.
    deadline_reminded_for = models.DateTimeField(_("deadline reminded"), null=True, blank=True, editable=False)
    extended = models.BooleanField(_("deadline extended"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    supervised = models.BooleanField(_("under supervision"), default=False)
    supervision_answered = models.BooleanField(_("supervision answered"), default=False)

    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reject_reason = models.CharField(_("rejected as"), max_length=10, choices=RejectReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("duplicate of")
    )
    # 我也遇到: residents who joined this complaint instead of filing the same problem anew
    # (ComplaintSupporter). Kept here, written in the joining transaction, so lists show it without a
    # join; the metrics never read it (a complaint counts once however many residents it affects).
    supporter_count = models.PositiveIntegerField(_("supporters"), default=0, db_default=0)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-made_at", "-id"]
        indexes = [
            # Metrics: complaints of a compound by month.
            models.Index(fields=["compound", "made_at"], name="complaint_compound_made"),
            # Queues: a company's or community's open orders.
            models.Index(fields=["assigned_company", "status"], name="complaint_company_status"),
            models.Index(fields=["status", "is_overdue"], name="complaint_status_overdue"),
            # Lists read by keyset (core.pagination): the queue's default order, ORDER BY made_at DESC, id DESC,
            # as one backward range; with a status filter (?status=dispatched) the same within the status.
            models.Index(fields=["made_at", "id"], name="complaint_list_made"),
            models.Index(fields=["status", "made_at", "id"], name="complaint_list_status_made"),
            # The queue's sortable columns (?ordering=resolve_due, ?ordering=status), each read by keyset.
            models.Index(fields=["resolve_due", "id"], name="complaint_list_due"),
            models.Index(fields=["status", "id"], name="complaint_list_status"),
            # The officials' to-do count, overdue open complaints by town (complaints.desk.official_tasks, on
            # every page's top bar): an index-only scan of the overdue ones, not a heap read per complaint.
            models.Index(
                fields=["is_overdue", "compound"],
                include=["reporter", "id"],
                name="complaint_open_overdue",
                condition=Q(status__in=("submitted", "dispatched", "accepted"), is_overdue=True),
            ),
            # The overdue filter (?overdue=true) in the queue's orders: overdue complaints are a small part of a
            # district's history, so walking the whole order's index for them read 960,000 rows at 1,000,000.
            models.Index(fields=["resolve_due", "id"], name="complaint_overdue_due", condition=Q(is_overdue=True)),
            models.Index(fields=["made_at", "id"], name="complaint_overdue_made", condition=Q(is_overdue=True)),
            # The dashboard's overdue list (ratings.selectors.overdue_complaints): open overdue ones, most overdue
            # first, 20 of them; sorting every overdue complaint of the district took 1.7–2.4 s at 10,000,000.
            models.Index(
                fields=["response_due", "id"],
                name="complaint_open_overdue_due",
                condition=Q(status__in=("submitted", "dispatched", "accepted"), is_overdue=True),
            ),
            # The metrics engine's incremental run (ratings.engine): unsigned complaints whose sign-for deadline
            # passed since the last run, with no write; read through the status index it took 1.7 s at 10,000,000.
            models.Index(fields=["response_due"], name="complaint_unsigned_due", condition=Q(status__in=("submitted", "dispatched"))),
            # The supervision list: open complaints, ORDER BY is_overdue DESC, resolve_due, id.
            models.Index(
                F("is_overdue").desc(),
                "resolve_due",
                "id",
                name="complaint_supervision",
                condition=Q(status__in=("submitted", "dispatched", "accepted")),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(reject_reason=""), name="complaint_rejected_has_reason"),
            models.CheckConstraint(condition=Q(rating="") | Q(rated_at__isnull=False), name="complaint_rating_has_time"),
        ]

    def __str__(self) -> str:
        return self.number

    # Overdue (SPEC §4.1), the one rule: the sign-for deadline binds until the complaint is signed for,
    # the resolve deadline until it is resolved; an open complaint past one of them is overdue. The
    # `is_overdue` flag (refreshed by complaints.refresh_overdue) stores `overdue_q`; lists, exports and
    # the API name the missed deadline through `deadlines_missed`.
    # AWAITING_RESOLUTION is what every list, desk, figure and service calls an open complaint. The partial
    # indexes in Meta spell both tuples out as literals (the class is not built yet there); a test keeps
    # them equal, since a planner uses a partial index only when the query's condition matches it.
    AWAITING_SIGN_FOR = (Status.SUBMITTED, Status.DISPATCHED)
    AWAITING_RESOLUTION = (Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED)

    @classmethod
    def overdue_q(cls, now: datetime) -> Q:
        """Complaints past a deadline at `now` (the database form of `deadlines_missed`)."""
        return Q(status__in=cls.AWAITING_SIGN_FOR, response_due__lt=now) | Q(status__in=cls.AWAITING_RESOLUTION, resolve_due__lt=now)

    @classmethod
    def deadlines_missed(
        cls, *, status: str, response_due: datetime | None, resolve_due: datetime | None, now: datetime
    ) -> list["Complaint.Overdue"]:
        """The deadlines a complaint in `status` with these deadlines has missed at `now`, sign-for first."""
        missed = []
        if status in cls.AWAITING_SIGN_FOR and response_due is not None and response_due < now:
            missed.append(cls.Overdue.SIGN_FOR)
        if status in cls.AWAITING_RESOLUTION and resolve_due is not None and resolve_due < now:
            missed.append(cls.Overdue.RESOLVE)
        return missed

    @property
    def missed_deadlines(self) -> list["Complaint.Overdue"]:
        """The deadlines this complaint has missed now (签收超时 / 办结超时)."""
        return self.deadlines_missed(status=self.status, response_due=self.response_due, resolve_due=self.resolve_due, now=timezone.now())

    @property
    def assignee(self) -> "PropertyCompany | Community | None":
        """Who handles it now: the assigned company, or the community for a self-managed compound."""
        return self.assigned_company or self.assigned_community


class ComplaintSupporter(models.Model):
    """我也遇到 ("me too"): a resident with the same problem as an open complaint who joined it instead of
    filing anew. They follow it like its reporter (notified at each step) without a complaint of their
    own: the metrics keep counting complaints (SPEC §5), supporters are shown beside them.

    A resident joins with their account (`user`, once per complaint); a walk-in visitor without an account
    is recorded by the community worker by name and phone (`user` empty, once per phone).
    """

    class Channel(models.TextChoices):
        APP = "app", _("app / API")
        WALKIN = "walkin", _("walk-in")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="supporters", verbose_name=_("complaint"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="complaint_supports",
        verbose_name=_("resident"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.APP)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "user"], condition=Q(user__isnull=False), name="complaint_supporter_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["complaint", "phone"], condition=Q(user__isnull=True) & ~Q(phone=""), name="complaint_supporter_once_per_phone"
            ),
            # An app supporter is a signed-in resident; only a walk-in comes without an account.
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(channel="walkin"), name="complaint_supporter_has_user_or_walkin"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.user_id or self.phone or self.pk}"


class ComplaintEvent(models.Model):
    """One step of a complaint's life: who, when, from, to, note. Append-only: never edited or deleted."""

    class Kind(models.TextChoices):
        CREATE = "create", pgettext_lazy("complaint event", "filed")
        DISPATCH = "dispatch", pgettext_lazy("complaint event", "dispatched")
        ACCEPT = "accept", pgettext_lazy("complaint event", "signed for")
        RETURN = "return", pgettext_lazy("complaint event", "returned")
        REJECT = "reject", pgettext_lazy("complaint event", "rejected")
        REASSIGN = "reassign", pgettext_lazy("complaint event", "reassigned")
        EXTEND = "extend", pgettext_lazy("complaint event", "deadline extended")
        RESOLVE = "resolve", pgettext_lazy("complaint event", "resolved")
        CONFIRM = "confirm", pgettext_lazy("complaint event", "confirmed")
        REOPEN = "reopen", pgettext_lazy("complaint event", "reopened")
        CLOSE = "close", pgettext_lazy("complaint event", "closed")
        SUPERVISE = "supervise", pgettext_lazy("complaint event", "supervision notice")
        ANSWER = "answer", pgettext_lazy("complaint event", "supervision answered")
        COMMENT = "comment", pgettext_lazy("complaint event", "comment")
        OVERDUE = "overdue", pgettext_lazy("complaint event", "became overdue")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events", verbose_name=_("complaint"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_status = models.CharField(pgettext_lazy("event", "from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]
        indexes = [
            # The audit log (communities.selectors.audit_entries_visible_to): the newest events first, and
            # its "older than" pages; without it, a scan and sort of every event (0.2 s at 840,000).
            models.Index(fields=["at"], name="complaintevent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"


def complaint_photo_path(instance: "ComplaintPhoto", filename: str) -> str:
    return f"complaints/{instance.complaint_id}/{filename}"


class ComplaintPhoto(models.Model):
    class Stage(models.TextChoices):
        REPORT = "report", pgettext_lazy("photo stage", "report")
        RESOLUTION = "resolution", pgettext_lazy("photo stage", "resolution")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos", verbose_name=_("complaint"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.REPORT)
    image = models.ImageField(_("image"), upload_to=complaint_photo_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` for one complaint filing, written in the filing's transaction.

    A retry with the same key by the same user finds this row and gets the stored response back.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    key = models.CharField(_("key"), max_length=100)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("complaint"))
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return self.key


class Open311Client(models.Model):
    """An integration client allowed to POST service requests through Open311 (api_key issued in the admin)."""

    name = models.CharField(_("name"), max_length=100)
    api_key = models.CharField(_("API key"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name


class HotlineImport(models.Model):
    """One upload of the 12345 platform's export, with its per-row report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    file = models.FileField(_("file"), upload_to="hotline/")
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    duplicates = models.PositiveIntegerField(_("already imported"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("12345 import")
        verbose_name_plural = _("12345 imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name


class HotlineImportRow(models.Model):
    """What became of one row: imported (with its complaint), already imported, or refused and why."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("imported")
        DUPLICATE = "duplicate", _("already imported")
        REFUSED = "refused", _("refused")

    batch = models.ForeignKey(HotlineImport, on_delete=models.CASCADE, related_name="rows", verbose_name=_("import"))
    row_number = models.PositiveIntegerField(_("row"))
    ticket = models.CharField(_("ticket number"), max_length=40, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("complaint")
    )

    class Meta:
        verbose_name = _("12345 import row")
        verbose_name_plural = _("12345 import rows")
        ordering = ["batch_id", "row_number"]
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="hotline_row_unique")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"


class SurgeWarning(models.Model):
    """预警: complaints of one target category in one town or community rose well above their own
    recent baseline this week (`complaints.surges`). One row per category, area and week; the
    detector updates the count while the week lasts and notifies the area's officials once."""

    class Level(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("town / subdistrict")
        COMMUNITY = "community", _("community")

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    level = models.CharField(_("area level"), max_length=12, choices=Level.choices)
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+", verbose_name=_("town / subdistrict"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community"))
    week_start = models.DateField(_("week starting"))
    count = models.PositiveIntegerField(_("complaints this week"))
    baseline = models.DecimalField(_("weekly mean of the eight weeks before"), max_digits=10, decimal_places=3)
    p_value = models.FloatField(_("Poisson upper-tail probability"))
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    notified_at = models.DateTimeField(_("officials notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-week_start", "p_value"]
        constraints = [
            # One warning per category, area and week; NULLS NOT DISTINCT would need PostgreSQL 15,
            # so the town-level rows get their own partial constraint.
            models.UniqueConstraint(
                fields=["category", "community", "week_start"], condition=Q(level="community"), name="surge_unique_community_week"
            ),
            models.UniqueConstraint(
                fields=["category", "subdistrict", "week_start"], condition=Q(level="subdistrict"), name="surge_unique_town_week"
            ),
            models.CheckConstraint(
                condition=(Q(level="community") & Q(community__isnull=False)) | (Q(level="subdistrict") & Q(community__isnull=True)),
                name="surge_level_matches_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.community or self.subdistrict} {self.week_start:%Y-%m-%d}"

    @property
    def area(self) -> "Subdistrict | Community":
        return self.community if self.community_id else self.subdistrict
