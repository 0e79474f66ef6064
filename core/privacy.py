"""Personal information (PIPL): masking, the export log, a user's own data and its anonymisation.

Masking is for display to people who do not need the full value (SPEC §3: residents never see
other residents' data; anonymous complaints hide the reporter from property staff):

    mask_phone("13812341234") == "138****1234"      mask_name("王红") == "王*"
    mask_email("wanghong@example.com") == "w*******@example.com"

Every export that carries personal data calls `log_export(user=, what=, rows=, params=)`.

`core` imports and names no app (STYLE.md): the apps declare where their personal data lives
(core.registry.PersonalData, in their AppConfig.ready()), and this module reads those declarations.
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

from core import registry
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


def client_ip(request: HttpRequest | None) -> str | None:
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
    *,
    user: User,
    what: str,
    rows: int,
    params: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
    ip_address: str | None = None,
) -> ExportLog:
    """Record that `user` exported `rows` rows of `what` with these filters. Call it from every export view.

    Written in its own transaction-independent insert: the log must exist even if the export's
    response fails to reach the client afterwards. A background export passes the `ip_address` of the
    request that started it.
    """
    return ExportLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        what=what[:100],
        rows=max(int(rows), 0),
        params=_jsonable(params),
        ip_address=client_ip(request) if request is not None else ip_address,
    )


# --- A user's own data (right of access) ----------------------------------------------------------


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


def _account_items(user: User) -> list[models.Model]:
    found = []
    for item in registry.personal_data():
        if item.in_account:
            found.extend(item.rows_of(user))
    return found


def may_erase_own_account(user: User) -> bool:
    """Residents erase their own accounts; officials', staff and other role holders' accounts are closed by an administrator."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    return all(getattr(role, "role", None) == "resident" for role in _account_items(user))


def _owner_ids(user: User) -> dict[str, list[int]]:
    """The ids of the user's owner records, by model label (the property register's owners)."""
    return {item.model: list(item.rows_of(user).values_list("pk", flat=True)) for item in registry.owner_records()}


def _rows_linked_to(user: User, owner_ids: dict[str, list[int]], *, skip: set[str]) -> dict[str, list[dict]]:
    """Rows of every project model that point at the user (or at the owner record of the user).

    A foreign key an app declared an actor field (who decided or wrote something) is not the user's data.
    """
    from django.conf import settings

    found: dict[str, list[dict]] = {}
    labels = set(getattr(settings, "LINLI_APPS", []))
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in labels or meta.label in skip or "Historical" in meta.object_name:
            continue
        q = models.Q(pk__in=[])
        for field in meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            if field.related_model is User and field.name != "history_user" and not registry.is_actor_field(model, field.name):
                q |= models.Q(**{field.name: user})
            elif owner_ids.get(field.related_model._meta.label):
                q |= models.Q(**{f"{field.name}__in": owner_ids[field.related_model._meta.label]})
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
    }
    data: dict = {"account": account}
    shown = set()
    for item in registry.personal_data():
        if not item.fields:
            continue
        shown.add(item.model)
        rows = [item.show(row) for row in item.rows_of(user).order_by(*item.order_by).distinct()[:1000]]
        if item.in_account:
            account[item.section] = rows
        else:
            data[item.section] = rows
    linked = _rows_linked_to(user, owner_ids, skip=shown | set(owner_ids))
    ballots = {label: rows for label, rows in linked.items() if "ballot" in label.lower() or "vote" in label.lower()}
    other = {label: rows for label, rows in linked.items() if label not in ballots}
    data["ballots"] = ballots
    data["notifications"] = list(Notification.objects.filter(user=user).values("kind", "title", "created_at", "read_at")[:1000])
    data["other"] = other
    return data


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
    for item in registry.personal_data():
        if item.delete:
            changed[item.section] = item.rows_of(user).delete()[0]
        elif item.erase:
            changed[item.section] = item.rows_of(user).update(**item.erase)
    changed["notifications"] = Notification.objects.filter(user=user).delete()[0]

    user.username = f"deleted-{user.pk}-{uuid.uuid4().hex[:8]}"
    user.first_name = user.last_name = user.display_name = user.phone = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    log.info("account %s anonymised: %s", user.pk, changed)
    return changed
