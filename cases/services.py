"""Every write of cases, their timelines and logged contacts, and every decision about who may make it.

Each service decides who may (``NotAllowed``: 403 on a page and in the API) and what is acceptable
(``DomainError`` with a message per field: shown on the page's form, 400 in the API), so both paths give the same
answer. The ``may_*`` predicates are the services' own permission checks, exposed so pages offer only what the
user may do. The SLA clocks live in ``sla.py``, the status table in ``states.py``, escalation in
``escalations.py`` (its services are re-exported here: this module is the app's one door for writes).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.coverage import NoTamAvailable, acting_tam
from accounts.models import Account, User
from core.errors import DomainError
from core.events import publish
from core.permissions import Rule, require

from . import notifications
from .attachments import attachments_check, attachments_store
from .escalations import case_escalate, escalation_acknowledge, may_acknowledge, may_escalate
from .models import Case, CaseEntry, CaseStatus, Channel, ContactKind, ContactLog, EntryKind, MeetEvent, StartEvent
from .sla import milestones_meet, milestones_start
from .states import case_move, next_statuses
from .timeline import entry_add, moment_label

__all__ = [
    "case_assign",
    "case_escalate",
    "case_note",
    "case_open",
    "case_reply",
    "case_set_status",
    "contact_answered",
    "contact_log",
    "escalation_acknowledge",
    "may_acknowledge",
    "may_escalate",
]

TAM_MESSAGES = (ContactKind.VOICEMAIL, ContactKind.EMAIL)
CUSTOMER_MOVES = {CaseStatus.CLOSED, CaseStatus.OPEN}
SOON = dt.timedelta(minutes=1)  # clocks of two machines may differ a little


# --- Who may ----------------------------------------------------------------------------------------------------


def may_open(user: User, account: Account | None) -> bool:
    """Staff open cases for any account (on the customer's behalf, recorded); a customer user for their own."""
    if user.is_vendor_staff:
        return True
    return user.is_customer_user and (account is None or account.pk == user.account_id)


def may_reply(user: User, case: Case) -> bool:
    """Staff reply on any case; a customer user on their own account's."""
    return user.is_vendor_staff or (user.is_customer_user and user.account_id == case.account_id)


def may_note(user: User, case: Case) -> bool:
    """Internal notes are written, like they are read, by vendor staff only."""
    return user.is_vendor_staff


def may_change_status(user: User, case: Case) -> bool:
    """Staff and the account's own customer users; which moves each may make is ``status_choices``."""
    return may_reply(user, case)


# Vendor staff log calls, voicemails and e-mails, and record when they were answered.
may_log_contact = Rule(lambda user, case: user.is_vendor_staff, "Only vendor staff log calls and messages.")
may_record_answer = Rule(lambda user, case: user.is_vendor_staff, "Only vendor staff record answers.")


def status_choices(user: User, case: Case) -> list[CaseStatus]:
    """The moves ``user`` may make from the case's status: staff any the table allows except escalating (that is
    ``case_escalate``); a customer user closes or reopens their resolved case."""
    allowed = next_statuses(case) - {CaseStatus.ESCALATED}
    if not user.is_vendor_staff:
        allowed &= CUSTOMER_MOVES if case.status == CaseStatus.RESOLVED else set()
    return [status for status in CaseStatus if status in allowed]


def replies_as_tam(user: User, case: Case, at: dt.datetime) -> bool:
    """A public reply answers the voicemail and e-mail sent to the TAM when its author is a TAM-level resource or
    the TAM acting for the account at that moment; other staff's replies do not."""
    if user.is_tam_level:
        return True
    try:
        return acting_tam(case.account, at).pk == user.pk
    except NoTamAvailable:
        return False


# --- Cases ------------------------------------------------------------------------------------------------------


def case_open(
    *,
    actor: User,
    account: Account | None,
    subject: str,
    description: str,
    channel: str = "",
    severity: int,
    contact: User | None = None,
    attachments=(),
    via: str = Channel.PORTAL,
    at: dt.datetime | None = None,
) -> Case:
    """Open a case. A customer user opens one for their own account, as its contact, by the way they came
    (``via``: the portal or the API); staff open one for any account on the customer's behalf (recorded) and say
    how it came in. The account's SLA clocks for a new case start now."""
    at = at or timezone.now()
    if actor.is_customer_user:
        account = account or actor.account
        contact, channel = actor, via
    own = "You can open cases for your own account only."
    require(may_open(actor, account), own if actor.is_customer_user else "You cannot open cases.")
    channel = channel or via
    errors = {}
    if account is None:
        errors["account"] = ["Choose the customer's account."]
    elif contact is not None and contact.account_id != account.pk:
        errors["contact"] = ["The contact must be a user of this account."]
    if not subject.strip():
        errors["subject"] = ["Give the case a subject."]
    if channel not in Channel.values:
        errors["channel"] = ["Choose how the case came in."]
    if severity not in (1, 2, 3, 4):
        errors["severity"] = ["Severity runs from 1 (critical) to 4 (low)."]
    if errors:
        raise DomainError(errors=errors)
    attachments_check(attachments)
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
        entry = entry_add(case, EntryKind.REPLY, description.strip() or opened, author=actor, channel=channel, at=at)
        attachments_store(case, entry, attachments, actor)
        milestones_start(case, StartEvent.CASE_OPENED, at)
        notifications.case_opened(case)
        publish("case.created", case, account_id=case.account_id)
    return case


def case_reply(
    *,
    actor: User,
    case: Case,
    body: str,
    channel: str = "",
    via: str = Channel.PORTAL,
    attachments=(),
    at: dt.datetime | None = None,
    from_customer: bool = False,
) -> CaseEntry:
    """A public reply, by the way it came (``via``: the portal or the API; staff may name the channel of a reply
    they record). A staff reply meets the first-response targets, and one by a TAM-level resource or the acting
    TAM answers the voicemail and e-mail sent to the TAM (their TAM-reply targets are met). A customer's reply to
    a case waiting on them reopens it and restarts the paused clocks, whichever channel it came by: staff record
    a customer's e-mail or phone reply with ``from_customer``. The other side is told by e-mail."""
    at = at or timezone.now()
    require(may_reply(actor, case), "You cannot reply to this case.")
    if from_customer:
        require(actor.is_vendor_staff, "Only staff record a customer's reply on their behalf.")
        if case.contact is None:
            raise DomainError("The case has no customer contact to record a reply from.", field="from_customer")
        actor = case.contact
    channel = (channel or via) if from_customer or actor.is_vendor_staff else via
    if channel not in Channel.values:
        raise DomainError("Choose how the reply came in.", field="channel")
    if not body.strip():
        raise DomainError("Write a reply.", field="body")
    attachments_check(attachments)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == CaseStatus.CLOSED:
            raise DomainError("This case is closed; open a new one.", field="body")
        entry = entry_add(case, EntryKind.REPLY, body.strip(), author=actor, channel=channel, at=at)
        attachments_store(case, entry, attachments, actor)
        if actor.is_vendor_staff:
            milestones_meet(case, MeetEvent.FIRST_RESPONSE, at)
            _answer_tam_messages(actor, case, at)
            if case.status == CaseStatus.NEW:
                case_move(case, CaseStatus.OPEN, actor=actor, at=at)
        elif case.status in (CaseStatus.WAITING, CaseStatus.RESOLVED):
            case_move(case, CaseStatus.OPEN, actor=actor, at=at, why="the customer replied")
        notifications.reply_posted(entry)
        publish("case.updated", case, account_id=case.account_id, change="reply")
    return entry


def _answer_tam_messages(actor: User, case: Case, at: dt.datetime) -> None:
    waiting = list(
        ContactLog.objects.select_for_update()
        .filter(case=case, kind__in=TAM_MESSAGES, answered_at__isnull=True, received_at__lte=at)
        .values_list("pk", flat=True)
    )
    if waiting and replies_as_tam(actor, case, at):
        ContactLog.objects.filter(pk__in=waiting).update(answered_at=at)
        milestones_meet(case, MeetEvent.TAM_REPLIED, at, contact__in=waiting)


def case_note(*, actor: User, case: Case, body: str, attachments=()) -> CaseEntry:
    """An internal note: staff only, never shown or sent to the customer, and it meets no target."""
    require(may_note(actor, case), "Only vendor staff write internal notes.")
    if not body.strip():
        raise DomainError("Write the note.", field="body")
    attachments_check(attachments)
    with transaction.atomic():
        entry = entry_add(case, EntryKind.NOTE, body.strip(), author=actor, public=False)
        attachments_store(case, entry, attachments, actor)
    return entry


def case_set_status(*, actor: User, case: Case, status: str, at: dt.datetime | None = None) -> Case:
    """Staff move a case along its lifecycle (states.py); a customer user may only close their resolved case or
    reopen it. Escalating is ``case_escalate``."""
    at = at or timezone.now()
    require(may_change_status(actor, case), "You cannot change this case.")
    if not status:
        raise DomainError("Choose the new status.", field="status")
    try:
        status = CaseStatus(status)
    except ValueError as error:
        raise DomainError("Unknown status.", field="status") from error
    if status == CaseStatus.ESCALATED:
        raise DomainError("Escalate the case to send it to the TAM.", field="status")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not actor.is_vendor_staff and status not in status_choices(actor, case):
            raise DomainError("Support staff change the status of a case.", field="status")
        case_move(case, status, actor=actor, at=at)
        publish("case.updated", case, account_id=case.account_id, change="status")
    return case


def case_assign(*, actor: User, case: Case, assignee: User | None) -> Case:
    """Staff give a case to one of them (or to nobody)."""
    require(actor.is_vendor_staff, "Only vendor staff assign cases.")
    if assignee is not None and not assignee.is_vendor_staff:
        raise DomainError("Cases are assigned to vendor staff.", field="assignee")
    with transaction.atomic():
        case.assignee = assignee
        case.save(update_fields=["assignee", "updated_at"])
        who = assignee.display_name if assignee else "nobody"
        entry_add(case, EntryKind.STATUS, f"Assigned to {who}", author=actor, public=False)
    return case


# --- Logged contacts --------------------------------------------------------------------------------------------


def _check_answered_at(answered_at: dt.datetime | None, received_at: dt.datetime) -> None:
    if answered_at is not None and answered_at < received_at:
        raise DomainError("It was answered after it came in.", field="answered_at")
    if answered_at is not None and answered_at > timezone.now() + SOON:
        raise DomainError("It cannot be answered in the future.", field="answered_at")


def contact_log(
    *,
    actor: User,
    case: Case,
    kind: str,
    received_at: dt.datetime | None,
    answered_at: dt.datetime | None = None,
    tam: User | None = None,
    notes: str = "",
) -> ContactLog:
    """Log a call to support, or a voicemail or e-mail to the TAM (the TAM acting then, unless named), with when
    it came in and was answered. The phone-answer and TAM-reply clocks run from ``received_at``; an answer
    logged with it meets them."""
    may_log_contact.require(actor, case)
    if kind not in ContactKind.values:
        raise DomainError("Choose what was received.", field="kind")
    if received_at is None:
        raise DomainError("Say when it came in.", field="received_at")
    if received_at > timezone.now() + SOON:
        raise DomainError("A call cannot be received in the future.", field="received_at")
    _check_answered_at(answered_at, received_at)
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
        text = f"{ContactKind(kind).label} received {moment_label(received_at)}" + (f": {notes}" if notes else "")
        entry_add(case, EntryKind.CALL, text, author=actor, public=False, at=received_at)
        start = StartEvent.CALL_RECEIVED if kind == ContactKind.PHONE else StartEvent.TAM_MESSAGE
        milestones_start(case, start, received_at, contact=contact)
        if answered_at is not None:
            _contact_met(case, contact, answered_at)
    return contact


def _contact_met(case: Case, contact: ContactLog, at: dt.datetime) -> None:
    meet = MeetEvent.CALL_ANSWERED if contact.kind == ContactKind.PHONE else MeetEvent.TAM_REPLIED
    milestones_meet(case, meet, at, contact=contact)


def contact_answered(*, actor: User, contact: ContactLog, answered_at: dt.datetime | None = None) -> ContactLog:
    """Record when a logged call was answered, or a voicemail or e-mail replied to (a call back): its clock is met
    then."""
    answered_at = answered_at or timezone.now()
    may_record_answer.require(actor, contact.case)
    with transaction.atomic():
        contact = ContactLog.objects.select_for_update().select_related("case").get(pk=contact.pk)
        if contact.answered_at is not None:
            raise DomainError("This was already answered.", field="answered_at")
        _check_answered_at(answered_at, contact.received_at)
        contact.answered_at = answered_at
        contact.save(update_fields=["answered_at"])
        _contact_met(contact.case, contact, answered_at)
    return contact
