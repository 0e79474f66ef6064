"""Hand-written SQL for the few hot paths where the ORM's own work costs more than the database's.

Filing a complaint reads a handful of rows by primary key; building that SQL through the ORM
(joins, subqueries, annotations) took several times longer than the database took to answer it.
A hot path may instead write its SELECT once and read the rows back with these helpers, so the
column lists and the conversion of values follow the models (a new field needs no SQL change):

    users = ModelColumns(User, "u")
    sql = f"SELECT {users.sql} FROM {users.table} u WHERE u.id = %s"
    rows = fetch_all(sql, [pk])        # a prepared statement on PostgreSQL
    user = users.instance(rows[0], 0)  # rows[0][0 : len(users)] as a User, as the ORM would build it

Values go through the same database converters the ORM applies (SQLite's booleans, dates and
decimals; nothing on PostgreSQL for plain columns), and `instance` builds with `Model.from_db`, so
the result is indistinguishable from a queryset's.

On PostgreSQL `fetch_all` runs the SELECT as a server-side prepared statement, so the database
parses and plans it once per connection instead of on every request (planning the filing read's
joins took three times as long as running it). Django's own cursors bind parameters on the client
and never prepare, so only these reads are affected. Prepared statements do not survive a
transaction-mode connection pooler (PgBouncer before 1.21): `DB_PREPARED_STATEMENTS=0` turns them
off (config/settings.py leaves `prepare_threshold` unset) and the reads run as plain queries.

`insert_rows` is the write counterpart for thousands of rows at once (a vote's register), where
`bulk_create`'s per-row model instances were the cost. Nothing here owns a business rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, connections
from django.db.models import Model


def fetch_all(sql: str, params: Sequence[Any] | dict[str, Any]) -> list[tuple]:
    """The rows of one SELECT on the default database; prepared on PostgreSQL when the settings allow it."""
    if connection.vendor == "postgresql":
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        if connection.connection.prepare_threshold is not None:
            import psycopg

            connection.validate_thread_sharing()
            # A server-side binding cursor (psycopg's default) prepares; Django's client-side one cannot.
            # Wrapped like Django's own cursors: database errors become django.db errors, and the query
            # shows in connection.queries while they are logged (DEBUG, tests).
            raw = psycopg.Cursor(connection.connection)
            raw.format = psycopg.pq.Format.BINARY  # rows in binary: cheaper to decode than text, same values
            cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
            with cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            if connection.queries_logged and connection.queries_log and connection.queries_log[-1]["sql"] is None:
                # A prepared statement leaves no query text behind; log it as Django would have.
                connection.queries_log[-1]["sql"] = connection.ops.compose_sql(sql, params)
            return rows
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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


def insert_rows(model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, returning: Sequence[str] = ()) -> list[tuple]:
    """Insert `rows` (values in `columns` order) in few statements; the `returning` columns of each new row.

    For writes of many thousand rows at once (a vote's register): `bulk_create` builds and prepares
    a model instance per row. On PostgreSQL the rows go in as one array per column
    (`INSERT … SELECT * FROM unnest(…)`: a handful of parameters however many rows, which the
    server parses three times faster than a long VALUES list); elsewhere as multi-row VALUES within
    the backend's parameter limit. Values go in as given (no field defaults, no signals), so every
    NOT NULL column must be among `columns`.
    """
    if not rows:
        return []
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    tail = (" RETURNING " + ", ".join(quote(model._meta.get_field(name).column) for name in returning)) if returning else ""
    returned: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            batch = 50_000
        else:
            batch = max(1, min(connection.ops.bulk_batch_size(fields, rows), 5000))
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            if connection.vendor == "postgresql":
                cursor.execute(f"{head} SELECT * FROM unnest({arrays}){tail}", [list(column) for column in zip(*chunk, strict=True)])
            else:
                values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
                cursor.execute(f"{head} VALUES {values}{tail}", [value for row in chunk for value in row])
            if returning:
                returned.extend(tuple(row) for row in cursor.fetchall())
    return returned
