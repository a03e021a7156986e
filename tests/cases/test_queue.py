"""The cases API's list statement (cases/queue.py) lists what the ORM's queue lists: the same cases, in the same
order, with the same columns, page by page, for staff and for a customer, with each filter of the API."""

import datetime as dt
import itertools
import zoneinfo

import pytest

from accounts.models import Account
from cases.models import Case
from cases.querysets import QUEUE_ORDER, queue_keys
from cases.queue import QueueRows, count_sql
from cases.serializers import LIST_COLUMNS
from cases.services import case_escalate, case_open, case_set_status
from core.vendor_sql import condition_of
from tests.factories import UserFactory

DENVER = zoneinfo.ZoneInfo("America/Denver")
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 7, 10, 0, tzinfo=DENVER), tick=False)


@pytest.fixture
def queue(ess, standard, alice, bob, support):
    """Cases of both tiers opened in the same instant (equal deadlines and ages: only priority, severity and the
    case's number tell them apart), resolved ones (no deadline), a waiting one (its clock paused) and an escalated
    one (a clock only staff see)."""
    cases = []
    for severity in (1, 2, 3, 4, 2, 3):
        cases.append(
            case_open(actor=alice, account=ess, subject="ESS", description="", channel="portal", severity=severity)
        )
        cases.append(
            case_open(actor=bob, account=standard, subject="Std", description="", channel="portal", severity=severity)
        )
    case_set_status(actor=support, case=cases[0], status="resolved")
    case_set_status(actor=support, case=cases[3], status="resolved")
    case_set_status(actor=support, case=cases[4], status="waiting")
    case_escalate(actor=support, case=cases[6])
    return cases


def orm_rows(cases, *, customer_view: bool) -> list[dict]:
    """The same read written with the ORM."""
    return list(
        cases.with_urgency(customer_view=customer_view, breached=False)
        .queue_order(one_account=customer_view)
        .values(*LIST_COLUMNS)
    )


FILTERS = [{}, {"status": "new"}, {"status": "resolved"}, {"status__in": ["new", "open", "waiting", "escalated"]}]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["support", "alice", "bob"])
@pytest.mark.parametrize("filters", FILTERS, ids=["all", "new", "resolved", "open-statuses"])
def test_every_window_of_the_statement_is_the_orms(queue, request, viewer, filters):
    user = request.getfixturevalue(viewer)
    customer_view = not user.is_vendor_staff
    cases = Case.objects.visible_to(user).filter(**filters)
    expected = orm_rows(cases, customer_view=customer_view)
    assert expected  # every viewer and filter lists something
    rows = QueueRows(cases, customer_view=customer_view, total=count_sql(cases))
    for start in range(0, len(expected) + 3, 3):
        window = rows[start : start + 3]
        listed = [{k: v for k, v in row.items() if k != "total"} for row in window]
        assert listed == expected[start : start + 3]
        # equal and of the same types (a 0 for False, or a float count, would compare equal)
        assert [{k: type(v) for k, v in row.items()} for row in listed] == [
            {k: type(v) for k, v in row.items()} for row in expected[start : start + 3]
        ]
        assert all(type(row["total"]) is int for row in window)
        assert all(row["total"] == len(expected) for row in window)
    assert all(row["next_due"] is None or row["next_due"].tzinfo is not None for row in rows[0:50])


@pytest.mark.django_db
def test_staff_order_puts_priority_before_severity_at_an_equal_deadline(queue, support):
    rows = QueueRows(Case.objects.all(), customer_view=False, total=count_sql(Case.objects.all()))[0:50]
    due = [row for row in rows if row["next_due"] is not None]
    for earlier, later in itertools.pairwise(due):
        key = (earlier["next_due"], not earlier["priority"], earlier["severity"], earlier["created_at"], earlier["id"])
        assert key < (later["next_due"], not later["priority"], later["severity"], later["created_at"], later["id"])
    assert [row["next_due"] for row in rows[len(due) :]] == [None] * (len(rows) - len(due))  # no deadline: last


@pytest.mark.django_db
def test_a_viewer_who_may_see_nothing_lists_nothing(queue):
    nobody = UserFactory(email="nobody@example.com")
    cases = Case.objects.visible_to(nobody)
    assert QueueRows(cases, customer_view=True, total=count_sql(cases))[0:50] == []


@pytest.mark.django_db
def test_a_conditions_edges(ess):
    assert condition_of(Account.objects.all(), "a").sql == "1 = 1"
    assert condition_of(Account.objects.none(), "a").sql == "1 = 0"
    assert condition_of(Account.objects.filter(pk__in=[]), "a").sql == "1 = 0"
    assert condition_of(Account.objects.filter(pk=ess.pk), "a").params == (ess.pk,)
    for unfit in (
        Account.objects.filter(pk=ess.pk).union(Account.objects.all()),  # the other half would be dropped
        Account.objects.all()[:3],  # so would the slice
        Case.objects.filter(account__slug="acme"),  # a table the statement does not have
    ):
        with pytest.raises(ValueError, match="own columns only"):
            condition_of(unfit, "a")


def test_the_order_is_total_and_a_customers_leaves_out_priority():
    assert QUEUE_ORDER[-1].expression.name == "id"
    assert [key.expression.name for key in queue_keys(one_account=True)] == [
        "next_due",
        "severity",
        "created_at",
        "id",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["support", "alice"])
def test_the_apis_pages_list_every_case_once_in_the_queues_order(request, client_for, ess, alice, support, viewer):
    """55 cases opened in the same instant, most with equal deadlines: page 2 goes on where page 1 stopped."""
    for number in range(55):
        case_open(actor=alice, account=ess, subject=f"Case {number}", description="", channel="portal", severity=2)
    user = request.getfixturevalue(viewer)
    client = client_for(user)
    first, second = client.get("/api/v1/cases/").json(), client.get("/api/v1/cases/?page=2").json()
    assert (first["count"], len(first["results"]), len(second["results"])) == (55, 50, 5)
    listed = [row["id"] for row in first["results"] + second["results"]]
    customer_view = viewer == "alice"
    ordered = Case.objects.with_urgency(customer_view=customer_view).queue_order(one_account=customer_view)
    assert listed == list(ordered.values_list("id", flat=True))
    assert first["next"].endswith("?page=2") and second["previous"] is not None and second["next"] is None
