"""The SLA chaser on beat's UTC clock across both daylight-saving changes in Denver, and over a quarter's turn:
each warning and breach happens once, at the right instant, and a doubled or late tick changes nothing."""

import datetime as dt
import zoneinfo

from cases.models import Escalation, Milestone
from cases.services import case_escalate, case_open
from cases.tasks import chase_sla
from core.models import OutboxMessage

DENVER = zoneinfo.ZoneInfo("America/Denver")
UTC = dt.UTC


def beat(clock, start: dt.datetime, end: dt.datetime, every: dt.timedelta) -> None:
    """Fire the chaser as beat would, at each tick from start to end, each tick delivered twice; ``clock`` is the
    test's ``time_machine`` fixture, left at the last tick."""
    tick = start
    while tick <= end:
        clock.move_to(tick, tick=False)
        chase_sla.delay()
        chase_sla.delay()  # redelivered
        tick += every


def subjects(word: str, to: str | None = None) -> list[str]:
    """The notifications written to the outbox (each goes out once from there; tests/accounts/test_outbox.py)."""
    messages = OutboxMessage.objects.filter(subject__contains=word)
    if to:
        messages = messages.filter(to=to)
    return list(messages.values_list("subject", flat=True))


def test_a_business_hours_target_across_the_spring_change_breaches_once_at_0630_mdt(ess, alice, tam, time_machine):
    # Friday Mar 6, 17:30 MST. One business hour: 30 minutes on Friday, 30 on Monday from 06:00 MDT.
    opened = dt.datetime(2026, 3, 6, 17, 30, tzinfo=DENVER)
    time_machine.move_to(opened, tick=False)
    case = case_open(actor=alice, account=ess, subject="Down", description="", channel="portal", severity=1)
    first_response = Milestone.objects.get(case=case, name="First response, severity 1")
    assert first_response.due_at == dt.datetime(2026, 3, 9, 6, 30, tzinfo=DENVER)  # 12:30 UTC, not 13:30
    OutboxMessage.objects.all().delete()
    # Every 15 minutes over the weekend and the change (Sunday 02:00 MST -> 03:00 MDT), then every minute.
    beat(time_machine, opened.astimezone(UTC), dt.datetime(2026, 3, 9, 11, 45, tzinfo=UTC), dt.timedelta(minutes=15))
    first_response.refresh_from_db()
    assert first_response.warned_at is None and first_response.breached_at is None
    beat(
        time_machine,
        dt.datetime(2026, 3, 9, 11, 46, tzinfo=UTC),
        dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
        dt.timedelta(minutes=1),
    )
    first_response.refresh_from_db()
    assert first_response.warned_at == dt.datetime(2026, 3, 9, 12, 15, tzinfo=UTC)  # 45 of 60 minutes: 06:15 MDT
    assert first_response.breached_at == dt.datetime(2026, 3, 9, 12, 30, tzinfo=UTC)
    assert len(subjects("SLA warning: First response")) == 1
    assert len(subjects("SLA breached: First response")) == 1


def test_an_escalation_across_the_autumn_change_is_passed_on_once(ess, alice, support, tam, backup_tam, time_machine):
    # 01:50 MDT on Sunday Nov 1; at 02:00 MDT the clocks go back to 01:00 MST. Fifteen wall-clock minutes
    # later is 08:05 UTC (01:05 MST), not 02:05 local.
    escalated_at = dt.datetime(2026, 11, 1, 7, 50, tzinfo=UTC)
    time_machine.move_to(escalated_at, tick=False)
    case = case_open(actor=alice, account=ess, subject="Down", description="", channel="portal", severity=1)
    escalation = case_escalate(actor=support, case=case, at=escalated_at)
    acknowledged = Milestone.objects.get(escalation=escalation)
    assert acknowledged.due_at == dt.datetime(2026, 11, 1, 8, 5, tzinfo=UTC)
    OutboxMessage.objects.all().delete()
    beat(time_machine, escalated_at, dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC), dt.timedelta(minutes=1))
    acknowledged.refresh_from_db()
    assert acknowledged.warned_at == dt.datetime(2026, 11, 1, 8, 2, tzinfo=UTC)  # first tick after 11¼ minutes
    assert acknowledged.breached_at == dt.datetime(2026, 11, 1, 8, 5, tzinfo=UTC)
    chain = list(Escalation.objects.filter(case=case).order_by("escalated_at").values_list("escalated_to", flat=True))
    assert chain[:2] == [tam.pk, backup_tam.pk]  # passed on once, to the backup
    successor = Escalation.objects.get(case=case, escalated_to=backup_tam)
    # At 08:05 itself an acknowledgement is still on time; the tick after it passes the escalation on.
    assert successor.escalated_at == dt.datetime(2026, 11, 1, 8, 6, tzinfo=UTC)
    assert len(subjects("Escalated to you", to=backup_tam.email)) == 1
    # Each escalation's own clock breaches once: Terry's at 08:05, then Bianca's fifteen minutes later.
    assert len(subjects("SLA breached: Escalation acknowledged", to=tam.email)) == 1
    assert len(subjects("SLA breached: Escalation acknowledged", to=backup_tam.email)) == 1


def test_a_late_beat_after_a_quarters_turn_breaches_once_without_a_warning(ess, alice, time_machine):
    """The worker was down from Dec 31 to Jan 2: the first tick back records the breach once, at the due time,
    not at the late tick, and sends no warning for a target already missed."""
    opened = dt.datetime(2026, 12, 31, 15, 0, tzinfo=DENVER)
    time_machine.move_to(opened, tick=False)
    case = case_open(actor=alice, account=ess, subject="Down", description="", channel="portal", severity=1)
    first_response = Milestone.objects.get(case=case, name="First response, severity 1")
    OutboxMessage.objects.all().delete()
    beat(
        time_machine,
        dt.datetime(2027, 1, 2, 9, 0, tzinfo=DENVER),
        dt.datetime(2027, 1, 2, 9, 3, tzinfo=DENVER),
        dt.timedelta(minutes=1),
    )
    first_response.refresh_from_db()
    assert first_response.breached_at == first_response.due_at == dt.datetime(2026, 12, 31, 16, 0, tzinfo=DENVER)
    assert first_response.warned_at is None
    assert subjects("SLA warning: First response") == []
    assert len(subjects("SLA breached: First response")) == 1
