"""The case's status table, and the one place a case changes status."""

import datetime as dt

from core.states import Transitions

from .models import Case, CaseStatus, EntryKind, MeetEvent
from .sla import milestones_follow_status, milestones_meet
from .timeline import entry_add

CASE_STATES = Transitions(
    {
        CaseStatus.NEW: {CaseStatus.OPEN, CaseStatus.WAITING, CaseStatus.ESCALATED, CaseStatus.RESOLVED},
        CaseStatus.OPEN: {CaseStatus.WAITING, CaseStatus.ESCALATED, CaseStatus.RESOLVED},
        CaseStatus.WAITING: {CaseStatus.OPEN, CaseStatus.ESCALATED, CaseStatus.RESOLVED},
        CaseStatus.ESCALATED: {CaseStatus.OPEN, CaseStatus.WAITING, CaseStatus.RESOLVED},
        CaseStatus.RESOLVED: {CaseStatus.OPEN, CaseStatus.CLOSED},
        CaseStatus.CLOSED: set(),
    },
    noun="case",
    refusal=lambda current, new: f"A case that is {current.label.lower()} cannot become {new.label.lower()}.",
)


def next_statuses(case: Case) -> set[CaseStatus]:
    """Where the case may go from its status."""
    return set(CASE_STATES.table.get(CaseStatus(case.status), ()))


def case_move(case: Case, status: CaseStatus, *, actor, at: dt.datetime, why: str = "") -> None:
    """Move a locked case along the table, record it on the timeline, and let its clocks follow: waiting on the
    customer pauses those that say so, any other status resumes them, resolving meets the resolution targets."""
    before = case.get_status_display()
    CASE_STATES.move(case, status)
    if status == CaseStatus.RESOLVED:
        case.resolved_at = at
    elif status == CaseStatus.CLOSED:
        case.closed_at = at
    elif status == CaseStatus.OPEN:
        case.resolved_at = None
    case.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
    reason = f" ({why})" if why else ""
    entry_add(case, EntryKind.STATUS, f"Status: {before} → {case.get_status_display()}{reason}", author=actor, at=at)
    milestones_follow_status(case, at)
    if status == CaseStatus.RESOLVED:
        milestones_meet(case, MeetEvent.RESOLVED, at)
