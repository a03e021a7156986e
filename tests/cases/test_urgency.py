"""The queue's sort key kept by the database (cases/urgency.py): whatever writes a milestone, each case's stored
earliest running deadline is the one its clocks give, for staff (every clock) and for its customer (the case's own
clocks); a case saved from an object read before its clocks moved keeps the right value; the queue reads it."""

import datetime as dt
import zoneinfo

import pytest
from django.db.models import Min

from audit.models import AuditEvent
from cases.models import Case, CaseStatus, Milestone
from cases.services import case_escalate, case_open, case_reply, case_set_status, contact_log
from cases.urgency import refresh_all

DENVER = zoneinfo.ZoneInfo("America/Denver")
MONDAY_9 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=DENVER)
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 7, 10, 0, tzinfo=DENVER), tick=False)


def opened(account, actor, severity=3, at=MONDAY_9):
    return case_open(
        actor=actor,
        account=account,
        subject="Scanner stuck",
        description="Batch 42 hangs",
        channel="portal",
        severity=severity,
        at=at,
    )


def expected(case: Case) -> tuple:
    """What the clocks say, computed here from the milestones."""
    running = Milestone.objects.filter(case=case, met_at__isnull=True, paused_at__isnull=True)
    every = running.aggregate(first=Min("due_at"))["first"]
    own = running.filter(escalation__isnull=True, contact__isnull=True).aggregate(first=Min("due_at"))["first"]
    return every, own


def stored(case: Case) -> tuple:
    return tuple(Case.objects.filter(pk=case.pk).values_list("due_next", "due_next_customer").get())


def test_every_step_of_a_case_keeps_the_stored_deadlines(ess, alice, support, tam):
    case = opened(ess, alice)
    first = stored(case)
    assert first == expected(case) and first[0] is not None
    contact_log(actor=support, case=case, kind="email", received_at=MONDAY_9 + dt.timedelta(minutes=5))
    assert stored(case) == expected(case)
    assert stored(case)[0] <= stored(case)[1]  # the TAM-reply clock counts for staff only
    case_escalate(actor=support, case=case, reason="Down", at=MONDAY_9 + dt.timedelta(minutes=6))
    assert stored(case) == expected(case) and stored(case)[0] < stored(case)[1]
    case_reply(actor=support, case=case, body="Looking", at=MONDAY_9 + dt.timedelta(minutes=10))
    assert stored(case) == expected(case)
    case_set_status(actor=support, case=case, status=CaseStatus.WAITING, at=MONDAY_9 + dt.timedelta(minutes=20))
    assert stored(case) == expected(case)
    case_set_status(actor=support, case=case, status=CaseStatus.OPEN, at=MONDAY_9 + dt.timedelta(minutes=50))
    assert stored(case) == expected(case)


def test_writes_that_bypass_the_services_keep_them_too(ess, alice):
    case = opened(ess, alice)
    Milestone.objects.filter(case=case).update(due_at=MONDAY_9 + dt.timedelta(days=9))
    assert stored(case) == (MONDAY_9 + dt.timedelta(days=9),) * 2
    copy = Milestone.objects.filter(case=case).first()
    copy.pk, copy.due_at = None, MONDAY_9 + dt.timedelta(hours=1)
    Milestone.objects.bulk_create([copy])
    assert stored(case) == (MONDAY_9 + dt.timedelta(hours=1),) * 2
    Milestone.objects.filter(case=case).update(met_at=MONDAY_9)
    assert stored(case) == (None, None)
    Milestone.objects.filter(case=case).update(met_at=None)
    Milestone.objects.filter(case=case).delete()
    assert stored(case) == (None, None)


def test_a_case_saved_from_an_old_copy_keeps_the_deadlines_its_clocks_give(ess, alice, support):
    case = opened(ess, alice)
    old_copy = Case.objects.get(pk=case.pk)
    Milestone.objects.filter(case=case).update(due_at=MONDAY_9 + dt.timedelta(days=3))
    old_copy.subject = "Scanner stuck on batch 42"
    old_copy.save()  # every field, the stale deadlines among them
    assert stored(case) == expected(case) == (MONDAY_9 + dt.timedelta(days=3),) * 2


def test_a_repair_recomputes_every_case_in_one_statement(ess, alice, django_assert_num_queries):
    cases = [opened(ess, alice, severity=s) for s in (1, 2, 3)]
    Case.objects.update(due_next=None, due_next_customer=None)  # what a restore without triggers could leave
    with django_assert_num_queries(1):
        refresh_all()
    assert [stored(case) for case in cases] == [expected(case) for case in cases]


def test_a_moved_deadline_writes_no_audit_row_for_the_case(ess, alice):
    case = opened(ess, alice)
    before = AuditEvent.objects.filter(model="cases.case").count()
    Milestone.objects.filter(case=case).update(due_at=MONDAY_9 + dt.timedelta(days=2))
    assert AuditEvent.objects.filter(model="cases.case").count() == before
    assert AuditEvent.objects.filter(model="cases.milestone", action="update").exists()


def test_the_queue_reads_the_stored_order(ess, standard, alice, bob, support, client_for):
    urgent = opened(ess, alice, severity=1)
    calm = opened(ess, alice, severity=4)
    other = opened(standard, bob, severity=2)
    Milestone.objects.filter(case=calm).update(due_at=MONDAY_9 - dt.timedelta(hours=1))  # overdue: first
    listed = [row["id"] for row in client_for(support).get("/api/v1/cases/").json()["results"]]
    due = {case.pk: stored(case)[0] for case in (urgent, calm, other)}
    assert listed[0] == calm.pk
    assert listed == sorted(listed, key=lambda pk: (due[pk] is None, due[pk] or MONDAY_9))
    own = [row["id"] for row in client_for(alice).get("/api/v1/cases/").json()["results"]]
    assert own == [calm.pk, urgent.pk]
