"""Escalation: a case handed to the acting TAM, acknowledged by a TAM-level resource, passed on when it is not.

The acknowledgement clock is whatever the account's tier's SLA policy says (the FAQ's 15 minutes for
Enterprise); a tier without that target escalates with no clock, and nothing is passed on for it.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.coverage import NoTamAvailable, acting_tam, coverage, first_available_tam_level
from accounts.models import User
from core.errors import DomainError
from core.events import publish
from core.permissions import require

from . import notifications
from .models import Case, CaseStatus, EntryKind, Escalation, MeetEvent, StartEvent
from .sla import milestones_meet, milestones_start
from .states import case_move
from .timeline import entry_add


def may_escalate(user: User, case: Case) -> bool:
    """Vendor staff escalate cases; customers ask support to."""
    return user.is_vendor_staff


def may_acknowledge(user: User, escalation: Escalation) -> bool:
    """The TAM, or any TAM-level resource, acknowledges an escalation."""
    return user.is_tam_level


def _escalate_to(case: Case, target: User, *, actor, reason: str, at, previous=None) -> Escalation:
    escalation = Escalation.objects.create(
        case=case, escalated_to=target, escalated_by=actor, escalated_at=at, reason=reason[:500], previous=previous
    )
    again = "Re-escalated" if previous else "Escalated"
    text = f"{again} to {target.display_name}" + (f": {reason}" if reason else "")
    entry_add(case, EntryKind.ESCALATION, text, author=actor, public=False, at=at)
    clocks = milestones_start(case, StartEvent.ESCALATED, at, escalation=escalation)
    notifications.escalated(escalation, clocks[0] if clocks else None)
    publish("case.escalated", case, account_id=case.account_id, again=previous is not None)
    return escalation


def case_escalate(*, actor: User, case: Case, reason: str = "", at: dt.datetime | None = None) -> Escalation:
    """Staff escalate an open case to the acting TAM (the backup during an absence, then the first available
    TAM-level resource), whatever the account's tier; the acknowledgement clock, if the tier's policy has one,
    starts now. A case waits for one acknowledgement at a time."""
    at = at or timezone.now()
    require(may_escalate(actor, case), "Only vendor staff escalate cases.")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise DomainError("Only an open case can be escalated.", field="reason")
        if Escalation.objects.open().filter(case=case).exists():
            raise DomainError("This case is already escalated and waiting for acknowledgement.", field="reason")
        try:
            target = acting_tam(case.account, at)
        except NoTamAvailable as error:
            raise DomainError(error.message, field="reason") from error
        if case.status != CaseStatus.ESCALATED:
            case_move(case, CaseStatus.ESCALATED, actor=actor, at=at)
        return _escalate_to(case, target, actor=actor, reason=reason.strip(), at=at)


def escalation_acknowledge(*, actor: User, escalation: Escalation, at: dt.datetime | None = None) -> Escalation:
    """The TAM, or any TAM-level resource, acknowledges: the acknowledgement target is met, and the case is
    theirs if nobody had it."""
    at = at or timezone.now()
    require(may_acknowledge(actor, escalation), "Only a TAM or TAM-level resource acknowledges an escalation.")
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().select_related("case").get(pk=escalation.pk)
        if escalation.acknowledged_at is not None:
            raise DomainError("This escalation is already acknowledged.", field="escalation")
        if escalation.superseded_at is not None:
            raise DomainError("This escalation was passed on to someone else.", field="escalation")
        escalation.acknowledged_at, escalation.acknowledged_by = at, actor
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by"])
        text = f"Escalation acknowledged by {actor.display_name}"
        entry_add(escalation.case, EntryKind.ESCALATION, text, author=actor, public=False, at=at)
        milestones_meet(escalation.case, MeetEvent.ACKNOWLEDGED, at, escalation=escalation)
        if escalation.case.assignee_id is None:
            escalation.case.assignee = actor
            escalation.case.save(update_fields=["assignee", "updated_at"])
    return escalation


def escalation_pass_on(*, escalation: Escalation, at: dt.datetime) -> Escalation | None:
    """Re-escalate an unacknowledged escalation to the next in the acting chain not yet tried on this case: the
    account's primary, then its backup (when present), then the first available TAM-level resource. The chaser
    calls it, acting as the system, inside its transaction; returns None when the escalation was answered
    meanwhile or nobody is left."""
    # Being acknowledged right now (its row is locked) or already answered: leave it. Only the escalation's own
    # row is locked: the account and the person it went to are shared with other escalations a concurrent run
    # passes on, and a lock on them would make this one look taken.
    escalation = (
        Escalation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=escalation.pk, acknowledged_at__isnull=True, superseded_at__isnull=True)
        .select_related("case__account", "escalated_to")
        .first()
    )
    if escalation is None:
        return None
    tried = set(Escalation.objects.filter(case=escalation.case).values_list("escalated_to", flat=True))
    try:
        chain = coverage(escalation.case.account, at)
    except NoTamAvailable:
        chain = None
    named = [] if chain is None else [chain.primary, chain.backup]
    absences = {chain.primary_absence, chain.backup_absence} - {None} if chain else set()
    away = {absence.tam_id for absence in absences}
    target = next((u for u in named if u and u.is_active and u.pk not in tried and u.pk not in away), None)
    if target is None:
        try:
            target = first_available_tam_level(at, exclude=tried)
        except NoTamAvailable:
            return None
    escalation.superseded_at = at
    escalation.save(update_fields=["superseded_at"])
    return _escalate_to(
        escalation.case,
        target,
        actor=None,
        reason=f"not acknowledged by {escalation.escalated_to.display_name} in time",
        at=at,
        previous=escalation,
    )


def open_escalation_counts(user_ids) -> dict[int, int]:
    """Open escalations per person: the tie-breaker when choosing a TAM-level resource (accounts asks for it)."""
    rows = (
        Escalation.objects.open()
        .filter(escalated_to_id__in=list(user_ids))
        .values("escalated_to_id")
        .annotate(n=Count("id"))
    )
    return {row["escalated_to_id"]: row["n"] for row in rows}
