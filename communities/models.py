"""Places, companies, units, owners, and who may see what (role assignments)."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.credit_code import validate_credit_code
from core.models import TimeStampedModel


class District(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.CharField(_("division code"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Subdistrict(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", _("town")
        STREET = "street", _("subdistrict")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts", verbose_name=_("district"))
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TOWN)

    class Meta:
        verbose_name = _("town / subdistrict")
        verbose_name_plural = _("towns / subdistricts")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="subdistrict_unique_name")]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="communities", verbose_name=_("town / subdistrict"))
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "name"], name="community_unique_name")]

    def __str__(self) -> str:
        return self.name


class PropertyCompany(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code])
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CompoundQuerySet(models.QuerySet):
    def managed_by(self, company: "PropertyCompany | int", on=None) -> "CompoundQuerySet":
        """Compounds the company manages on a date (today by default)."""
        return self.filter(pk__in=ManagementContract.objects.in_force(on).filter(company=company).values("compound_id"))


def new_public_id() -> str:
    """An unguessable id for a compound's public page (128 random bits, URL-safe, 22 characters)."""
    return secrets.token_urlsafe(16)


class Compound(TimeStampedModel):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=100)
    aliases = models.CharField(
        _("aliases"), max_length=300, blank=True, help_text=_("Other names, separated by commas; used to match hotline tickets.")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    household_count = models.PositiveIntegerField(_("household count"), default=0)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    is_old = models.BooleanField(_("old compound"), default=False)
    has_party_branch = models.BooleanField(_("has a Party branch"), default=False)
    committee_eligible = models.BooleanField(_("eligible to form an owners' committee"), default=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Written by the ratings app when officials publish a rating round; public to residents.
    published_stars = models.PositiveSmallIntegerField(_("published stars"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The public page /p/<public_id>/ (no login): the id is not the database id, so pages cannot be
    # enumerated; only compounds whose page officials have published answer (others are a 404).
    public_id = models.CharField(_("public page id"), max_length=32, unique=True, default=new_public_id, editable=False)
    public_page = models.BooleanField(_("public page published"), default=False)

    objects = CompoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name"),
            models.CheckConstraint(
                condition=Q(published_stars__isnull=True) | Q(published_stars__gte=1, published_stars__lte=5),
                name="compound_stars_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def current_contract(self, on=None) -> "ManagementContract | None":
        return ManagementContract.objects.in_force(on).filter(compound=self).select_related("company").first()

    @property
    def current_company(self) -> "PropertyCompany | None":
        contract = self.current_contract()
        return contract.company if contract else None

    @property
    def is_self_managed(self) -> bool:
        return self.current_contract() is None


class ContractQuerySet(models.QuerySet):
    def in_force(self, on=None) -> "ContractQuerySet":
        day = on or timezone.localdate()
        return self.filter(Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day)))


class ManagementContract(TimeStampedModel):
    """Which company manages which compound, from when to when (end inclusive; open-ended if empty).

    At most one contract is in force per compound: on PostgreSQL an exclusion constraint over the
    date range enforces it (migration 0002); everywhere a partial unique index allows one open contract.
    """

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("compound"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("property company"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("management contract")
        verbose_name_plural = _("management contracts")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="contract_end_after_start"),
            models.UniqueConstraint(fields=["compound"], condition=Q(end__isnull=True), name="contract_one_open_per_compound"),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.compound}"


class Owner(TimeStampedModel):
    """A person or organisation owning exclusive parts (专有部分).

    For vote counting every unit held by the same owner counts as one head; the developer's unsold
    units are held by one owner flagged `is_developer`, so they count as one head together.
    """

    name = models.CharField(_("name"), max_length=100)
    id_number_hash = models.CharField(
        _("identity number digest"), max_length=64, blank=True, help_text=_("SHA-256 of the ID number; identifies one buyer across units.")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_developer = models.BooleanField(_("developer"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owner", verbose_name=_("user account")
    )

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["id"]
        constraints = [
            # One buyer is one owner however many units they hold; the Excel import finds owners by it.
            models.UniqueConstraint(fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="owner_unique_id_digest"),
        ]
        indexes = [
            # "The owner with this digest" (roster import, once per row): SQLite cannot prove that
            # `= digest` implies the unique index's `<> ''`, so the partial index alone is never used there.
            models.Index(fields=["id_number_hash"], name="owner_id_digest"),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(TimeStampedModel):
    class Kind(models.TextChoices):
        APARTMENT = "apartment", _("apartment")
        SHOP = "shop", _("shop")
        OTHER = "other", _("other")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="units", verbose_name=_("compound"))
    building = models.CharField(_("building"), max_length=20)
    entrance = models.CharField(_("unit (entrance)"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.APARTMENT)
    area = models.DecimalField(
        _("registered floor area (m²)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    is_developer_unsold = models.BooleanField(_("developer's unsold or undelivered unit"), default=False)
    owners = models.ManyToManyField(Owner, through="Ownership", related_name="units", verbose_name=_("owners"))

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["compound_id", "building", "entrance", "room"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "building", "entrance", "room"], name="unit_unique_address"),
            models.CheckConstraint(condition=Q(area__gt=0), name="unit_area_positive"),
        ]

    def __str__(self) -> str:
        parts = [self.building, self.entrance, self.room]
        return "-".join(p for p in parts if p)


class Ownership(TimeStampedModel):
    """An owner's title to a unit. Co-owners of one unit are several rows; the unit still votes once."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="ownerships", verbose_name=_("unit"))
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="ownerships", verbose_name=_("owner"))
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        constraints = [models.UniqueConstraint(fields=["unit", "owner"], name="ownership_unique")]

    def __str__(self) -> str:
        return f"{self.owner} @ {self.unit}"


class OwnershipClaim(TimeStampedModel):
    """A resident's request to be recognised as owner of a unit; a community worker or official decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ownership_claims", verbose_name=_("user"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="claims", verbose_name=_("unit"))
    owner_name = models.CharField(_("owner's name as registered"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ownership claim")
        verbose_name_plural = _("ownership claims")
        ordering = ["-created_at"]
        constraints = [
            # One open claim per user and unit; the verification queue lists pending claims.
            models.UniqueConstraint(fields=["user", "unit"], condition=Q(status="pending"), name="claim_one_pending"),
        ]


_PLACE = Q(district__isnull=False) | Q(subdistrict__isnull=False) | Q(community__isnull=False) | Q(compound__isnull=False)


class RoleAssignment(TimeStampedModel):
    """A role a user holds, with its scope (SPEC §3). A user may hold several.

    official: district, subdistrict or community; staff: company; committee: compound;
    mediator: subdistrict, community or compound; resident: no scope field (their verified units).
    """

    class Role(models.TextChoices):
        OFFICIAL = "official", _("official")
        STAFF = "staff", _("property-company staff")
        COMMITTEE = "committee", _("owners' committee member")
        MEDIATOR = "mediator", _("mediator")
        RESIDENT = "resident", _("resident")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    district = models.ForeignKey(District, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("district"))
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("town / subdistrict")
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("community"))
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("compound"))
    company = models.ForeignKey(
        PropertyCompany, on_delete=models.CASCADE, null=True, blank=True, related_name="staff_roles", verbose_name=_("property company")
    )
    is_admin = models.BooleanField(_("administrator of the company"), default=False)
    title = models.CharField(pgettext_lazy("job title", "title"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    (Q(role="official") & Q(compound__isnull=True, company__isnull=True) & _PLACE)
                    | (
                        Q(role="staff")
                        & Q(
                            company__isnull=False,
                            district__isnull=True,
                            subdistrict__isnull=True,
                            community__isnull=True,
                            compound__isnull=True,
                        )
                    )
                    | (
                        Q(role="committee")
                        & Q(
                            compound__isnull=False,
                            company__isnull=True,
                            district__isnull=True,
                            subdistrict__isnull=True,
                            community__isnull=True,
                        )
                    )
                    | (Q(role="mediator") & Q(company__isnull=True) & _PLACE)
                    | (
                        Q(role="resident")
                        & Q(
                            company__isnull=True,
                            district__isnull=True,
                            subdistrict__isnull=True,
                            community__isnull=True,
                            compound__isnull=True,
                        )
                    )
                ),
            ),
            models.CheckConstraint(
                name="role_single_place",
                condition=(
                    Q(district__isnull=True, subdistrict__isnull=True, community__isnull=True)
                    | Q(district__isnull=True, subdistrict__isnull=True, compound__isnull=True)
                    | Q(district__isnull=True, community__isnull=True, compound__isnull=True)
                    | Q(subdistrict__isnull=True, community__isnull=True, compound__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        place = self.compound or self.community or self.subdistrict or self.district or self.company
        return str(place) if place else ""
