"""Database rules Django's constraints cannot express (exclusion constraints, triggers), per database vendor.

Used by migrations: PostgreSQL gets exclusion constraints and triggers, the embedded SQLite default gets
triggers holding the same rule.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections, migrations


@dataclass(frozen=True)
class Fragment:
    """A piece of SQL with its own parameters, to place inside a hand-written statement (``positional``)."""

    sql: str
    params: tuple


def condition_of(queryset, alias: str) -> Fragment:
    """The condition of ``queryset`` (its filters on its own table's columns, no join) compiled by the ORM and put
    on the row ``alias`` of a hand-written statement: a rule written once in a queryset method, tested by a
    set-based statement on the rows it joins. A queryset with no filter is a condition always true, one that can hold
    nothing (``none()``, ``__in=[]``) a condition always false."""
    db = connections[queryset.db]
    query = queryset.query
    table = queryset.model._meta.db_table
    unfit = ValueError(f"condition_of takes a queryset filtered on {table}'s own columns only")
    if query.combinator or query.is_sliced:  # the other querysets, or the slice, would be dropped
        raise unfit
    try:
        sql, params = query.where.as_sql(query.get_compiler(connection=db), db)
    except FullResultSet:
        return Fragment("1 = 1", ())
    except EmptyResultSet:
        return Fragment("1 = 0", ())
    if any(f"{db.ops.quote_name(other)}." in sql for other in query.alias_map if other != table):
        raise unfit  # a filter through a join names a table the statement does not have
    return Fragment(sql.replace(f"{db.ops.quote_name(table)}.", f"{alias}."), tuple(params))


def positional(sql: str, named: dict) -> tuple[str, list]:
    """A statement written with ``%(name)s`` placeholders, turned into ``%s`` ones with its parameters in order,
    so that a ``Fragment`` (its SQL, its parameters) can stand for a placeholder: a rule written once in a queryset
    is then the same rule inside a set-based statement."""
    params: list = []

    def place(match: re.Match) -> str:
        value = named[match[1]]
        if isinstance(value, Fragment):
            params.extend(value.params)
            return value.sql
        params.append(value)
        return "%s"

    return re.sub(r"%\((\w+)\)s", place, sql), params


def advisory_xact_lock(key: int) -> None:
    """Hold a transaction-scoped lock named by ``key`` until the transaction ends (PostgreSQL). SQLite, the
    embedded default, serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@dataclass(frozen=True)
class Triggers:
    """Triggers an app keeps per database vendor, (re)installed after every ``migrate`` (connect
    ``install_after_migrate`` to ``post_migrate``). SQLite's are dropped before one (``uninstall_before_migrate``
    to ``pre_migrate``): SQLite drops a table's triggers when a migration rebuilds it, and refuses to drop a
    column a trigger names. PostgreSQL's stay."""

    what: str
    postgres: list[str]
    sqlite: list[str]
    sqlite_names: list[str]

    def install(self, using: str = "default") -> None:
        connection = connections[using]
        statements = {"postgresql": self.postgres, "sqlite": self.sqlite}.get(connection.vendor)
        if statements is None:
            raise NotImplementedError(f"no {self.what} triggers for {connection.vendor}")
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def uninstall(self, using: str = "default") -> None:
        connection = connections[using]
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            for name in self.sqlite_names:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")

    def install_after_migrate(self, sender, using="default", **kwargs) -> None:
        self.install(using)

    def uninstall_before_migrate(self, sender, using="default", **kwargs) -> None:
        self.uninstall(using)


def run_by_vendor(forward: dict[str, list[str]], backward: dict[str, list[str]]) -> migrations.RunPython:
    def runner(statements_by_vendor):
        def run(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement)

        return run

    return migrations.RunPython(runner(forward), runner(backward))


def sqlite_no_overlap_triggers(name: str, table: str, clash: str) -> tuple[list[str], list[str]]:
    """BEFORE INSERT and UPDATE triggers raising ``name`` when ``clash`` (an SQL condition on NEW) holds."""
    forward = [
        f"""
        CREATE TRIGGER {name}_{when} BEFORE {when.upper()} ON {table}
        WHEN {clash}
        BEGIN SELECT RAISE(ABORT, '{name}'); END
        """
        for when in ("insert", "update")
    ]
    backward = [f"DROP TRIGGER IF EXISTS {name}_{when}" for when in ("insert", "update")]
    return forward, backward
