"""The SLA chaser: warnings, breaches and re-escalations, each exactly once.

It reads only running milestones through partial indexes (so its cost follows what is due, not how many
cases exist), claims rows with ``SELECT … FOR UPDATE SKIP LOCKED`` so a concurrent run takes other rows,
and re-checks the "not yet" condition in the same transaction that records it.

Due means due: a clock met at its due time is met, so the chaser breaches only once the due time has passed
(``due_at < now``), and it warns only while the due time has not (a first run after downtime breaches without
warning first).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.events import publish

from . import notifications
from .escalations import escalation_pass_on
from .models import EntryKind, Milestone
from .timeline import entry_add

BATCH = 500
RELATED = ("case", "case__account", "case__assignee", "escalation__escalated_to", "contact__tam")


@dataclass
class ChaseReport:
    warned: int = 0
    breached: int = 0
    reescalated: int = 0


def _claim(**due):
    """Running clocks matching ``due``, locked for this run; rows another run holds are left to it."""
    return (
        Milestone.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(met_at__isnull=True, breached_at__isnull=True, paused_at__isnull=True, **due)
        .select_related(*RELATED)
    )


def _warn(now: dt.datetime) -> int:
    with transaction.atomic():
        due = list(_claim(warned_at__isnull=True, warn_at__lte=now, due_at__gte=now).order_by("warn_at")[:BATCH])
        for milestone in due:
            milestone.warned_at = now
            notifications.sla_warning(milestone)
            publish("sla.warning", milestone, account_id=milestone.case.account_id)
        Milestone.objects.bulk_update(due, ["warned_at"])
    return len(due)


def _breach(now: dt.datetime) -> tuple[int, int]:
    reescalated = 0
    with transaction.atomic():
        due = list(_claim(due_at__lt=now).order_by("due_at")[:BATCH])
        for milestone in due:
            milestone.breached_at = milestone.due_at
            entry_add(milestone.case, EntryKind.SLA, f"Target breached: {milestone.name}", public=False, at=now)
            notifications.sla_breach(milestone)
            publish("sla.breached", milestone, account_id=milestone.case.account_id)
            passed_on = milestone.escalation_id and escalation_pass_on(escalation=milestone.escalation, at=now)
            reescalated += 1 if passed_on else 0
        Milestone.objects.bulk_update(due, ["breached_at"])
    return len(due), reescalated


def sla_chase(*, now: dt.datetime | None = None) -> ChaseReport:
    """Warn at the policy's share of each target while it is not yet due, mark a breach once its due time has
    passed unmet, and pass an unacknowledged escalation on to the next available TAM-level resource. Safe to run
    often, late and concurrently."""
    now = now or timezone.now()
    report = ChaseReport()
    while True:
        warned = _warn(now)
        report.warned += warned
        if warned < BATCH:
            break
    while True:
        breached, reescalated = _breach(now)
        report.breached += breached
        report.reescalated += reescalated
        if breached < BATCH:
            break
    return report
