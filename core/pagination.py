"""Pages of long lists whose cost does not depend on how many rows precede them (keyset pagination).

A list is read in a fixed ordering that ends in a unique column (`-made_at, -id`). The first pages
may still be asked for by number (`?page=3`, an OFFSET over at most `MAX_NUMBERED_PAGE` pages, cheap
through the ordering's index); every page also carries a cursor for the next and previous page, which
encodes the ordering values of its last (first) row, so the next page is "rows after this one" — a
range read of the index whatever the depth, and rows inserted meanwhile neither repeat nor vanish.

Counts: `COUNT(*)` over millions of rows costs as much as the list is long, so a window counts at
most `EXACT_COUNT_UP_TO` rows; above that it reports the planner's estimate (`count_exact` False).
Used by the API (core.api.KeysetPagination) and the portal (`core.portal.keyset_page` + templates/_keyset_pager.html).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import F, Func, Q, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan

MAX_NUMBERED_PAGE = 50
EXACT_COUNT_UP_TO = 1_000


class InvalidCursor(ValueError):
    """A cursor that was not made by this module for this ordering (tampered, truncated, stale ordering)."""


class _Row(Func):
    """A row value `(a, b, c)`, compared element by element; PostgreSQL reads it as one range of an index."""

    template = "(%(expressions)s)"
    output_field = models.Field()


def _plain(name: str) -> tuple[str, bool]:
    return (name[1:], True) if name.startswith("-") else (name, False)


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _beyond(name: str, value, downwards: bool, nullable: bool) -> list[Q]:
    """Rows strictly past `value` in one column, PostgreSQL's NULL placement included (ASC: last, DESC: first),
    as filters each read by one range of an index, in the order a walk meets them.

    `downwards` means the walk goes to smaller values (a descending ordering read forwards, or an
    ascending one read backwards); NULLs sort as larger than every value.
    """
    if value is None:
        return [Q(**{f"{name}__isnull": False})] if downwards else []
    past = [Q(**{f"{name}__lt" if downwards else f"{name}__gt": value})]
    if nullable and not downwards:
        past.append(Q(**{f"{name}__isnull": True}))  # after every value
    return past


class Keyset:
    """A fixed ordering of a model's rows ending in its primary key, and the filters that resume it."""

    def __init__(self, model: type[models.Model], ordering: list[str] | tuple[str, ...]) -> None:
        ordering = [o for o in ordering if o.lstrip("-") != "pk"]
        names = [_plain(o)[0] for o in ordering]
        if "id" not in names:
            descending = _plain(ordering[-1])[1] if ordering else False
            ordering = [*ordering, "-id" if descending else "id"]
        else:
            ordering = ordering[: names.index("id") + 1]  # nothing after a unique column changes the order
        self.model = model
        self.ordering = list(ordering)
        self.fields = [model._meta.get_field(_plain(o)[0]) for o in self.ordering]
        for f in self.fields:
            if f.many_to_many or f.one_to_many:
                raise ValueError(f"Keyset ordering needs columns of the model itself: {f.name}")

    def values(self, obj: models.Model) -> list:
        return [getattr(obj, f.attname) for f in self.fields]

    def encode(self, obj: models.Model, *, backwards: bool = False) -> str:
        payload = {"o": self.ordering, "v": [_jsonable(v) for v in self.values(obj)], "b": backwards}
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, token: str) -> tuple[list, bool]:
        """(values, backwards); InvalidCursor for anything this keyset did not encode."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
            if payload["o"] != self.ordering or len(payload["v"]) != len(self.fields):
                raise InvalidCursor("The cursor belongs to another ordering.")
            values = [f.to_python(v) for f, v in zip(self.fields, payload["v"], strict=True)]
            return values, bool(payload["b"])
        except InvalidCursor:
            raise
        except Exception as exc:  # any malformed token: base64, JSON, shape or a value of the wrong type
            raise InvalidCursor("The cursor is not valid.") from exc

    def after_parts(self, values: list, *, backwards: bool = False) -> list:
        """Rows strictly after `values` in this ordering (before them if `backwards`), as filters that
        each read one range of the ordering's index, in the order the walk meets them.

        With one direction throughout and no nullable column this is one row comparison,
        `(made_at, id) < (%s, %s)`. Otherwise (the supervision list: overdue first, then the nearest
        deadline, which may be empty) one OR of the expanded form would make PostgreSQL scan the whole
        group of the first column and filter it; so it is split where the expansion branches: rows
        that share the first k columns and are past the cursor in column k+1, deepest k first, and in
        a nullable ascending column the values before the NULLs.
        """
        directions = [_plain(o)[1] for o in self.ordering]
        names = [f.attname for f in self.fields]
        if len(set(directions)) == 1 and not any(f.null for f in self.fields):
            later = LessThan if directions[0] != backwards else GreaterThan
            row = _Row(*[F(n) for n in names])
            bound = _Row(*[Value(v, output_field=f) for v, f in zip(values, self.fields, strict=True)])
            return [later(row, bound)]
        parts = []
        for i in reversed(range(len(names))):
            same = Q()
            for n, v in zip(names[:i], values[:i], strict=True):
                same &= Q(**{f"{n}__isnull": True}) if v is None else Q(**{n: v})
            parts += [same & past for past in _beyond(names[i], values[i], directions[i] != backwards, self.fields[i].null)]
        return parts

    def after(self, qs: QuerySet, values: list, *, backwards: bool = False) -> QuerySet:
        """Every row after `values` in one queryset (`paginate` reads `after_parts` one by one instead)."""
        parts = self.after_parts(values, backwards=backwards)
        if len(parts) == 1:
            return qs.filter(parts[0])
        q = Q(pk__in=[])
        for part in parts:
            q |= part
        return qs.filter(q)

    def order(self, qs: QuerySet, *, backwards: bool = False) -> QuerySet:
        if not backwards:
            return qs.order_by(*self.ordering)
        return qs.order_by(*[o[1:] if o.startswith("-") else f"-{o}" for o in self.ordering])


@dataclass
class Window:
    """One page of a keyset list."""

    rows: list
    number: int | None  # the page number when it was asked for by number (or is the first page)
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_exact: bool
    size: int
    numbers: list[int] = field(default_factory=list)  # page numbers to offer as links

    @property
    def last_number(self) -> int | None:
        """The last page's number when the count is exact, else None."""
        return max(1, -(-self.count // self.size)) if self.count_exact else None

    @property
    def max_jump(self) -> int:
        """The highest page number that may be asked for directly."""
        last = self.last_number
        return min(last, MAX_NUMBERED_PAGE) if last is not None else MAX_NUMBERED_PAGE


def estimate(qs: QuerySet) -> int:
    """The planner's row estimate for `qs` (no rows are read): EXPLAIN's top `Plan Rows`."""
    # Only the ids: the planner need not plan the joins a list row reads (select_related), only the filters'.
    plan = json.loads(qs.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def count_capped(qs: QuerySet) -> tuple[int, bool]:
    """(count, exact): the exact count up to EXACT_COUNT_UP_TO, the planner's estimate above it."""
    n = qs.order_by().values("pk")[: EXACT_COUNT_UP_TO + 1].count()
    if n <= EXACT_COUNT_UP_TO:
        return n, True
    return max(estimate(qs), n), False


def paginate(
    qs: QuerySet,
    *,
    ordering: list[str] | tuple[str, ...] | None = None,
    page: str | int | None = None,
    cursor: str | None = None,
    size: int = 30,
    with_count: bool = True,
) -> Window:
    """One window of `qs` in `ordering` (default: the queryset's own), by cursor, or by page number.

    Raises InvalidCursor for a bad cursor and ValueError for a page number that is not a number in
    1..MAX_NUMBERED_PAGE; callers turn these into a 400 (API) or the first page (portal).
    """
    keyset = Keyset(qs.model, ordering or list(qs.query.order_by) or list(qs.model._meta.ordering))
    number: int | None = None
    backwards = False
    if cursor:
        values, backwards = keyset.decode(cursor)
        rows = []
        for part in keyset.after_parts(values, backwards=backwards):  # usually the first part fills the page
            rows += keyset.order(qs.filter(part), backwards=backwards)[: size + 1 - len(rows)]
            if len(rows) > size:
                break
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
            has_next, has_previous = True, more
        else:
            has_next, has_previous = more, True
    else:
        number = 1 if page in (None, "") else int(page)
        if not 1 <= number <= MAX_NUMBERED_PAGE:
            raise ValueError(f"page must be between 1 and {MAX_NUMBERED_PAGE}; follow the `next` cursor beyond.")
        offset = (number - 1) * size
        rows = list(keyset.order(qs)[offset : offset + size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = number > 1
    if not with_count:
        count, exact = 0, False
    elif number == 1 and not has_next:
        count, exact = len(rows), True  # the whole list is on this page
    else:
        count, exact = count_capped(qs)
    result = Window(
        rows=rows,
        number=number,
        next_cursor=keyset.encode(rows[-1]) if rows and has_next else None,
        previous_cursor=keyset.encode(rows[0], backwards=True) if rows and has_previous else None,
        count=count,
        count_exact=exact,
        size=size,
    )
    if number is not None:
        last = result.last_number or MAX_NUMBERED_PAGE
        last = min(last, MAX_NUMBERED_PAGE)
        result.numbers = sorted({1, *range(max(1, number - 3), min(last, number + 3) + 1), *([last] if result.count_exact else [])})
    return result
