"""Personal information (PIPL): masking, the export log, a user's own data and its anonymisation.

Masking is for display to people who do not need the full value (SPEC §3: residents never see
other residents' data; anonymous complaints hide the reporter from property staff):

    mask_phone("13812341234") == "138****1234"      mask_name("王红") == "王*"
    mask_email("wanghong@example.com") == "w*******@example.com"

Every export that carries personal data calls `log_export(user=, what=, rows=, params=)`.

`core` imports no app (STYLE.md); the account data of other apps is read through the app registry
and only when those apps are installed, so this module keeps working as apps come and go.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest

from core.models import ExportLog, Notification, User

log = logging.getLogger(__name__)

MASK = "*"


# --- Masking ------------------------------------------------------------------------------------


def mask_phone(value: str | None) -> str:
    """Keep the first three and last four digits of a phone number: 138****1234, 0595****4321.

    Short numbers keep only their last two characters; anything without digits is masked whole.
    """
    if not value:
        return ""
    text = str(value).strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) == 13 and digits.startswith("86"):  # +86 country code before a mobile number
        digits = digits[2:]
    if len(digits) >= 8:
        return f"{digits[:3]}{MASK * (len(digits) - 7)}{digits[-4:]}"
    if len(digits) >= 3:
        return MASK * (len(digits) - 2) + digits[-2:]
    return MASK * max(len(text), 1)


def mask_name(value: str | None) -> str:
    """Keep the first character of a Chinese name (the surname) and the initial of each Latin word.

    王红 → 王*, 欧阳娜娜 → 欧***, Wang Hong → W*** H***.
    """
    if not value:
        return ""
    text = str(value).strip()
    if re.search(r"[A-Za-z]", text) and " " in text:
        return " ".join(word[:1] + MASK * (len(word) - 1) for word in text.split())
    if len(text) == 1:
        return MASK
    return text[0] + MASK * (len(text) - 1)


def mask_email(value: str | None) -> str:
    if not value:
        return ""
    local, _, domain = str(value).partition("@")
    if not domain:
        return mask_name(local)
    return (local[:1] + MASK * max(len(local) - 1, 1)) + "@" + domain


# --- Export log ---------------------------------------------------------------------------------


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _jsonable(params: Mapping[str, Any] | Iterable | None) -> dict:
    if params is None:
        return {}
    if hasattr(params, "lists"):  # a QueryDict: keep repeated parameters
        return {key: values if len(values) > 1 else values[0] for key, values in params.lists()}
    return {str(k): _plain(v) for k, v in dict(params).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def log_export(
    *, user: User, what: str, rows: int, params: Mapping[str, Any] | None = None, request: HttpRequest | None = None
) -> ExportLog:
    """Record that `user` exported `rows` rows of `what` with these filters. Call it from every export view.

    Written in its own transaction-independent insert: the log must exist even if the export's
    response fails to reach the client afterwards.
    """
    return ExportLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        what=what[:100],
        rows=max(int(rows), 0),
        params=_jsonable(params),
        ip_address=_client_ip(request),
    )


# --- A user's own data (right of access) ----------------------------------------------------------


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _row(obj: models.Model, exclude: Iterable[str] = ()) -> dict:
    data = model_to_dict(obj, exclude=list(exclude))
    out = {"id": obj.pk}
    for key, value in data.items():
        field = obj._meta.get_field(key)
        if isinstance(field, models.FileField):
            out[key] = value.name if value else ""
        elif isinstance(value, list):
            out[key] = [getattr(v, "pk", v) for v in value]
        else:
            out[key] = value
    for field in obj._meta.concrete_fields:
        if field.name not in out and not field.is_relation and field.name not in exclude:
            out[field.name] = getattr(obj, field.attname)
    return out


def _active_roles(user: User) -> list[models.Model]:
    Role = _model("communities.RoleAssignment")
    if Role is None:
        return []
    return list(Role.objects.filter(user=user, is_active=True))


def may_erase_own_account(user: User) -> bool:
    """Residents erase their own accounts; officials', staff and other role holders' accounts are closed by an administrator."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    return all(role.role == "resident" for role in _active_roles(user))


def _owner_ids(user: User) -> list[int]:
    Owner = _model("communities.Owner")
    if Owner is None:
        return []
    return list(Owner.objects.filter(user=user).values_list("pk", flat=True))


def _rows_linked_to(user: User, owner_ids: list[int], *, skip: set[str]) -> dict[str, list[dict]]:
    """Rows of every project model that point at the user (or at the owner record of the user)."""
    from django.conf import settings

    found: dict[str, list[dict]] = {}
    labels = set(getattr(settings, "LINLI_APPS", []))
    for model in apps.get_models():
        meta = model._meta
        if (
            meta.app_label not in labels
            or meta.label in skip
            or meta.label.startswith("core.Historical")
            or "Historical" in meta.object_name
        ):
            continue
        q = models.Q(pk__in=[])
        for field in meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            if field.related_model is User and field.name not in {"decided_by", "actor", "uploaded_by", "history_user"}:
                q |= models.Q(**{field.name: user})
            elif field.related_model._meta.label == "communities.Owner" and owner_ids:
                q |= models.Q(**{f"{field.name}__in": owner_ids})
        if q == models.Q(pk__in=[]):
            continue
        rows = [_row(obj) for obj in model._default_manager.filter(q)[:1000]]
        if rows:
            found[meta.label] = rows
    return found


def account_data(user: User) -> dict:
    """Everything the system holds about `user` that a resident may see: account, units, complaints, ballots, the rest.

    Read-only. Reads other apps' models through the registry, so an app that is not installed simply
    contributes nothing.
    """
    owner_ids = _owner_ids(user)
    account = {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.phone,
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "roles": [{"role": r.role, "scope": str(getattr(r, "scope_label", ""))} for r in _active_roles(user)],
    }
    units: list[dict] = []
    Unit = _model("communities.Unit")
    if Unit is not None and owner_ids:
        for unit in Unit.objects.filter(owners__in=owner_ids).select_related("compound").distinct():
            units.append({"id": unit.pk, "compound": unit.compound.name, "unit": str(unit), "area": unit.area})
    complaints: list[dict] = []
    Complaint = _model("complaints.Complaint")
    if Complaint is not None:
        for c in Complaint.objects.filter(reporter=user).select_related("compound", "category").order_by("-made_at")[:1000]:
            complaints.append(
                {
                    "number": c.number,
                    "compound": c.compound.name,
                    "category": str(c.category),
                    "status": c.status,
                    "description": c.description,
                    "location": c.location,
                    "reporter_name": c.reporter_name,
                    "reporter_phone": c.reporter_phone,
                    "is_anonymous": c.is_anonymous,
                    "made_at": c.made_at,
                    "rating": c.rating,
                }
            )
    linked = _rows_linked_to(user, owner_ids, skip={"complaints.Complaint", "communities.Owner", "communities.RoleAssignment"})
    ballots = {label: rows for label, rows in linked.items() if "ballot" in label.lower() or "vote" in label.lower()}
    other = {label: rows for label, rows in linked.items() if label not in ballots}
    notifications = list(Notification.objects.filter(user=user).values("kind", "title", "created_at", "read_at")[:1000])
    return {
        "account": account,
        "units": units,
        "complaints": complaints,
        "ballots": ballots,
        "notifications": notifications,
        "other": other,
    }


# --- Deletion (anonymisation) -----------------------------------------------------------------------


@transaction.atomic
def account_anonymise(*, user: User) -> dict:
    """Erase the personal data of `user` and deactivate the account. Returns what was changed.

    Kept, because statistics and legal records need them: the complaints' substance (compound,
    category, description, dates, status, rating) with the reporter's name and phone erased; ballots
    (tallies must stay reproducible) and the property registry's owner record, which is unlinked
    from the account. Notifications and pending ownership claims are deleted.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    changed: dict[str, int] = {}
    Complaint = _model("complaints.Complaint")
    if Complaint is not None:
        changed["complaints"] = Complaint.objects.filter(reporter=user).update(reporter_name="", reporter_phone="")
    Owner = _model("communities.Owner")
    if Owner is not None:
        changed["owner_records_unlinked"] = Owner.objects.filter(user=user).update(user=None)
    Claim = _model("communities.OwnershipClaim")
    if Claim is not None:
        changed["ownership_claims"] = Claim.objects.filter(user=user).delete()[0]
    Role = _model("communities.RoleAssignment")
    if Role is not None:
        changed["roles"] = Role.objects.filter(user=user, is_active=True).update(is_active=False)
    changed["notifications"] = Notification.objects.filter(user=user).delete()[0]

    user.username = f"deleted-{user.pk}-{uuid.uuid4().hex[:8]}"
    user.first_name = user.last_name = user.display_name = user.phone = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    log.info("account %s anonymised: %s", user.pk, changed)
    return changed
