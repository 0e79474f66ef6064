"""Writes for places, companies, units and people. Every change is atomic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from communities import id_numbers, selectors, workbook
from communities.credit_code import validate_credit_code
from communities.models import (
    Compound,
    ManagementContract,
    Owner,
    Ownership,
    OwnershipClaim,
    PropertyCompany,
    RoleAssignment,
    Unit,
)
from core.errors import PermissionDenied, ScopeError, ValidationError, WorkflowError
from core.models import User


@transaction.atomic
def resident_register(*, username: str, password: str, display_name: str = "", phone: str = "", email: str = "") -> User:
    """Create a resident account. Side effect: a resident role assignment."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("This username is taken."), field="username")
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.RESIDENT)
    return user


@transaction.atomic
def ownership_claim_create(*, user: User, unit: Unit, owner_name: str) -> OwnershipClaim:
    if Ownership.objects.filter(unit=unit, owner__user=user).exists():
        raise WorkflowError(_("You are already a verified owner of this unit."))
    if OwnershipClaim.objects.filter(user=user, unit=unit, status=OwnershipClaim.Status.PENDING).exists():
        raise WorkflowError(_("A claim for this unit is already waiting for verification."))
    return OwnershipClaim.objects.create(user=user, unit=unit, owner_name=owner_name.strip())


@transaction.atomic
def ownership_claim_decide(*, claim_id: int, actor: User, approve: bool, reason: str = "") -> OwnershipClaim:
    """Verify or reject a resident's claim. Verifying links the user to the unit's registered owner
    of that name (or records a new owner) so the resident can vote and sees the compound."""
    claim = OwnershipClaim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None or not selectors.is_official_for(actor, claim.unit.compound):
        raise ScopeError(_("Claim not found."))
    if claim.status != OwnershipClaim.Status.PENDING:
        raise WorkflowError(_("This claim has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError(_("Give a reason for rejecting the claim."), field="reason")
    if approve:
        owner = (
            Owner.objects.filter(ownerships__unit=claim.unit, name=claim.owner_name, user__isnull=True).first()
            or Owner.objects.filter(user=claim.user).first()
        )
        if owner is None:
            owner = Owner.objects.create(name=claim.owner_name, phone=claim.user.phone)
        if owner.user_id is None:
            if Owner.objects.filter(user=claim.user).exclude(pk=owner.pk).exists():
                # The user already stands for another owner record; attach this unit to that one.
                owner = Owner.objects.get(user=claim.user)
            else:
                owner.user = claim.user
                owner.save(update_fields=["user", "updated_at"])
        Ownership.objects.get_or_create(unit=claim.unit, owner=owner)
        RoleAssignment.objects.get_or_create(user=claim.user, role=RoleAssignment.Role.RESIDENT)
    claim.status = OwnershipClaim.Status.VERIFIED if approve else OwnershipClaim.Status.REJECTED
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.reason = reason.strip()
    claim.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    return claim


@transaction.atomic
def company_create(*, name: str, credit_code: str, **fields) -> PropertyCompany:
    company = PropertyCompany(name=name, credit_code=credit_code.upper(), **fields)
    try:
        company.full_clean()
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationError(messages[0], field=field) from exc
    company.save()
    return company


@transaction.atomic
def contract_create(*, compound: Compound, company: PropertyCompany, start: dt.date, end: dt.date | None = None) -> ManagementContract:
    """Record a management contract; refuses one that overlaps another for the same compound."""
    if end is not None and end < start:
        raise ValidationError(_("The contract cannot end before it starts."), field="end")
    # Lock the compound row so two concurrent contracts cannot both pass the overlap check.
    Compound.objects.select_for_update().filter(pk=compound.pk).first()
    overlap = ManagementContract.objects.filter(compound=compound).filter(Q(end__isnull=True) | Q(end__gte=start))
    if end is not None:
        overlap = overlap.filter(start__lte=end)
    if overlap.exists():
        raise WorkflowError(_("Another management contract is in force for this compound in that period."))
    return ManagementContract.objects.create(compound=compound, company=company, start=start, end=end)


# --- Accounts of workers: officials manage their area's, a company's administrator its own staff ----------


def compound_public_page_set(*, actor: User, compound_id: int, published: bool) -> Compound:
    """Publish or withdraw a compound's public page (/p/<public id>/); an official of its area only.

    A compound outside the official's area is a 404 (`ScopeError`); nothing else changes.
    """
    compound = selectors.compounds_visible_to(actor, roles=[RoleAssignment.Role.OFFICIAL]).filter(pk=compound_id).first()
    if compound is None:
        raise ScopeError(_("No such compound."))
    # updated_at is left alone on purpose: the metrics engine recomputes every month of a compound
    # whose row changed, and publishing a page changes no figure.
    Compound.objects.filter(pk=compound.pk).update(public_page=published)
    compound.public_page = published
    return compound


def _in_scope(qs, pk: int | None, field: str, label: str):
    """The object `pk` if it is in `qs`; unknown and out-of-scope ids get the same answer (no leak)."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ValidationError(_("Unknown %(what)s in your area.") % {"what": label}, field=field)
    return obj


@transaction.atomic
def account_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    title: str = "",
    subdistrict_id: int | None = None,
    community_id: int | None = None,
    compound_id: int | None = None,
    company_id: int | None = None,
    is_admin: bool = False,
) -> RoleAssignment:
    """Create a worker's account with one role: a community worker or town official (official of a
    community or town in the actor's area), a mediator (of a town, community or compound there), or
    company staff (of a company working there; a company's administrator may add only its own staff).
    Side effects: a User and a RoleAssignment."""
    Role = RoleAssignment.Role
    is_official = actor.is_superuser or bool(selectors.official_places(actor))
    places = {"subdistrict_id": subdistrict_id, "community_id": community_id, "compound_id": compound_id, "company_id": company_id}
    allowed = {
        Role.OFFICIAL: {"subdistrict_id", "community_id"},
        Role.MEDIATOR: {"subdistrict_id", "community_id", "compound_id"},
        Role.STAFF: {"company_id"},
    }
    if role not in allowed:
        raise ValidationError(_("Accounts can be created for officials, mediators and company staff."), field="role")
    if role != Role.STAFF and not is_official:
        raise PermissionDenied(_("Only officials create accounts for community workers and mediators."))
    if role == Role.STAFF and not (is_official or selectors.administered_company_ids(actor)):
        raise PermissionDenied(_("Only officials and a company's administrators create staff accounts."))
    for key, value in places.items():
        if value is not None and key not in allowed[role]:
            raise ValidationError(_("This field does not apply to the chosen role."), field=key.removesuffix("_id"))
    given = [key for key in allowed[role] if places[key] is not None]
    if len(given) != 1:
        field = "company" if role == Role.STAFF else "community"
        raise ValidationError(_("Choose exactly one place or company for the account."), field=field)

    scope: dict = {}
    if role == Role.STAFF:
        companies = PropertyCompany.objects.filter(pk__in=selectors.administered_company_ids(actor))
        if is_official:
            companies = companies | selectors.companies_visible_to(actor)
        scope["company"] = _in_scope(companies, company_id, "company", _("property company"))
    else:
        scope["subdistrict"] = _in_scope(selectors.subdistricts_in_official_area(actor), subdistrict_id, "subdistrict", _("town"))
        scope["community"] = _in_scope(selectors.communities_in_official_area(actor), community_id, "community", _("community"))
        scope["compound"] = _in_scope(selectors.compounds_visible_to(actor, roles=[Role.OFFICIAL]), compound_id, "compound", _("compound"))
    if is_admin and role != Role.STAFF:
        raise ValidationError(_("Only company staff can be a company's administrator."), field="is_admin")

    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("This username is taken."), field="username")
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    return RoleAssignment.objects.create(
        user=user, role=role, title=title, is_admin=is_admin, **{k: v for k, v in scope.items() if v is not None}
    )


@transaction.atomic
def account_deactivate(*, actor: User, assignment_id: int) -> RoleAssignment:
    """Withdraw a worker's role. A user left with no active role can no longer sign in (User.is_active)."""
    if not selectors.accounts_visible_to(actor).filter(pk=assignment_id).exists():
        raise ScopeError(_("Account not found."))
    # Lock by primary key: the scoping query has outer joins, which PostgreSQL cannot lock.
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment_id)
    if assignment.user_id == actor.pk:
        raise WorkflowError(_("You cannot deactivate your own account."))
    if not RoleAssignment.objects.filter(pk=assignment.pk, is_active=True).update(is_active=False, updated_at=timezone.now()):
        raise WorkflowError(_("This account is already deactivated."))
    if not RoleAssignment.objects.filter(user_id=assignment.user_id, is_active=True).exists():
        User.objects.filter(pk=assignment.user_id).update(is_active=False)
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def account_reactivate(*, actor: User, assignment_id: int) -> RoleAssignment:
    """Give a deactivated worker their role back; they can sign in again."""
    if not selectors.accounts_visible_to(actor).filter(pk=assignment_id).exists():
        raise ScopeError(_("Account not found."))
    if not RoleAssignment.objects.filter(pk=assignment_id, is_active=False).update(is_active=True, updated_at=timezone.now()):
        raise WorkflowError(_("This account is active."))
    assignment = RoleAssignment.objects.select_related("user").get(pk=assignment_id)
    User.objects.filter(pk=assignment.user_id).update(is_active=True)
    assignment.user.is_active = True
    return assignment


# --- Onboarding: compounds, units and owners from the districts' Excel rosters ----------------------


class RowOutcome(models.TextChoices):
    IMPORTED = "imported", _lazy("imported")
    UPDATED = "updated", _lazy("updated")
    UNCHANGED = "unchanged", _lazy("unchanged")
    REFUSED = "refused", _lazy("refused")


@dataclass
class RowResult:
    sheet: str
    row: int
    label: str
    outcome: str
    detail: str = ""

    @property
    def outcome_label(self) -> str:
        return RowOutcome(self.outcome).label


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RowOutcome.values, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts


class _Refused(Exception):
    """Raised inside a row's savepoint: the row is rolled back and reported with this reason."""


@transaction.atomic
def roster_import(*, actor: User, file) -> ImportReport:
    """Apply an onboarding workbook (communities/workbook.py): compounds first, then units and owners.

    Rows are matched on natural keys (community + compound name; compound + building + entrance +
    room; owners by the SHA-256 digest of their ID number, else by name within the unit), so a
    repeated import reports every row unchanged and writes nothing. Each row runs in its own
    savepoint: a refused row writes nothing and the others go on. Only communities and compounds in
    the actor's official area are touched; anything else is refused as unknown, revealing nothing.
    Side effects: compounds, property companies, management contracts, units, owners, ownerships.
    """
    if not (actor.is_superuser or selectors.official_places(actor)):
        raise PermissionDenied(_("Only officials import rosters."))
    sheets = workbook.read(file)
    importer = _RosterImporter(actor)
    report = ImportReport()
    for sheet, rows, apply in (
        (workbook.COMPOUND_SHEET, sheets.compounds, importer.compound_row),
        (workbook.UNIT_SHEET, sheets.units, importer.unit_row),
    ):
        for row in rows:
            label = importer.label(sheet, row)
            try:
                with transaction.atomic():
                    outcome, detail = apply(row)
            except (_Refused, workbook.CellError) as exc:
                outcome, detail = RowOutcome.REFUSED, str(exc)
            except (IntegrityError, DjangoValidationError) as exc:
                outcome, detail = RowOutcome.REFUSED, _("Conflicts with data already recorded (%(error)s).") % {"error": exc}
            report.rows.append(RowResult(sheet, row.number, label, outcome, detail))
    return report


class _RosterImporter:
    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.today = timezone.localdate()
        self.communities = {
            (c.subdistrict.name, c.name): c for c in selectors.communities_in_official_area(actor).select_related("subdistrict")
        }
        self.compounds = selectors.compounds_visible_to(actor, roles=[RoleAssignment.Role.OFFICIAL])
        self.seen_compounds: dict[tuple, int] = {}
        self.seen_units: dict[tuple, int] = {}
        self.found: dict[tuple[str, str], Compound | _Refused] = {}

    @staticmethod
    def label(sheet: str, row: workbook.Row) -> str:
        v = row.values
        if sheet == workbook.COMPOUND_SHEET:
            return str(v.get("name") or "")
        address = "-".join(str(v.get(k) or "").strip() for k in ("building", "entrance", "room") if str(v.get(k) or "").strip())
        return f"{v.get('compound') or ''} {address}".strip()

    # Compounds -----------------------------------------------------------------------------------

    def compound_row(self, row: workbook.Row) -> tuple[str, str]:
        cols, v = workbook.COMPOUND_COLUMNS, row.values

        def col(key: str) -> str:
            return cols[key][0]

        town = workbook.text(v.get("subdistrict"), col("subdistrict"), required=True)
        community_name = workbook.text(v.get("community"), col("community"), required=True)
        name = workbook.text(v.get("name"), col("name"), required=True, max_length=100)
        households = workbook.whole_number(v.get("household_count"), col("household_count"), low=0, high=100000)
        if households is None:
            raise _Refused(_("%(column)s is empty.") % {"column": col("household_count")})
        community = self.communities.get((town, community_name))
        if community is None:
            raise _Refused(_("No community %(community)s in %(town)s within your area.") % {"community": community_name, "town": town})
        key = (community.pk, name)
        if key in self.seen_compounds:
            raise _Refused(_("Duplicate of row %(row)s.") % {"row": self.seen_compounds[key]})
        self.seen_compounds[key] = row.number

        facts: dict = {"household_count": households}
        for key_, max_length in (("address", 200), ("aliases", 300)):
            value = workbook.text(v.get(key_), col(key_), max_length=max_length)
            if value:
                facts[key_] = value
        year = workbook.whole_number(v.get("built_year"), col("built_year"), low=1900, high=self.today.year + 1)
        if year is not None:
            facts["built_year"] = year
        for key_ in ("is_old", "has_party_branch"):
            flag = workbook.yes_no(v.get(key_), col(key_))
            if flag is not None:
                facts[key_] = flag
        company = self._company(v)
        start = workbook.date(v.get("contract_start"), col("contract_start")) or self.today

        compound = Compound.objects.select_for_update().filter(community=community, name=name).first()
        if compound is None:
            compound = Compound.objects.create(community=community, name=name, **facts)
            outcome, changes = RowOutcome.IMPORTED, []
        else:
            changes = [Compound._meta.get_field(k).verbose_name for k, value in facts.items() if getattr(compound, k) != value]
            if changes:
                for k, value in facts.items():
                    setattr(compound, k, value)
                compound.save()
            outcome = RowOutcome.UPDATED if changes else RowOutcome.UNCHANGED
        if company is not None:
            current = compound.current_contract(self.today)
            # A contract with this company that has not ended (perhaps starting later) is already on record.
            recorded = compound.contracts.filter(company=company).filter(Q(end__isnull=True) | Q(end__gte=self.today)).exists()
            if current is None and not recorded:
                try:
                    contract_create(compound=compound, company=company, start=start)
                except (WorkflowError, ValidationError) as exc:
                    raise _Refused(exc.message) from exc
                changes.append(_("management contract with %(company)s") % {"company": company.name})
                outcome = RowOutcome.IMPORTED if outcome == RowOutcome.IMPORTED else RowOutcome.UPDATED
            elif current is not None and current.company_id != company.pk:
                raise _Refused(
                    _("%(compound)s is managed by %(company)s under a contract in force; record a change of company as a new contract.")
                    % {"compound": name, "company": current.company.name}
                )
        return outcome, "、".join(str(c) for c in changes)

    def _company(self, v: dict) -> PropertyCompany | None:
        cols = workbook.COMPOUND_COLUMNS
        name = workbook.text(v.get("company"), cols["company"][0], max_length=100)
        code = workbook.text(v.get("credit_code"), cols["credit_code"][0], max_length=30).upper()
        if not name and not code:
            return None
        if code:
            try:
                validate_credit_code(code)
            except DjangoValidationError as exc:
                raise _Refused(f"{cols['credit_code'][0]}: {exc.messages[0]}") from exc
            company = PropertyCompany.objects.filter(credit_code=code).first()
            if company is not None:
                return company
            if not name:
                raise _Refused(_("No company has this credit code; give the company's name too."))
            if PropertyCompany.objects.filter(name=name).exists():
                raise _Refused(_("The company %(name)s is recorded with another credit code.") % {"name": name})
            return company_create(name=name, credit_code=code)
        company = PropertyCompany.objects.filter(name=name).first()
        if company is None:
            raise _Refused(_("Unknown company %(name)s: give its unified social credit code to register it.") % {"name": name})
        return company

    # Units and owners ----------------------------------------------------------------------------

    def unit_row(self, row: workbook.Row) -> tuple[str, str]:
        cols, v = workbook.UNIT_COLUMNS, row.values

        def col(key: str) -> str:
            return cols[key][0]

        compound = self._compound(
            workbook.text(v.get("compound"), col("compound"), required=True, max_length=100),
            workbook.text(v.get("community"), col("community")),
        )
        building = workbook.text(v.get("building"), col("building"), required=True, max_length=20)
        entrance = workbook.text(v.get("entrance"), col("entrance"), max_length=20)
        room = workbook.text(v.get("room"), col("room"), required=True, max_length=20)
        area = workbook.area(v.get("area"), col("area"))
        kind_text = workbook.text(v.get("kind"), col("kind"))
        if kind_text and kind_text.lower() not in workbook.UNIT_KINDS:
            raise _Refused(_("%(column)s must be 住宅, 商铺 or 其他.") % {"column": col("kind")})
        unsold = workbook.yes_no(v.get("developer_unsold"), col("developer_unsold"))
        names = workbook.several(v.get("owner_names"))
        numbers = workbook.several(v.get("id_numbers"))
        if numbers and len(numbers) != len(names):
            raise _Refused(_("Give one ID number per owner name, or none."))
        for i, number in enumerate(numbers, start=1):
            if not id_numbers.is_valid_owner_number(number):
                raise _Refused(_("ID number %(n)s of this row is not a valid ID card number or credit code.") % {"n": i})
        key = (compound.pk, building, entrance, room)
        if key in self.seen_units:
            raise _Refused(_("Duplicate of row %(row)s.") % {"row": self.seen_units[key]})
        self.seen_units[key] = row.number

        facts: dict = {"area": area}
        if kind_text:
            facts["kind"] = workbook.UNIT_KINDS[kind_text.lower()]
        if unsold is not None:
            facts["is_developer_unsold"] = unsold
        unit = Unit.objects.select_for_update().filter(compound=compound, building=building, entrance=entrance, room=room).first()
        if unit is None:
            unit = Unit.objects.create(compound=compound, building=building, entrance=entrance, room=room, **facts)
            outcome, changes = RowOutcome.IMPORTED, []
        else:
            changes = [Unit._meta.get_field(k).verbose_name for k, value in facts.items() if getattr(unit, k) != value]
            if changes:
                for k, value in facts.items():
                    setattr(unit, k, value)
                unit.save()
            outcome = RowOutcome.UPDATED if changes else RowOutcome.UNCHANGED

        if unit.is_developer_unsold:
            owners = [self._developer(compound, names[0] if names else "", numbers[0] if numbers else "")]
        elif names:
            owners = [self._owner(unit, name, numbers[i] if numbers else "", changes) for i, name in enumerate(names)]
        else:
            owners = None  # no owner columns filled: the unit's owners stay as recorded
        if owners is not None:
            wanted = {o.pk for o in owners}
            current = set(unit.ownerships.values_list("owner_id", flat=True))
            if wanted != current:
                unit.ownerships.exclude(owner_id__in=wanted).delete()
                Ownership.objects.bulk_create([Ownership(unit=unit, owner_id=pk) for pk in wanted - current])
                changes.append(_("owners"))
        if changes and outcome == RowOutcome.UNCHANGED:
            outcome = RowOutcome.UPDATED
        return outcome, "、".join(str(c) for c in changes) if outcome == RowOutcome.UPDATED else ""

    def _compound(self, name: str, community: str) -> Compound:
        # Units come after the compound sheet, so a lookup's answer holds for the rest of the import.
        key = (name, community)
        if key not in self.found:
            try:
                self.found[key] = self._find_compound(name, community)
            except _Refused as exc:
                self.found[key] = exc
        if isinstance(self.found[key], _Refused):
            raise _Refused(str(self.found[key]))
        return self.found[key]

    def _find_compound(self, name: str, community: str) -> Compound:
        qs = self.compounds.filter(name=name)
        if community:
            qs = qs.filter(community__name=community)
        found = list(qs[:2])
        if not found:
            raise _Refused(_("No compound %(name)s within your area.") % {"name": name})
        if len(found) > 1:
            raise _Refused(_("Several compounds in your area are named %(name)s; fill in the 社区 column.") % {"name": name})
        return found[0]

    def _developer(self, compound: Compound, name: str, number: str) -> Owner:
        if number:
            digest = id_numbers.digest(number)
            owner = Owner.objects.filter(id_number_hash=digest).first()
            if owner is None:
                owner = Owner.objects.create(name=name or f"{compound.name}开发商", id_number_hash=digest, is_developer=True)
            return owner
        owner = Owner.objects.filter(is_developer=True, units__compound=compound).order_by("id").first()
        return owner or Owner.objects.create(name=name or f"{compound.name}开发商", is_developer=True)

    def _owner(self, unit: Unit, name: str, number: str, changes: list) -> Owner:
        if len(name) > 100:
            raise _Refused(_("An owner's name is longer than 100 characters."))
        same_name_here = unit.owners.filter(name=name, is_developer=False)
        if number:
            digest = id_numbers.digest(number)
            owner = Owner.objects.filter(id_number_hash=digest).first()
            if owner is not None:
                if owner.name != name:
                    owner.name = name
                    owner.save(update_fields=["name", "updated_at"])
                    changes.append(_("owner's name"))
                return owner
            owner = same_name_here.filter(id_number_hash="").first()
            if owner is not None:
                # The owner was recorded without an ID number (by hand or a resident's claim).
                owner.id_number_hash = digest
                owner.save(update_fields=["id_number_hash", "updated_at"])
                changes.append(_("owner's ID number"))
                return owner
            return Owner.objects.create(name=name, id_number_hash=digest)
        return same_name_here.first() or Owner.objects.create(name=name)
