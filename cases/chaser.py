"""The SLA chaser: warnings, breaches and re-escalations, each exactly once.

It reads only running milestones through partial indexes (so its cost follows what is due, not how many
cases exist), claims rows with ``SELECT … FOR UPDATE SKIP LOCKED`` so a concurrent run takes other rows,
and re-checks the "not yet" condition in the same transaction that records it.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import notifications
from .models import EntryKind, Milestone
from .services import _entry, escalation_pass_on

BATCH = 500


@dataclass
class ChaseReport:
    warned: int = 0
    breached: int = 0
    reescalated: int = 0


def _warn(now: dt.datetime) -> int:
    with transaction.atomic():
        due = list(
            Milestone.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(met_at__isnull=True, warned_at__isnull=True, paused_at__isnull=True, warn_at__lte=now)
            .filter(breached_at__isnull=True)
            .select_related("case", "case__account", "case__assignee", "escalation__escalated_to", "contact__tam")
            .order_by("warn_at")[:BATCH]
        )
        for milestone in due:
            milestone.warned_at = now
            notifications.sla_warning(milestone)
        Milestone.objects.bulk_update(due, ["warned_at"])
    return len(due)


def _breach(now: dt.datetime) -> tuple[int, int]:
    reescalated = 0
    with transaction.atomic():
        due = list(
            Milestone.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(met_at__isnull=True, breached_at__isnull=True, paused_at__isnull=True, due_at__lte=now)
            .select_related("case", "case__account", "case__assignee", "escalation__escalated_to", "contact__tam")
            .order_by("due_at")[:BATCH]
        )
        for milestone in due:
            milestone.breached_at = milestone.due_at
            _entry(milestone.case, EntryKind.SLA, f"Target breached: {milestone.name}", public=False, at=now)
            notifications.sla_breach(milestone)
            if milestone.escalation_id is not None and escalation_pass_on(milestone.escalation, now) is not None:
                reescalated += 1
        Milestone.objects.bulk_update(due, ["breached_at"])
    return len(due), reescalated


def sla_chase(*, now: dt.datetime | None = None) -> ChaseReport:
    """Warn at the policy's share of each target, mark breaches at the due time, and pass an unacknowledged
    escalation on to the next available TAM-level resource. Safe to run often and concurrently."""
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
