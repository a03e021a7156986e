"""SLA clocks: the FAQ promises, pauses, the chaser's exactly-once work, escalation to the acting TAM."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail

from accounts.models import TamAbsence
from accounts.roles import Role
from cases.chaser import sla_chase
from cases.models import CaseEntry, CaseStatus, Escalation, Milestone
from cases.services import (
    case_escalate,
    case_note,
    case_open,
    case_reply,
    case_set_status,
    contact_answered,
    contact_log,
    escalation_acknowledge,
)
from core.errors import DomainError, NotAllowed
from tests.factories import UserFactory, flush_mail
from tests.figures import record
from tests.races import at_once

DENVER = zoneinfo.ZoneInfo("America/Denver")
MONDAY_9 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=DENVER)

# The tests place calls and cases in early December 2026; "now" is a week later.
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 14, 12, 0, tzinfo=DENVER), tick=False)


def open_case(account, actor, at=MONDAY_9, severity=3, channel="portal"):
    return case_open(
        actor=actor,
        account=account,
        subject="Scanner stuck",
        description="Batch 42 hangs",
        channel=channel,
        severity=severity,
        at=at,
    )


def milestone(case, name_part):
    return Milestone.objects.get(case=case, name__icontains=name_part)


def test_a_tam_reply_target_set_friday_17_denver_is_due_monday_07(ess, support, alice):
    case = open_case(ess, alice)
    friday_5pm = dt.datetime(2026, 12, 4, 17, 0, tzinfo=DENVER)
    contact = contact_log(actor=support, case=case, kind="email", received_at=friday_5pm)
    reply = Milestone.objects.get(contact=contact)
    assert reply.due_at == dt.datetime(2026, 12, 7, 7, 0, tzinfo=DENVER)
    assert reply.clock == "business"


def test_the_phone_answer_target_is_two_wall_clock_minutes(ess, support, alice):
    case = open_case(ess, alice)
    call = contact_log(actor=support, case=case, kind="phone", received_at=MONDAY_9)
    answer = Milestone.objects.get(contact=call)
    assert answer.due_at == MONDAY_9 + dt.timedelta(minutes=2)
    contact_answered(actor=support, contact=call, answered_at=MONDAY_9 + dt.timedelta(seconds=70))
    answer.refresh_from_db()
    assert answer.state == "met"


def test_standard_accounts_get_no_faq_promises(standard, bob, support):
    case = open_case(standard, bob)
    call = contact_log(actor=support, case=case, kind="phone", received_at=MONDAY_9)
    assert not Milestone.objects.filter(contact=call).exists()
    assert Milestone.objects.filter(case=case, target__is_example=True).exists()


def test_first_response_is_met_by_a_staff_reply_not_a_note(ess, alice, support):
    case = open_case(ess, alice, severity=2)
    first = milestone(case, "First response")
    assert first.due_at == MONDAY_9 + dt.timedelta(hours=2)
    case_note(actor=support, case=case, body="Looking at logs")
    first.refresh_from_db()
    assert first.met_at is None
    case_reply(actor=support, case=case, body="We are on it", at=MONDAY_9 + dt.timedelta(minutes=30))
    first.refresh_from_db()
    assert first.met_at == MONDAY_9 + dt.timedelta(minutes=30)


def test_waiting_on_the_customer_pauses_resolution_and_moves_the_due_time(ess, alice, support):
    case = open_case(ess, alice, severity=1)  # resolution: 8 business hours -> Monday 17:00
    resolution = milestone(case, "Resolution")
    assert resolution.due_at == dt.datetime(2026, 12, 7, 17, 0, tzinfo=DENVER)
    case_set_status(actor=support, case=case, status="waiting", at=dt.datetime(2026, 12, 7, 10, 0, tzinfo=DENVER))
    resolution.refresh_from_db()
    assert resolution.paused_at is not None
    # The customer answers next morning at 08:00: 4 business hours paused (10-18 Monday is 8, 06-08 Tuesday 2).
    case_reply(actor=alice, case=case, body="Here are the logs", at=dt.datetime(2026, 12, 8, 8, 0, tzinfo=DENVER))
    case.refresh_from_db()
    resolution.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert resolution.paused_at is None
    assert resolution.paused_for == dt.timedelta(hours=10)
    # 1 business hour used Monday 09-10, 7 left from Tuesday 08:00: Tuesday 15:00.
    assert resolution.due_at == dt.datetime(2026, 12, 8, 15, 0, tzinfo=DENVER)
    first = milestone(case, "First response")
    assert first.paused_at is None  # first response does not pause


def test_escalation_goes_to_the_acting_tam_and_acknowledgement_meets_the_target(ess, alice, support, tam):
    case = open_case(ess, alice)
    escalation = case_escalate(actor=support, case=case, reason="Production down", at=MONDAY_9)
    assert escalation.escalated_to == tam
    ack = Milestone.objects.get(escalation=escalation)
    assert ack.due_at == MONDAY_9 + dt.timedelta(minutes=15)
    escalation_acknowledge(actor=tam, escalation=escalation, at=MONDAY_9 + dt.timedelta(minutes=6))
    ack.refresh_from_db()
    assert ack.state == "met"
    with pytest.raises(DomainError, match="already acknowledged"):
        escalation_acknowledge(actor=tam, escalation=escalation)


def test_during_an_absence_the_escalation_lands_with_the_backup(ess, alice, support, tam, backup_tam):
    TamAbsence.objects.create(
        tam=tam, starts_at=MONDAY_9 - dt.timedelta(days=1), ends_at=MONDAY_9 + dt.timedelta(days=1)
    )
    escalation = case_escalate(actor=support, case=open_case(ess, alice), at=MONDAY_9)
    assert escalation.escalated_to == backup_tam


def test_customers_cannot_escalate_or_write_notes(ess, alice):
    case = open_case(ess, alice)
    with pytest.raises(NotAllowed, match="Only vendor staff escalate cases"):
        case_escalate(actor=alice, case=case)
    with pytest.raises(NotAllowed, match="Only vendor staff write internal notes"):
        case_note(actor=alice, case=case, body="x")


def test_the_chaser_warns_breaches_and_re_escalates_exactly_once(
    ess, alice, support, tam, backup_tam, tam_level, django_capture_on_commit_callbacks
):
    case = open_case(ess, alice)
    with django_capture_on_commit_callbacks(execute=True):
        escalation = case_escalate(actor=support, case=case, at=MONDAY_9)
    flush_mail()
    with django_capture_on_commit_callbacks(execute=True):
        at_12 = MONDAY_9 + dt.timedelta(minutes=12)  # 75 % of 15 minutes is 11:15
        first = sla_chase(now=at_12)
        again = sla_chase(now=at_12)
    assert first.warned >= 1 and again.warned == 0
    assert any("SLA warning: Escalation acknowledged" in m.subject and m.to == [tam.email] for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        at_16 = MONDAY_9 + dt.timedelta(minutes=16)
        breach = sla_chase(now=at_16)
        repeat = sla_chase(now=at_16 + dt.timedelta(minutes=1))
    assert breach.reescalated == 1 and repeat.reescalated == 0
    escalation.refresh_from_db()
    assert escalation.superseded_at == at_16
    successor = escalation.successor
    assert successor.escalated_to == backup_tam  # next in the acting chain
    assert Escalation.objects.filter(case=case).count() == 2
    assert any(m.to == [backup_tam.email] and "Escalated to you" in m.subject for m in mail.outbox)
    assert Milestone.objects.get(escalation=escalation).breached_at == MONDAY_9 + dt.timedelta(minutes=15)
    # The backup does not answer either: then a TAM-level resource, once.
    sla_chase(now=at_16 + dt.timedelta(minutes=16))
    sla_chase(now=at_16 + dt.timedelta(minutes=17))
    successor.refresh_from_db()
    assert successor.successor.escalated_to == tam_level
    assert Escalation.objects.filter(case=case).count() == 3


def test_a_business_hours_target_never_warns_at_night(ess, alice, support):
    case = open_case(ess, alice)
    evening = dt.datetime(2026, 12, 7, 17, 30, tzinfo=DENVER)
    contact = contact_log(actor=support, case=case, kind="voicemail", received_at=evening)
    reply = Milestone.objects.get(contact=contact)
    # 2 business hours from 17:30: 30 min Monday, 90 min Tuesday -> due 07:30; 75 % -> 07:00 Tuesday.
    assert reply.warn_at == dt.datetime(2026, 12, 8, 7, 0, tzinfo=DENVER)
    sla_chase(now=dt.datetime(2026, 12, 8, 3, 0, tzinfo=DENVER))
    reply.refresh_from_db()
    assert reply.warned_at is None
    sla_chase(now=dt.datetime(2026, 12, 8, 7, 0, tzinfo=DENVER))
    reply.refresh_from_db()
    assert reply.warned_at == dt.datetime(2026, 12, 8, 7, 0, tzinfo=DENVER)


def test_a_policy_change_does_not_rewrite_running_milestones(ess, alice):
    case = open_case(ess, alice, severity=2)
    first = milestone(case, "First response")
    target = first.target
    target.duration = dt.timedelta(hours=10)
    target.save()
    first.refresh_from_db()
    assert first.duration == dt.timedelta(hours=2)


def test_internal_notes_never_reach_the_customer(ess, alice, support, django_capture_on_commit_callbacks):
    case = open_case(ess, alice)
    with django_capture_on_commit_callbacks(execute=True):
        case_note(actor=support, case=case, body="Customer's DB is misconfigured, don't say yet")
        case_reply(actor=support, case=case, body="We are looking into it")
    assert all("misconfigured" not in m.body for m in mail.outbox)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert not CaseEntry.objects.for_viewer(alice).filter(body__contains="misconfigured").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_chasers_at_once_do_everything_once(ess, alice, support, tam, db):
    UserFactory(first_name="Lee", roles=[Role.TAM_LEVEL])
    cases = [open_case(ess, alice, at=MONDAY_9) for _ in range(15)]
    for case in cases:
        case_escalate(actor=support, case=case, at=MONDAY_9)
    outcomes = at_once(2, lambda n: sla_chase(now=MONDAY_9 + dt.timedelta(minutes=20)))
    assert not outcomes.errors
    reports = outcomes.results
    assert sum(r.reescalated for r in reports) == 15
    assert Escalation.objects.filter(previous__isnull=False).count() == 15
    assert sum(r.breached for r in reports) == Milestone.objects.filter(breached_at__isnull=False).count()
    record(
        "chaser-concurrent",
        f"SLA chaser: 2 runs at once over {len(cases)} breached escalations: "
        f"{sum(r.reescalated for r in reports)} re-escalations, each exactly once",
    )


def test_a_customer_email_recorded_by_staff_restarts_the_clocks(ess, alice, support):
    case = open_case(ess, alice, severity=1)
    case_set_status(actor=support, case=case, status="waiting", at=dt.datetime(2026, 12, 7, 10, 0, tzinfo=DENVER))
    case_reply(
        actor=support,
        case=case,
        body="(e-mail) Logs attached",
        channel="email",
        from_customer=True,
        at=dt.datetime(2026, 12, 7, 11, 0, tzinfo=DENVER),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    entry = case.entries.filter(kind="reply").last()
    assert (entry.author, entry.channel) == (alice, "email")
    resolution = milestone(case, "Resolution")
    assert resolution.paused_for == dt.timedelta(hours=1)
    with pytest.raises(NotAllowed, match="Only staff"):
        case_reply(actor=alice, case=case, body="x", from_customer=True)
