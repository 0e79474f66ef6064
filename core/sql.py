"""Hand-written SELECTs for the few hot paths where compiling the ORM's query costs more than running it.

Filing a complaint reads a handful of rows by primary key; building that SQL through the ORM
(joins, subqueries, annotations) took several times longer than the database took to answer it.
A hot path may instead write its SELECT once and read the rows back with these helpers, so the
column lists and the conversion of values follow the models (a new field needs no SQL change):

    users = ModelColumns(User, "u")
    sql = f"SELECT {users.sql} FROM {users.table} u WHERE u.id = %s"
    user = users.instance(row, 0)      # row[0 : len(users)] as a User, as the ORM would build it

Values go through the same database converters the ORM applies (SQLite's booleans, dates and
decimals; nothing on PostgreSQL for plain columns), and `instance` builds with `Model.from_db`, so
the result is indistinguishable from a queryset's. Everything here is read-only and owns no rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Model


class ModelColumns:
    """The concrete columns of `model` under a table alias, and rows back into instances."""

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.table = model._meta.db_table
        self.pk_index = self.attnames.index(model._meta.pk.attname)
        self._converters: dict[str, list[tuple[int, Any, list[Callable]]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    @property
    def sql(self) -> str:
        return ", ".join(f'{self.alias}."{f.column}"' for f in self.fields)

    def _converters_for(self, using: str) -> list[tuple[int, Any, list[Callable]]]:
        """(index, column, converters) for the columns that need any, on the connection's backend (cached)."""
        found = self._converters.get(using)
        if found is None:
            connection = connections[using]
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if converters:
                    found.append((i, col, converters))
            self._converters[using] = found
        return found

    def values(self, row: Sequence[Any], start: int, using: str = "default") -> list[Any]:
        values = list(row[start : start + len(self.fields)])
        connection = connections[using]
        for i, col, converters in self._converters_for(using):
            for converter in converters:
                values[i] = converter(values[i], col, connection)
        return values

    def instance(self, row: Sequence[Any], start: int, using: str = "default") -> Model | None:
        """The instance in `row[start:start + len(self)]`; None when its primary key is NULL (an outer join found nothing)."""
        values = self.values(row, start, using)
        if values[self.pk_index] is None:
            return None
        return self.model.from_db(using, self.attnames, values)
