"""The SLA clocks of a case: which targets apply, and starting, meeting, pausing and resuming their milestones.

A milestone copies its target when it starts, so a later policy edit never rewrites a running clock. A target is
met by a meeting event at or before its due time; it is breached only when the due time has passed with none
(the chaser records that, cases/chaser.py).
"""

import datetime as dt

from django.db.models import Q

from accounts.models import Contract
from accounts.quarters import vendor_zone

from .clocks import clock_between, schedule_times
from .models import Case, CaseStatus, ClockKind, EntryKind, MeetEvent, Milestone, SlaTarget, StartEvent
from .timeline import entry_add, moment_label


def targets_for(case: Case, start_event: StartEvent, at: dt.datetime):
    """The active targets for ``start_event`` of the policy of the tier the account holds on that day (vendor
    zone): a tier's own targets only, so a Standard case never runs an Enterprise promise."""
    day = at.astimezone(vendor_zone()).date()
    contract = Contract.objects.in_force(on=day).filter(account=case.account).select_related("tier").first()
    if contract is None:
        return SlaTarget.objects.none()
    return (
        SlaTarget.objects.filter(policy__tier=contract.tier, start_event=start_event, active=True)
        .filter(Q(severity__isnull=True) | Q(severity=case.severity))
        .select_related("policy", "calendar")
    )


def milestones_start(
    case: Case, start_event: StartEvent, at: dt.datetime, *, contact=None, escalation=None
) -> list[Milestone]:
    """Start the case's clocks for ``start_event``, each a copy of its target's rule."""
    started = []
    for target in targets_for(case, start_event, at):
        milestone = Milestone(
            case=case,
            target=target,
            name=target.name,
            meet_event=target.meet_event,
            duration=target.duration,
            clock=target.clock,
            calendar=target.calendar,
            paused_while_waiting=target.paused_while_waiting,
            warn_at_percent=target.policy.warn_at_percent,
            contact=contact,
            escalation=escalation,
            started_at=at,
        )
        if case.status == CaseStatus.WAITING and milestone.paused_while_waiting:
            milestone.paused_at = at
        schedule_times(milestone)
        milestone.save()
        business = " (business hours)" if milestone.clock == ClockKind.BUSINESS else ""
        text = f"Clock started: {milestone.name}, due {moment_label(milestone.due_at)}{business}"
        entry_add(case, EntryKind.SLA, text, public=False, at=at)
        started.append(milestone)
    return started


def milestones_meet(case: Case, meet_event: MeetEvent, at: dt.datetime, **match) -> int:
    """Mark the case's clocks for ``meet_event`` met at ``at``. Met at or before the due time is met on time, even
    when the chaser had already recorded a breach before the meeting event was known (a call logged later)."""
    milestones = list(
        Milestone.objects.select_for_update()
        .filter(case=case, meet_event=meet_event, met_at__isnull=True, started_at__lte=at, **match)
        .order_by("started_at")
    )
    for milestone in milestones:
        if milestone.paused_at is not None:
            _resume(milestone, at)
        milestone.met_at = at
        on_time = at <= milestone.due_at
        if on_time:
            milestone.breached_at = None
        milestone.save(update_fields=["met_at", "breached_at", "paused_at", "paused_for", "due_at", "warn_at"])
        late = "" if on_time else " (after the due time)"
        entry_add(case, EntryKind.SLA, f"Target met: {milestone.name} at {moment_label(at)}{late}", public=False, at=at)
    return len(milestones)


def _resume(milestone: Milestone, at: dt.datetime) -> None:
    milestone.paused_for += clock_between(milestone, milestone.paused_at, at)
    milestone.paused_at = None
    schedule_times(milestone)


def milestones_follow_status(case: Case, at: dt.datetime) -> None:
    """Waiting on the customer stops the clocks whose target says so; any other status restarts them, and each
    due time moves by the time spent paused (on the clock's own calendar)."""
    running = Milestone.objects.select_for_update().filter(
        case=case, paused_while_waiting=True, met_at__isnull=True, breached_at__isnull=True
    )
    for milestone in running:
        if case.status == CaseStatus.WAITING and milestone.paused_at is None:
            milestone.paused_at = at
            milestone.save(update_fields=["paused_at"])
            text = f"Clock paused while waiting on the customer: {milestone.name}"
            entry_add(case, EntryKind.SLA, text, public=False, at=at)
        elif case.status != CaseStatus.WAITING and milestone.paused_at is not None:
            _resume(milestone, at)
            milestone.save(update_fields=["paused_at", "paused_for", "due_at", "warn_at"])
            text = f"Clock resumed: {milestone.name}, now due {moment_label(milestone.due_at)}"
            entry_add(case, EntryKind.SLA, text, public=False, at=at)
