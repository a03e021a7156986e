"""Every write of cases, their timelines, contacts, escalations and SLA milestones goes through here."""

import datetime as dt
import mimetypes

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.coverage import NoTamAvailable, acting_tam, coverage, first_available_tam_level
from accounts.errors import DomainError
from accounts.models import Account, Contract, User
from accounts.quarters import vendor_zone

from . import notifications
from .clocks import clock_between, schedule_times
from .models import (
    CASE_TRANSITIONS,
    Attachment,
    Case,
    CaseEntry,
    CaseStatus,
    Channel,
    ContactKind,
    ContactLog,
    EntryKind,
    Escalation,
    MeetEvent,
    Milestone,
    SlaTarget,
    StartEvent,
)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".eml": "message/rfc822",
}


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment, vendor_zone()).strftime("%a %b %-d %H:%M %Z")


def _entry(case: Case, kind: EntryKind, body: str, *, author=None, public=True, channel="", at=None) -> CaseEntry:
    return CaseEntry.objects.create(
        case=case, kind=kind, body=body, author=author, public=public, channel=channel, created_at=at or timezone.now()
    )


def _is_staff(user: User) -> bool:
    return user.is_vendor_staff


def _may_see(user: User, case: Case) -> bool:
    return user.is_vendor_staff or (user.is_customer_user and user.account_id == case.account_id)


# --- SLA milestones -------------------------------------------------------------------------------


def _targets(case: Case, start_event: StartEvent, at: dt.datetime):
    day = at.astimezone(vendor_zone()).date()
    contract = Contract.objects.active_on(day).filter(account=case.account).select_related("tier").first()
    if contract is None:
        return SlaTarget.objects.none()
    return (
        SlaTarget.objects.filter(policy__tier=contract.tier, start_event=start_event, active=True)
        .filter(Q(severity__isnull=True) | Q(severity=case.severity))
        .select_related("policy", "calendar")
    )


def _start_milestones(
    case: Case, start_event: StartEvent, at: dt.datetime, *, contact=None, escalation=None
) -> list[Milestone]:
    """Start the case's clocks for ``start_event``, copying each target's rule so later policy edits don't
    rewrite them."""
    started = []
    for target in _targets(case, start_event, at):
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
        _entry(
            case,
            EntryKind.SLA,
            f"Clock started: {milestone.name}, due {_fmt(milestone.due_at)}"
            + (" (business hours)" if milestone.clock == "business" else ""),
            public=False,
            at=at,
        )
        started.append(milestone)
    return started


def _meet(case: Case, meet_event: MeetEvent, at: dt.datetime, **match) -> int:
    """Mark the case's running milestones for ``meet_event`` met at ``at``."""
    milestones = list(
        Milestone.objects.select_for_update()
        .filter(case=case, meet_event=meet_event, met_at__isnull=True, started_at__lte=at, **match)
        .order_by("started_at")
    )
    for milestone in milestones:
        if milestone.paused_at is not None:
            _resume(milestone, at)
        milestone.met_at = at
        milestone.save(update_fields=["met_at", "paused_at", "paused_for", "due_at", "warn_at"])
        late = " (after the due time)" if at > milestone.due_at else ""
        _entry(case, EntryKind.SLA, f"Target met: {milestone.name} at {_fmt(at)}{late}", public=False, at=at)
    return len(milestones)


def _resume(milestone: Milestone, at: dt.datetime) -> None:
    milestone.paused_for += clock_between(milestone, milestone.paused_at, at)
    milestone.paused_at = None
    schedule_times(milestone)


def _pause_or_resume(case: Case, at: dt.datetime) -> None:
    """Waiting on the customer stops the clocks whose target says so; any other status restarts them, and each
    due time moves by the time spent paused."""
    running = Milestone.objects.select_for_update().filter(
        case=case, paused_while_waiting=True, met_at__isnull=True, breached_at__isnull=True
    )
    for milestone in running:
        if case.status == CaseStatus.WAITING and milestone.paused_at is None:
            milestone.paused_at = at
            milestone.save(update_fields=["paused_at"])
            _entry(
                case,
                EntryKind.SLA,
                f"Clock paused while waiting on the customer: {milestone.name}",
                public=False,
                at=at,
            )
        elif case.status != CaseStatus.WAITING and milestone.paused_at is not None:
            _resume(milestone, at)
            milestone.save(update_fields=["paused_at", "paused_for", "due_at", "warn_at"])
            _entry(
                case,
                EntryKind.SLA,
                f"Clock resumed: {milestone.name}, now due {_fmt(milestone.due_at)}",
                public=False,
                at=at,
            )


# --- Cases ----------------------------------------------------------------------------------------


def _check_attachments(files) -> None:
    for upload in files:
        suffix = ("." + upload.name.rsplit(".", 1)[-1].lower()) if "." in upload.name else ""
        if suffix not in ALLOWED_ATTACHMENT_TYPES:
            allowed = ", ".join(sorted(ALLOWED_ATTACHMENT_TYPES))
            raise DomainError(f"“{upload.name}”: attach files of these types only: {allowed}.", field="attachments")
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise DomainError(f"“{upload.name}” is larger than 10 MB.", field="attachments")


def _attach(case: Case, entry: CaseEntry, files, actor: User) -> None:
    for upload in files:
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower()
        Attachment.objects.create(
            case=case,
            entry=entry,
            file=upload,
            name=upload.name[:200],
            size=upload.size,
            content_type=ALLOWED_ATTACHMENT_TYPES.get(suffix) or mimetypes.guess_type(upload.name)[0] or "",
            uploaded_by=actor,
            created_at=entry.created_at,
        )


def case_open(
    *,
    actor: User,
    account: Account,
    subject: str,
    description: str,
    channel: str,
    severity: int,
    contact: User | None = None,
    attachments=(),
    at: dt.datetime | None = None,
) -> Case:
    """Open a case. A customer opens their own account's; staff open one on a customer's behalf (recorded).
    The account's SLA clocks for a new case start now."""
    at = at or timezone.now()
    if actor.is_customer_user:
        if actor.account_id != account.pk:
            raise DomainError("You can open cases for your own account only.", field="account")
        contact = actor
    elif not actor.is_vendor_staff:
        raise DomainError("You cannot open cases.", field="account")
    if contact is not None and contact.account_id != account.pk:
        raise DomainError("The contact must be a user of this account.", field="contact")
    if not subject.strip():
        raise DomainError("Give the case a subject.", field="subject")
    if channel not in Channel.values:
        raise DomainError("Choose how the case came in.", field="channel")
    if severity not in (1, 2, 3, 4):
        raise DomainError("Severity runs from 1 (critical) to 4 (low).", field="severity")
    _check_attachments(attachments)
    with transaction.atomic():
        case = Case.objects.create(
            account=account,
            contact=contact,
            subject=subject.strip()[:200],
            channel=channel,
            severity=severity,
            opened_by=actor,
            on_behalf=actor.is_vendor_staff,
            created_at=at,
        )
        opened = f"Case opened by {actor.display_name}" + (" on the customer's behalf" if case.on_behalf else "")
        entry = _entry(case, EntryKind.REPLY, description.strip() or opened, author=actor, channel=channel, at=at)
        _attach(case, entry, attachments, actor)
        _start_milestones(case, StartEvent.CASE_OPENED, at)
        notifications.case_opened(case)
    return case


def case_reply(
    *,
    actor: User,
    case: Case,
    body: str,
    channel: str = Channel.PORTAL,
    attachments=(),
    at=None,
    from_customer: bool = False,
) -> CaseEntry:
    """A public reply. Staff replies meet first-response targets; a customer reply to a case waiting on them
    reopens it and restarts the paused clocks, whichever channel it came by: staff (or the mail gateway) record
    a customer's e-mail or phone reply with ``from_customer``. The other side is told by e-mail."""
    at = at or timezone.now()
    if not _may_see(actor, case):
        raise DomainError("You cannot reply to this case.", field="body")
    if from_customer:
        if not actor.is_vendor_staff:
            raise DomainError("Only staff record a customer's reply on their behalf.", field="from_customer")
        if case.contact is None:
            raise DomainError("The case has no customer contact to record a reply from.", field="from_customer")
        actor = case.contact
    if not body.strip():
        raise DomainError("Write a reply.", field="body")
    if case.status == CaseStatus.CLOSED:
        raise DomainError("This case is closed; open a new one.", field="body")
    _check_attachments(attachments)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        entry = _entry(case, EntryKind.REPLY, body.strip(), author=actor, channel=channel, at=at)
        _attach(case, entry, attachments, actor)
        if _is_staff(actor):
            _meet(case, MeetEvent.FIRST_RESPONSE, at)
            if case.status == CaseStatus.NEW:
                _set_status(case, CaseStatus.OPEN, actor=actor, at=at)
        elif case.status in (CaseStatus.WAITING, CaseStatus.RESOLVED):
            _set_status(case, CaseStatus.OPEN, actor=actor, at=at, why="the customer replied")
        notifications.reply_posted(entry)
    return entry


def case_note(*, actor: User, case: Case, body: str, attachments=()) -> CaseEntry:
    """An internal note: staff only, never shown or sent to the customer."""
    if not actor.is_vendor_staff:
        raise DomainError("Only vendor staff write internal notes.", field="body")
    if not body.strip():
        raise DomainError("Write the note.", field="body")
    _check_attachments(attachments)
    with transaction.atomic():
        entry = _entry(case, EntryKind.NOTE, body.strip(), author=actor, public=False)
        _attach(case, entry, attachments, actor)
    return entry


def _set_status(case: Case, status: CaseStatus, *, actor, at, why: str = "") -> None:
    if status not in CASE_TRANSITIONS[CaseStatus(case.status)]:
        raise DomainError(
            f"A case that is {case.get_status_display().lower()} cannot become {status.label.lower()}.",
            field="status",
        )
    before = case.get_status_display()
    case.status = status
    if status == CaseStatus.RESOLVED:
        case.resolved_at = at
    elif status == CaseStatus.CLOSED:
        case.closed_at = at
    elif status == CaseStatus.OPEN:
        case.resolved_at = None
    case.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
    reason = f" ({why})" if why else ""
    _entry(case, EntryKind.STATUS, f"Status: {before} → {case.get_status_display()}{reason}", author=actor, at=at)
    _pause_or_resume(case, at)
    if status == CaseStatus.RESOLVED:
        _meet(case, MeetEvent.RESOLVED, at)


def case_set_status(*, actor: User, case: Case, status: str, at=None) -> Case:
    """Staff move a case along its lifecycle; a customer may only close their resolved case or reopen it."""
    at = at or timezone.now()
    try:
        status = CaseStatus(status)
    except ValueError as error:
        raise DomainError("Unknown status.", field="status") from error
    if not _may_see(actor, case):
        raise DomainError("You cannot change this case.", field="status")
    if not actor.is_vendor_staff and not (
        case.status == CaseStatus.RESOLVED and status in (CaseStatus.CLOSED, CaseStatus.OPEN)
    ):
        raise DomainError("Support staff change the status of a case.", field="status")
    if status == CaseStatus.ESCALATED:
        raise DomainError("Escalate the case to send it to the TAM.", field="status")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _set_status(case, status, actor=actor, at=at)
    return case


def case_assign(*, actor: User, case: Case, assignee: User | None) -> Case:
    if not actor.is_vendor_staff:
        raise DomainError("Only vendor staff assign cases.", field="assignee")
    if assignee is not None and not assignee.is_vendor_staff:
        raise DomainError("Cases are assigned to vendor staff.", field="assignee")
    with transaction.atomic():
        case.assignee = assignee
        case.save(update_fields=["assignee", "updated_at"])
        who = assignee.display_name if assignee else "nobody"
        _entry(case, EntryKind.STATUS, f"Assigned to {who}", author=actor, public=False)
    return case


# --- Escalation -----------------------------------------------------------------------------------


def _escalate_to(case: Case, target: User, *, actor, reason: str, at, previous=None) -> Escalation:
    escalation = Escalation.objects.create(
        case=case, escalated_to=target, escalated_by=actor, escalated_at=at, reason=reason[:500], previous=previous
    )
    again = "Re-escalated" if previous else "Escalated"
    text = f"{again} to {target.display_name}" + (f": {reason}" if reason else "")
    _entry(case, EntryKind.ESCALATION, text, author=actor, public=False, at=at)
    _start_milestones(case, StartEvent.ESCALATED, at, escalation=escalation)
    notifications.escalated(escalation)
    return escalation


def case_escalate(*, actor: User, case: Case, reason: str = "", at=None) -> Escalation:
    """Support staff escalate a case to the acting TAM (the backup during an absence, then the first available
    TAM-level resource), who must acknowledge it; the acknowledgement clock starts now."""
    at = at or timezone.now()
    if not actor.is_vendor_staff:
        raise DomainError("Only vendor staff escalate cases.", field="reason")
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
            _set_status(case, CaseStatus.ESCALATED, actor=actor, at=at)
        return _escalate_to(case, target, actor=actor, reason=reason.strip(), at=at)


def escalation_acknowledge(*, actor: User, escalation: Escalation, at=None) -> Escalation:
    """The TAM, or any TAM-level resource, acknowledges: the acknowledgement target is met."""
    at = at or timezone.now()
    if not actor.is_tam_level:
        raise DomainError("Only a TAM or TAM-level resource acknowledges an escalation.", field="escalation")
    with transaction.atomic():
        escalation = Escalation.objects.select_for_update().select_related("case").get(pk=escalation.pk)
        if escalation.acknowledged_at is not None:
            raise DomainError("This escalation is already acknowledged.", field="escalation")
        if escalation.superseded_at is not None:
            raise DomainError("This escalation was passed on to someone else.", field="escalation")
        escalation.acknowledged_at, escalation.acknowledged_by = at, actor
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by"])
        text = f"Escalation acknowledged by {actor.display_name}"
        _entry(escalation.case, EntryKind.ESCALATION, text, author=actor, public=False, at=at)
        _meet(escalation.case, MeetEvent.ACKNOWLEDGED, at, escalation=escalation)
        if escalation.case.assignee_id is None:
            escalation.case.assignee = actor
            escalation.case.save(update_fields=["assignee", "updated_at"])
    return escalation


def escalation_pass_on(escalation: Escalation, at: dt.datetime) -> Escalation | None:
    """Re-escalate an unacknowledged escalation to the next in the acting chain not yet tried on this case: the
    account's primary, then its backup (when present), then the first available TAM-level resource. Called by
    the chaser with the escalation row locked; returns None when nobody is left."""
    # Being acknowledged right now (its row is locked) or already answered: leave it.
    escalation = (
        Escalation.objects.select_for_update(skip_locked=True)
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


# --- Logged contacts ------------------------------------------------------------------------------


def contact_log(
    *,
    actor: User,
    case: Case,
    kind: str,
    received_at: dt.datetime,
    answered_at: dt.datetime | None = None,
    tam: User | None = None,
    notes: str = "",
) -> ContactLog:
    """Log a call to support, or a voicemail or e-mail to the TAM, with when it came in and was answered. The
    phone-answer and TAM-reply clocks run from ``received_at``."""
    if not actor.is_vendor_staff:
        raise DomainError("Only vendor staff log calls and messages.", field="kind")
    if kind not in ContactKind.values:
        raise DomainError("Choose what was received.", field="kind")
    now = timezone.now()
    if received_at > now + dt.timedelta(minutes=1):
        raise DomainError("A call cannot be received in the future.", field="received_at")
    if answered_at is not None and answered_at < received_at:
        raise DomainError("It was answered after it came in.", field="answered_at")
    if answered_at is not None and answered_at > now + dt.timedelta(minutes=1):
        raise DomainError("It cannot be answered in the future.", field="answered_at")
    if kind != ContactKind.PHONE and tam is None:
        try:
            tam = acting_tam(case.account, received_at)
        except NoTamAvailable:
            tam = None
    with transaction.atomic():
        contact = ContactLog.objects.create(
            case=case,
            kind=kind,
            received_at=received_at,
            answered_at=answered_at,
            tam=tam,
            logged_by=actor,
            notes=notes[:500],
        )
        text = f"{ContactKind(kind).label} received {_fmt(received_at)}" + (f": {notes}" if notes else "")
        _entry(case, EntryKind.CALL, text, author=actor, public=False, at=received_at)
        start = StartEvent.CALL_RECEIVED if kind == ContactKind.PHONE else StartEvent.TAM_MESSAGE
        _start_milestones(case, start, received_at, contact=contact)
        if answered_at is not None:
            _contact_met(case, contact, answered_at)
    return contact


def _contact_met(case: Case, contact: ContactLog, at: dt.datetime) -> None:
    meet = MeetEvent.CALL_ANSWERED if contact.kind == ContactKind.PHONE else MeetEvent.TAM_REPLIED
    _meet(case, meet, at, contact=contact)


def contact_answered(*, actor: User, contact: ContactLog, answered_at: dt.datetime | None = None) -> ContactLog:
    """Record when a logged call was answered, or a voicemail or e-mail replied to."""
    answered_at = answered_at or timezone.now()
    if not actor.is_vendor_staff:
        raise DomainError("Only vendor staff record answers.", field="answered_at")
    if contact.answered_at is not None:
        raise DomainError("This was already answered.", field="answered_at")
    if answered_at < contact.received_at:
        raise DomainError("It was answered after it came in.", field="answered_at")
    if answered_at > timezone.now() + dt.timedelta(minutes=1):
        raise DomainError("It cannot be answered in the future.", field="answered_at")
    with transaction.atomic():
        contact.answered_at = answered_at
        contact.save(update_fields=["answered_at"])
        _contact_met(contact.case, contact, answered_at)
    return contact


def open_escalation_counts(user_ids) -> dict[int, int]:
    """Open escalations per person: the tie-breaker when choosing a TAM-level resource (accounts asks for it)."""
    from django.db.models import Count

    rows = (
        Escalation.objects.open()
        .filter(escalated_to_id__in=list(user_ids))
        .values("escalated_to_id")
        .annotate(n=Count("id"))
    )
    return {row["escalated_to_id"]: row["n"] for row in rows}
