"""Writes for places, companies, units and people. Every change is atomic."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities import selectors
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
from core.errors import ScopeError, ValidationError, WorkflowError
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
