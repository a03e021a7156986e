"""How many cases there are of each status, kept by the database: the staff queue's count without counting.

Staff see every case, and a page of their queue said how many there are by counting every case (a parallel scan
of an index of 200,000 entries costs more than the page itself). Triggers on the cases table add a row to
``cases_casetally`` for each statement that adds, removes or moves cases between statuses: the number of cases
of a status is the sum of its rows, in the same transaction as the write. Writers only ever insert, so two at
once never wait on each other; ``compact`` (run by the SLA job, every minute) folds the rows into one per status.

PostgreSQL: statement triggers with transition tables. SQLite (the embedded default): row triggers. Like the
urgency triggers they are (re)installed after every ``migrate``. A load that skips triggers (the benchmark's seed)
calls ``recount``.
"""

from collections.abc import Collection

from django.db import connections, transaction
from django.db.models import Sum

from core.vendor_sql import Fragment, Triggers, advisory_xact_lock, condition_of

NAME = "cases_tally"
TABLE = "cases_casetally"
_COMPACT_LOCK = 0x455353_54

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION {NAME}_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {TABLE} (status, cases) SELECT status, COUNT(*) FROM changed GROUP BY status;
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 (constants only)
    f"""
    CREATE OR REPLACE FUNCTION {NAME}_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {TABLE} (status, cases) SELECT status, -COUNT(*) FROM changed GROUP BY status;
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 (constants only)
    f"""
    CREATE OR REPLACE FUNCTION {NAME}_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {TABLE} (status, cases)
        SELECT status, SUM(cases) FROM (
            SELECT status, 1 AS cases FROM after_update
            UNION ALL SELECT status, -1 FROM before_update
        ) moved
        GROUP BY status HAVING SUM(cases) <> 0;
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 (constants only)
    *(f"DROP TRIGGER IF EXISTS {NAME}_{op} ON cases_case" for op in ("insert", "update", "delete")),
    f"CREATE TRIGGER {NAME}_insert AFTER INSERT ON cases_case "
    f"REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {NAME}_added()",
    f"CREATE TRIGGER {NAME}_delete AFTER DELETE ON cases_case "
    f"REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {NAME}_removed()",
    f"CREATE TRIGGER {NAME}_update AFTER UPDATE ON cases_case "
    f"REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update FOR EACH STATEMENT EXECUTE FUNCTION "
    f"{NAME}_moved()",
]

SQLITE_TRIGGERS = [f"{NAME}_insert", f"{NAME}_update", f"{NAME}_delete"]
SQLITE = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    f"CREATE TRIGGER {NAME}_insert AFTER INSERT ON cases_case "  # noqa: S608
    f"BEGIN INSERT INTO {TABLE} (status, cases) VALUES (NEW.status, 1); END",
    f"CREATE TRIGGER {NAME}_delete AFTER DELETE ON cases_case "  # noqa: S608
    f"BEGIN INSERT INTO {TABLE} (status, cases) VALUES (OLD.status, -1); END",
    f"CREATE TRIGGER {NAME}_update AFTER UPDATE OF status ON cases_case WHEN OLD.status <> NEW.status "  # noqa: S608
    f"BEGIN INSERT INTO {TABLE} (status, cases) VALUES (OLD.status, -1), (NEW.status, 1); END",
]

# Every status's number from the cases themselves, in place of what the table holds.
RECOUNT = [
    f"DELETE FROM {TABLE}",  # noqa: S608 (constants only)
    f"INSERT INTO {TABLE} (status, cases) SELECT status, COUNT(*) FROM cases_case GROUP BY status",  # noqa: S608
]


def _rows(statuses: Collection[str] | None):
    from .models import CaseTally

    return CaseTally.objects.all() if statuses is None else CaseTally.objects.filter(status__in=list(statuses))


def cases_of(statuses: Collection[str] | None = None) -> int:
    """How many cases there are (of ``statuses``, when given), as ``Case.objects.count()`` would say."""
    return _rows(statuses).aggregate(total=Sum("cases"))["total"] or 0


def cases_of_sql(statuses: Collection[str] | None = None) -> Fragment:
    """``cases_of`` as a scalar subquery, to read in the same statement as something else."""
    rows = condition_of(_rows(statuses), "t")
    return Fragment(f"(SELECT COALESCE(SUM(t.cases), 0) FROM {TABLE} t WHERE {rows.sql})", rows.params)  # noqa: S608


def compact(using: str = "default") -> int:
    """Fold the rows into one per status (statuses at zero leave none). Writers are never held: rows they add
    meanwhile are not folded this time. Returns the rows folded."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        advisory_xact_lock(_COMPACT_LOCK)
        cursor.execute(f"SELECT COUNT(*), COUNT(DISTINCT status) FROM {TABLE}")  # noqa: S608 (constants only)
        before, statuses = cursor.fetchone()
        if before == statuses:  # one row per status already
            return 0
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH folded AS (DELETE FROM {TABLE} RETURNING status, cases) "  # noqa: S608 (constants only)
                f"INSERT INTO {TABLE} (status, cases) SELECT status, SUM(cases) FROM folded GROUP BY status "
                "HAVING SUM(cases) <> 0"
            )
        else:  # SQLite: what is folded is what was there when it looked (rows added after have higher ids)
            cursor.execute(f"SELECT MAX(id) FROM {TABLE}")  # noqa: S608 (constants only)
            (last,) = cursor.fetchone()
            cursor.execute(f"SELECT status, SUM(cases) FROM {TABLE} WHERE id <= %s GROUP BY status", [last])  # noqa: S608
            folded = [(status, cases) for status, cases in cursor.fetchall() if cases]
            cursor.execute(f"DELETE FROM {TABLE} WHERE id <= %s", [last])  # noqa: S608 (constants only)
            cursor.executemany(f"INSERT INTO {TABLE} (status, cases) VALUES (%s, %s)", folded)  # noqa: S608
    return before


def recount(using: str = "default") -> None:
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for statement in RECOUNT:
            cursor.execute(statement)


TRIGGERS = Triggers("tally", POSTGRES, SQLITE, SQLITE_TRIGGERS)
