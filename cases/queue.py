"""The cases API's list: a page of the queue read by one hand-written statement.

The ORM writes the same read (``with_urgency().queue_order()`` and ``.values(*LIST_COLUMNS)``), but at the rate the
queue is read, building and compiling that query took longer than PostgreSQL took to answer it, and a join to each
of the two people of a case (contact, assignee) made the plan cost more than the rows. Here the statement is written
once per viewer kind, the people are scalar subqueries (planned apart, run for the fifty rows of the page only) and
nothing of the rule is written again:
- which cases a viewer may list, and the list's filters, are the queryset's own condition (``condition_of``:
  ``Case.objects.visible_to`` and the API's filters, compiled by the ORM);
- the order is ``cases.querysets.QUEUE_ORDER``, the keys ``queue_order`` sorts a queryset by;
- the columns are ``LIST_COLUMNS``, named as ``.values()`` names them, so ``case_list_payload`` writes either.
tests/cases/test_queue.py holds its rows equal to the ORM's, in the same order, for staff and for customers.
"""

import datetime as dt

from django.db import connections

from core.vendor_sql import Fragment, condition_of, positional

from .querysets import queue_keys
from .serializers import LIST_COLUMNS

_PERSON = "(SELECT u.{field} FROM accounts_user u WHERE u.id = c.{person}_id)"


def _columns(*, customer_view: bool) -> dict[str, str]:
    """Each of ``LIST_COLUMNS`` (and the sort keys) as SQL over the case ``c`` and its account ``a``."""
    return {
        "id": "c.id",
        "account__slug": "a.slug",
        "subject": "c.subject",
        "channel": "c.channel",
        "severity": "c.severity",
        "status": "c.status",
        "contact__email": _PERSON.format(field="email", person="contact"),
        "assignee_id": "c.assignee_id",
        "assignee__first_name": _PERSON.format(field="first_name", person="assignee"),
        "assignee__last_name": _PERSON.format(field="last_name", person="assignee"),
        "assignee__email": _PERSON.format(field="email", person="assignee"),
        "on_behalf": "c.on_behalf",
        "created_at": "c.created_at",
        "resolved_at": "c.resolved_at",
        "next_due": "c.due_next_customer" if customer_view else "c.due_next",
        "priority": "a.priority_support_today",
    }


def _statement(*, customer_view: bool) -> str:
    columns = _columns(customer_view=customer_view)
    order = ", ".join(
        f"{columns[key.expression.name]} {'DESC' if key.descending else 'ASC'}{' NULLS LAST' if key.nulls_last else ''}"
        for key in queue_keys(one_account=customer_view)
    )
    return (
        f"SELECT {', '.join(columns[name] for name in LIST_COLUMNS)}, %(total)s "  # noqa: S608 (constants only)
        "FROM cases_case c INNER JOIN accounts_account a ON a.id = c.account_id "
        f"WHERE %(cases)s ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"
    )


# A customer lists one account's cases, by the clocks a customer sees; staff every case, by all of them.
STATEMENTS = {customer_view: _statement(customer_view=customer_view) for customer_view in (False, True)}
_NAMES = (*LIST_COLUMNS, "total")
_TIMES = ("created_at", "resolved_at", "next_due")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives a stored time without its zone (UTC, as Django stores it)."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def count_sql(cases) -> Fragment:
    """How many cases ``cases`` holds, as a scalar subquery."""
    condition = condition_of(cases, "k")
    return Fragment(f"(SELECT COUNT(*) FROM cases_case k WHERE {condition.sql})", condition.params)  # noqa: S608


class QueueRows:
    """The cases of ``cases`` (scoped and filtered; its order is the queue's) in queue order, sliced by a paginator:
    each slice is one statement, its rows as ``.values(*LIST_COLUMNS)`` gives them with ``total``, the number of
    cases the list holds (``total``: a scalar subquery, read with the page)."""

    def __init__(self, cases, *, customer_view: bool, total: Fragment):
        self.cases, self.customer_view, self.total = cases, customer_view, total

    def __getitem__(self, window: slice) -> list[dict]:
        offset = window.start or 0
        sql, params = positional(
            STATEMENTS[self.customer_view],
            {
                "total": self.total,
                "cases": condition_of(self.cases, "c"),
                "limit": window.stop - offset,
                "offset": offset,
            },
        )
        with connections[self.cases.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        listed = []
        for row in rows:
            case = dict(zip(_NAMES, row, strict=True))
            for name in _TIMES:
                case[name] = _aware(case[name])
            listed.append(case)
        return listed
