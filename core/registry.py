"""What `core` must know about the apps above it, declared by those apps (`core` names none of them).

Each app registers, in its `AppConfig.ready()`:

- `PersonalData`: where a user's personal data lives in its tables, what `GET /api/v1/me/data/` shows of
  it and what erasing the account does to it (core.privacy reads these);
- `AuditEvents`: its append-only event tables, with the fields the audit page lists and the path to a
  compound (communities.selectors.audit_sources reads these, besides django-simple-history's tables);
- `actor_fields`: foreign keys to a user that record who *did* something (decided a claim, wrote an
  event), which are not that user's personal data and stay out of their account data.

    registry.register_personal_data(PersonalData(
        section="orders", model="<app>.Order", user="customer",
        fields=("number", ("place", "place.name")), erase={"customer_phone": ""}))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model


@dataclass(frozen=True)
class PersonalData:
    """Rows of `model` that belong to a user (the lookup `user` leads from the row to the user).

    `fields` are what the user's own data shows (dotted for a related value: "compound.name").
    On erasure: `erase` is written over them (an update), `delete` removes them, or neither keeps them.
    `active` narrows both to the rows that still count (for example active role assignments).
    """

    section: str
    model: str
    user: str
    # Each a field path ("status", "compound.name"; "__str__" for the row's text) or (key, path).
    fields: Sequence[str | tuple[str, str]] = ()
    erase: dict[str, Any] = field(default_factory=dict)
    delete: bool = False
    active: dict[str, Any] = field(default_factory=dict)
    order_by: Sequence[str] = ("-pk",)
    # The account's owner record (its rows are found by `<field>__in=` owner ids in other tables).
    owner_record: bool = False
    # Shown inside the account's own entry rather than as a section of its own (the roles).
    in_account: bool = False

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def rows_of(self, user) -> Any:
        return self.model_class()._default_manager.filter(**{self.user: user}, **self.active)

    def show(self, row: Model) -> dict:
        """The row as the user's own data shows it."""
        out = {}
        for spec in self.fields:
            key, path = spec if isinstance(spec, tuple) else (spec.split(".")[0], spec)
            value: Any = row
            for part in path.split("."):
                value = str(value) if part == "__str__" else getattr(value, part)
                if value is None:
                    break
            out[key] = value
        return out


@dataclass(frozen=True)
class AuditEvents:
    """An append-only event table the audit page lists: time, actor, what happened, and the path to a compound."""

    model: str
    time: str
    actor: str
    action: str
    path: str


_PERSONAL: dict[str, PersonalData] = {}
_AUDIT: dict[str, AuditEvents] = {}
_ACTORS: set[tuple[str, str]] = set()


def register_personal_data(item: PersonalData) -> None:
    _PERSONAL[item.section] = item


def register_audit_events(item: AuditEvents) -> None:
    _AUDIT[item.model] = item


def register_actor_fields(model: str, *fields: str) -> None:
    _ACTORS.update((model, name) for name in fields)


def personal_data() -> list[PersonalData]:
    return list(_PERSONAL.values())


def personal_data_section(section: str) -> PersonalData | None:
    return _PERSONAL.get(section)


def owner_records() -> list[PersonalData]:
    return [item for item in _PERSONAL.values() if item.owner_record]


def audit_events() -> list[AuditEvents]:
    return list(_AUDIT.values())


def is_actor_field(model: type[Model], name: str) -> bool:
    return (model._meta.label, name) in _ACTORS
