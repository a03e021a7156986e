"""The phone system's call events: an adapter at the edge. Each event is merged into its call's one record
(``PhoneCall``, one per call id), and the merged call is filed by the same services a person would use:

- a known contact's call (their validated number) is logged on their account, where its own times measure the
  phone-answer target (``phone_answer_compliance``); when the agent linked a case, it is logged on that case too
  (``contact_log``: the case's phone-answer clock runs from the phone system's times, met when it was answered);
- a known contact's voicemail opens a voicemail case on their behalf with the TAM-reply clock running from when it
  came in; its transcript, when it comes, is added to the case as a note;
- an unknown caller (no contact has the number, or contacts of several accounts do) waits in the triage list.

Events may come late, twice or out of order: each one only adds what the call did not know yet (its answer, its
end, who answered, the recording, the transcript, the linked case), and each filing is made once, so the records
end the same whatever the order. Every event carries the call's ``received_at``; one that says another is refused.
"""

import datetime as dt
from collections.abc import Iterable

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, Channel, ContactKind, MeetEvent, Severity, SlaTarget
from cases.services import case_note, case_open, contact_answered, contact_log
from core.errors import DomainError
from core.permissions import require

from .models import TriageItem, TriageStatus
from .phone import PhoneCall

SOON = dt.timedelta(minutes=1)  # the phone system's clock may run a little ahead of ours
PHONE_ANSWER_TARGET = dt.timedelta(minutes=2)  # the FAQ's promise, when no SLA target names its own
REPORTS_CALLS_ONLY = "Only the phone system and vendor staff report calls."


def may_report_calls(user: User | None) -> bool:
    """The phone system (a service user with a staff role) and vendor staff report calls."""
    return user is None or (user.is_authenticated and user.is_vendor_staff)


def require_may_report_calls(user: User | None) -> None:
    require(may_report_calls(user), REPORTS_CALLS_ONLY)


def normalized(number: str) -> str:
    """A number in E.164 (``+13035550100``), read in ``PHONENUMBER_DEFAULT_REGION`` without a country code; "" when
    it is not a valid number."""
    try:
        parsed = phonenumbers.parse(number, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def contact_for(number: str) -> tuple[User | None, str]:
    """The customer user whose number this is, or None and why not."""
    if not number:
        return None, "The caller's number is not a valid phone number."
    people = list(
        User.objects.filter(phone=number, is_active=True, account__isnull=False, groups__name=Role.CUSTOMER.value)
        .select_related("account")
        .order_by("pk")
    )
    if not people:
        return None, "No contact has this number."
    if len({person.account_id for person in people}) > 1:
        return None, "Contacts of several accounts have this number."
    return people[0], ""


# --- Reading an event ----------------------------------------------------------------------------------------------


def _staff(address: str) -> User | None:
    if not address:
        return None
    person = User.objects.filter(email__iexact=address.strip(), is_active=True).first()
    if person is None or not person.is_vendor_staff:
        raise DomainError(f"No member of staff has the address {address.strip()}.", field="answered_by")
    return person


def _linked_case(reference: str) -> Case | None:
    reference = (reference or "").strip().upper().removeprefix("CASE-").lstrip("#")
    if not reference:
        return None
    case = Case.objects.select_related("account").filter(pk=int(reference)).first() if reference.isdigit() else None
    if case is None:
        raise DomainError(f"There is no case {reference}.", field="case")
    return case


def _check(*, call_id: str, caller: str, received_at, answered_at, ended_at, voicemail_url: str) -> None:
    errors: dict[str, list[str]] = {}
    if not (call_id or "").strip():
        errors["call_id"] = ["Give the phone system's id of the call."]
    if not (caller or "").strip():
        errors["caller"] = ["Give the caller's number."]
    if received_at is None:
        errors["received_at"] = ["Say when the call came in."]
    elif received_at > timezone.now() + SOON:
        errors["received_at"] = ["A call cannot come in in the future."]
    else:
        if answered_at is not None and not received_at <= answered_at <= timezone.now() + SOON:
            errors["answered_at"] = ["A call is answered after it came in, and not in the future."]
        if ended_at is not None and ended_at < received_at:
            errors["ended_at"] = ["A call ends after it came in."]
    if voicemail_url and not voicemail_url.startswith(("https://", "http://")):
        errors["voicemail_url"] = ["A recording's address starts with https://."]
    if errors:
        raise DomainError(errors=errors)


def _locked_call(call_id: str, defaults: dict) -> PhoneCall:
    try:
        with transaction.atomic():
            PhoneCall.objects.get_or_create(call_id=call_id, defaults=defaults)
    except IntegrityError:
        pass  # another event about the same call made it first: it is locked below
    return PhoneCall.objects.select_for_update().get(call_id=call_id)


def _merge(
    call: PhoneCall,
    *,
    received_at,
    answered_at,
    ended_at,
    answered_by,
    voicemail_url,
    voicemail_file,
    transcript: str,
    case: Case | None,
) -> None:
    if received_at != call.received_at:
        raise DomainError(f"Call {call.call_id} came in at {call.received_at.isoformat()}.", field="received_at")
    if case is not None and call.case_id not in (None, case.pk) and call.contact_log_id is not None:
        raise DomainError(f"Call {call.call_id} is already logged on {call.case.reference}.", field="case")
    if answered_at is not None and (call.answered_at is None or answered_at < call.answered_at):
        call.answered_at = answered_at
    if ended_at is not None and (call.ended_at is None or ended_at > call.ended_at):
        call.ended_at = ended_at
    call.answered_by = call.answered_by or answered_by
    call.voicemail_url = call.voicemail_url or voicemail_url
    if voicemail_file and not call.voicemail_file:
        call.voicemail_file = voicemail_file
    call.transcript = call.transcript or transcript.strip()
    if case is not None and call.case_id is None:
        call.case = case
    call.events += 1


# --- Filing the merged call ------------------------------------------------------------------------------------


def _describe(call: PhoneCall) -> str:
    lines = [f"{'Voicemail' if call.has_voicemail else 'Call'} from {call.caller} to {call.line}."]
    if call.voicemail_url:
        lines.append(f"Recording: {call.voicemail_url}")
    if call.transcript:
        lines.append(f"Transcript: {call.transcript}")
    return "\n".join(lines)


def _to_triage(call: PhoneCall, reason: str) -> None:
    channel = Channel.VOICEMAIL if call.has_voicemail else Channel.PHONE
    fields = {
        "channel": channel,
        "sender": call.caller_number or call.caller,
        "summary": f"{'Voicemail' if call.has_voicemail else 'Call'} from {call.caller}"[:200],
        "body": _describe(call),
    }
    if call.triage_item_id is None:
        call.triage_item = TriageItem.objects.create(received_at=call.received_at, reason=reason, **fields)
    elif call.triage_item.status == TriageStatus.WAITING:
        TriageItem.objects.filter(pk=call.triage_item_id).update(**fields)


def _voicemail_case(call: PhoneCall, actor: User) -> None:
    contact = call.contact
    call.case = case_open(
        actor=actor,
        account=contact.account,
        contact=contact,
        subject=f"Voicemail from {contact.display_name}"[:200],
        description=f"Voicemail left on {call.line}."
        + (f" Recording: {call.voicemail_url}" if call.voicemail_url else ""),
        channel=Channel.VOICEMAIL,
        severity=Severity.MEDIUM,
        at=call.received_at,
    )
    call.contact_log = contact_log(
        actor=actor, case=call.case, kind=ContactKind.VOICEMAIL, received_at=call.received_at
    )


def _answer_pending(call: PhoneCall) -> bool:
    """A call logged on a case unanswered, whose answer the phone system now reports."""
    log = call.contact_log if call.contact_log_id is not None else None
    return (
        log is not None and log.kind == ContactKind.PHONE and log.answered_at is None and call.answered_at is not None
    )


def _file(call: PhoneCall, actor: User, unknown_because: str) -> None:
    if call.contact_id is None:
        _to_triage(call, unknown_because)
        return
    if call.contact_log_id is None and call.answered_at is None and call.has_voicemail:
        _voicemail_case(call, actor)
    elif call.contact_log_id is None and call.case_id is not None:
        call.contact_log = contact_log(
            actor=actor,
            case=call.case,
            kind=ContactKind.PHONE,
            received_at=call.received_at,
            answered_at=call.answered_at,
            notes=f"Call {call.call_id} on {call.line}",
        )
    elif _answer_pending(call):
        contact_answered(actor=actor, contact=call.contact_log, answered_at=call.answered_at)
    voicemail = call.contact_log_id is not None and call.contact_log.kind == ContactKind.VOICEMAIL
    if voicemail and call.transcript and not call.transcript_filed:
        case_note(actor=actor, case=call.case, body=f"Voicemail transcript: {call.transcript}")
        call.transcript_filed = True


def call_event_record(
    *,
    actor: User,
    call_id: str,
    caller: str,
    line: str = "",
    received_at: dt.datetime | None,
    answered_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
    answered_by: str = "",
    voicemail_url: str = "",
    voicemail_file=None,
    transcript: str = "",
    case: str = "",
) -> PhoneCall:
    """Take one event of the phone system about a call (see the module): merge it into the call's record and file
    what the call now says, each thing once. ``answered_by`` is the address of the member of staff who answered;
    ``case`` the case the agent linked (``CASE-000042`` or its number)."""
    require_may_report_calls(actor)
    _check(
        call_id=call_id,
        caller=caller,
        received_at=received_at,
        answered_at=answered_at,
        ended_at=ended_at,
        voicemail_url=voicemail_url,
    )
    staff, linked = _staff(answered_by), _linked_case(case)
    call_id = call_id.strip()[:100]
    with transaction.atomic():
        number = normalized(caller)
        contact, unknown_because = contact_for(number)
        call = _locked_call(
            call_id,
            {
                "caller": caller.strip()[:40],
                "caller_number": number,
                "line": (line or "").strip()[:40],
                "received_at": received_at,
                "contact": contact,
                "account": contact.account if contact else None,
            },
        )
        if linked is not None and call.account_id not in (None, linked.account_id):
            raise DomainError(f"{linked.reference} is not a case of the caller's account.", field="case")
        _merge(
            call,
            received_at=received_at,
            answered_at=answered_at,
            ended_at=ended_at,
            answered_by=staff,
            voicemail_url=voicemail_url,
            voicemail_file=voicemail_file,
            transcript=transcript or "",
            case=linked,
        )
        _file(call, actor, unknown_because)
        call.save()
    return call


# --- The phone-answer target per account ------------------------------------------------------------------------


def phone_answer_target() -> dt.timedelta:
    """The phone-answer target's duration (the SLA policies' "call answered" target), else the FAQ's 2 minutes."""
    target = SlaTarget.objects.filter(meet_event=MeetEvent.CALL_ANSWERED).order_by("duration").first()
    return target.duration if target else PHONE_ANSWER_TARGET


def phone_answer_compliance(since: dt.datetime, account_ids: Iterable[int] | None = None) -> list[dict]:
    """Per account, the calls of its contacts that came in since ``since`` (by the phone system's times): how many,
    answered within the target, answered later, not answered (voicemails included). One query."""
    target = phone_answer_target()
    waited = ExpressionWrapper(F("answered_at") - F("received_at"), output_field=DurationField())
    calls = PhoneCall.objects.filter(account__isnull=False, received_at__gte=since)
    if account_ids is not None:
        calls = calls.filter(account_id__in=list(account_ids))
    rows = (
        calls.annotate(waited=waited)
        .values("account__name", "account__slug")
        .annotate(
            calls=Count("id"),
            on_time=Count("id", filter=Q(answered_at__isnull=False, waited__lte=target)),
            late=Count("id", filter=Q(answered_at__isnull=False, waited__gt=target)),
            unanswered=Count("id", filter=Q(answered_at__isnull=True)),
        )
        .order_by("account__name")
    )
    return [
        {**row, "share": round(100 * row["on_time"] / row["calls"]) if row["calls"] else None, "target": target}
        for row in rows
    ]
