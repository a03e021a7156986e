"""The queue's sort key, kept by the database: each case's earliest running deadline.

``Case.due_next`` is the earliest due time of the case's clocks that are neither met nor paused (a breached one
included, so a late case sorts first); ``Case.due_next_customer`` the same over the clocks a customer sees (not
those of logged calls or escalations). Triggers on the milestones keep both current, whatever writes a milestone
(a service, ``bulk_create``, a set-based job, an edit in the database), so the queue reads an indexed column in
order instead of computing a subquery for every case on every request. A write of the case row that names the
columns (``Case.save()`` writes every field, from an object read before its clocks moved) gets them recomputed
instead of the values it carried.

PostgreSQL: statement triggers with transition tables, one UPDATE per statement for the cases it touched.
SQLite (the embedded default): row triggers doing the same. Like the audit triggers they are (re)installed after
every ``migrate`` (SQLite drops a table's triggers when a migration rebuilds it, and refuses to drop a column a
trigger names, so they are dropped before ``migrate`` there).
"""

from django.db import connections

from core.vendor_sql import Triggers

NAME = "cases_urgency"
RUNNING = "m.case_id = {case} AND m.met_at IS NULL AND m.paused_at IS NULL"
CUSTOMER_FACING = " AND m.escalation_id IS NULL AND m.contact_id IS NULL"


def _earliest(case: str, *, customer: bool) -> str:
    where = RUNNING.format(case=case) + (CUSTOMER_FACING if customer else "")
    return f"(SELECT MIN(m.due_at) FROM cases_milestone m WHERE {where})"  # noqa: S608 (constants only)


# Every case's columns from its milestones, in one statement (the migration's backfill, and a repair).
REFRESH_ALL = (
    f"UPDATE cases_case SET due_next = {_earliest('cases_case.id', customer=False)}, "  # noqa: S608 (constants only)
    f"due_next_customer = {_earliest('cases_case.id', customer=True)}"
)

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH fresh AS (
            SELECT c.id,
                   {_earliest("c.id", customer=False)} AS due_next,
                   {_earliest("c.id", customer=True)} AS due_next_customer
            FROM cases_case c
            WHERE c.id IN (SELECT case_id FROM changed)
        )
        UPDATE cases_case c SET due_next = fresh.due_next, due_next_customer = fresh.due_next_customer
        FROM fresh
        WHERE c.id = fresh.id
          AND (c.due_next, c.due_next_customer) IS DISTINCT FROM (fresh.due_next, fresh.due_next_customer);
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 (constants only)
    f"""
    CREATE OR REPLACE FUNCTION {NAME}_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.due_next := {_earliest("NEW.id", customer=False)};
        NEW.due_next_customer := {_earliest("NEW.id", customer=True)};
        RETURN NEW;
    END
    $$
    """,
    *(f"DROP TRIGGER IF EXISTS {NAME}_{op} ON cases_milestone" for op in ("insert", "update", "delete")),
    f"DROP TRIGGER IF EXISTS {NAME}_keep ON cases_case",
    f"CREATE TRIGGER {NAME}_keep BEFORE UPDATE OF due_next, due_next_customer ON cases_case "
    f"FOR EACH ROW EXECUTE FUNCTION {NAME}_keep()",
    f"CREATE TRIGGER {NAME}_insert AFTER INSERT ON cases_milestone "
    f"REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {NAME}()",
    f"CREATE TRIGGER {NAME}_update AFTER UPDATE ON cases_milestone "
    f"REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {NAME}()",
    f"CREATE TRIGGER {NAME}_delete AFTER DELETE ON cases_milestone "
    f"REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {NAME}()",
]


def _sqlite_refresh(cases: str) -> str:
    return (
        f"UPDATE cases_case SET due_next = {_earliest('cases_case.id', customer=False)}, "  # noqa: S608 (constants only)
        f"due_next_customer = {_earliest('cases_case.id', customer=True)} WHERE id IN ({cases});"
    )


SQLITE_TRIGGERS = [f"{NAME}_insert", f"{NAME}_update", f"{NAME}_delete", f"{NAME}_keep"]
SQLITE = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    f"CREATE TRIGGER {NAME}_insert AFTER INSERT ON cases_milestone BEGIN {_sqlite_refresh('NEW.case_id')} END",
    f"CREATE TRIGGER {NAME}_update AFTER UPDATE OF case_id, due_at, met_at, paused_at, escalation_id, contact_id "
    f"ON cases_milestone BEGIN {_sqlite_refresh('NEW.case_id, OLD.case_id')} END",
    f"CREATE TRIGGER {NAME}_delete AFTER DELETE ON cases_milestone BEGIN {_sqlite_refresh('OLD.case_id')} END",
    # SQLite cannot change NEW before the write: the write that named the columns is corrected right after it.
    f"CREATE TRIGGER {NAME}_keep AFTER UPDATE OF due_next, due_next_customer ON cases_case "
    f"BEGIN {_sqlite_refresh('NEW.id')} END",
]


TRIGGERS = Triggers("urgency", POSTGRES, SQLITE, SQLITE_TRIGGERS)


def refresh_all(using: str = "default") -> None:
    """Recompute every case's columns from its milestones (set-based: one statement)."""
    with connections[using].cursor() as cursor:
        cursor.execute(REFRESH_ALL)
