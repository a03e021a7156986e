"""An event after its booking: the TAM confirms it or proposes another time the customer accepts; it is completed
(its credit used), marked a no-show (used too), or cancelled on someone's behalf.

Who may do what is one predicate per action (``may_confirm`` and so on). Pages offer an action through it; the
service itself refuses with ``NotAllowed`` through ``authorize``, which the page and the API also call before they
read the action's input, so a person who may not act gets the same 403 whatever they send.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.local_time import elapsed, elapsed_end
from accounts.models import User
from core.errors import NON_FIELD, DomainError
from core.events import publish
from core.models import Limits
from core.permissions import Rule, require

from .booking import performer_for, refusal, slot_problems
from .ledger import credit_consume, credit_release, lock_account, release_would_overflow
from .models import EventStatus, MaintenanceEvent, OnBehalfOf
from .notifications import notify_cancelled, notify_confirmed, notify_proposed
from .states import EVENT_STATES

LONGEST_ACTUAL_DURATION = dt.timedelta(hours=12)


def _customer_of(user: User, event: MaintenanceEvent) -> bool:
    return user.is_customer_user and user.account_id == event.account_id


may_confirm = Rule(lambda user, event: user.acts_as_tam, "Only the TAM confirms events.")
may_propose = Rule(lambda user, event: user.acts_as_tam, "Only the TAM proposes another time.")
may_accept = Rule(
    lambda user, event: _customer_of(user, event) or user.is_portal_admin, "Only the customer accepts a proposed time."
)
may_complete = Rule(lambda user, event: user.acts_as_tam, "Only the TAM records the outcome of an event.")
may_mark_no_show = Rule(lambda user, event: user.acts_as_tam, "Only the TAM records a no-show.")
# The customer's users cancel their own account's events; a TAM cancels for the customer or for the vendor.
may_cancel = Rule(lambda user, event: _customer_of(user, event) or user.acts_as_tam, "You cannot cancel this event.")


def may_cancel_for_vendor(user: User, event: MaintenanceEvent) -> bool:
    return user.acts_as_tam


AUTHORITY = {
    "confirm": may_confirm,
    "propose": may_propose,
    "accept": may_accept,
    "complete": may_complete,
    "no-show": may_mark_no_show,
    "cancel": may_cancel,
}


def authorize(action: str, *, actor: User, event: MaintenanceEvent) -> None:
    """Refuse (403) unless ``actor`` may take ``action`` on the event."""
    AUTHORITY[action].require(actor, event)


def _locked(event: MaintenanceEvent) -> MaintenanceEvent:
    return MaintenanceEvent.objects.select_for_update().select_related("account", "performing_tam").get(pk=event.pk)


def _clear_flag(event: MaintenanceEvent) -> list[str]:
    if event.staffing_flagged_at is None:
        return []
    event.staffing_flagged_at = event.staffing_problem = None
    return ["staffing_flagged_at", "staffing_problem"]


def event_confirm(*, actor: User, event: MaintenanceEvent) -> MaintenanceEvent:
    """The TAM confirms a requested event (this is also the approval of a critical short-notice request), before
    it starts and with no proposal pending. The performer is the acting TAM then, free for the whole event. The
    customer gets an iCalendar invite."""
    authorize("confirm", actor=actor, event=event)
    with transaction.atomic():
        event = _locked(event)
        EVENT_STATES.check(EventStatus(event.status), EventStatus.CONFIRMED)
        if event.has_proposal:
            raise DomainError("Another time was proposed: the customer accepts it, or you withdraw it.", field="status")
        if event.starts_at <= timezone.now():
            raise DomainError("The event's start has passed: propose another time or cancel it.", field="status")
        event.performing_tam = performer_for(event.account, event.starts_at, event.ends_at, exclude_pk=event.pk)
        EVENT_STATES.move(event, EventStatus.CONFIRMED)
        event.confirmed_at = timezone.now()
        event.save(update_fields=["status", "confirmed_at", "performing_tam", *_clear_flag(event)])
        notify_confirmed(event)
        publish("maintenance_event.confirmed", event, account_id=event.account_id)
    return event


def event_propose(
    *, actor: User, event: MaintenanceEvent, starts_at: dt.datetime, duration: dt.timedelta, note: str = ""
) -> MaintenanceEvent:
    """The TAM proposes another time for a requested event; the customer accepts it or cancels. The slot rules
    apply, except the two weeks' notice (the TAM chooses) and the credit (already reserved)."""
    authorize("propose", actor=actor, event=event)
    if event.status != EventStatus.REQUESTED:
        raise DomainError("Only a requested event can get another proposed time.", field="status")
    problems = slot_problems(
        actor=actor,
        account=event.account,
        starts_at=starts_at,
        duration=duration,
        needs_credit=False,
        enforce_notice=False,
        exclude_pk=event.pk,
    )
    if problems:
        raise refusal(problems)
    with transaction.atomic():
        event = _locked(event)
        event.proposed_starts_at, event.proposed_ends_at = (
            starts_at.astimezone(dt.UTC),
            elapsed_end(starts_at, duration),
        )
        event.proposal_note = note.strip()[:300]
        event.save(update_fields=["proposed_starts_at", "proposed_ends_at", "proposal_note"])
        notify_proposed(event)
    return event


def event_accept_proposal(*, actor: User, event: MaintenanceEvent) -> MaintenanceEvent:
    """The customer accepts the TAM's proposed time: the event moves there and is confirmed, if the slot is still
    allowed and the acting TAM then is free."""
    authorize("accept", actor=actor, event=event)
    try:
        with transaction.atomic():
            event = _locked(event)
            if not event.has_proposal or event.status != EventStatus.REQUESTED:
                raise DomainError("There is no proposed time to accept.", field="status")
            starts_at, ends_at = event.proposed_starts_at, event.proposed_ends_at
            problems = slot_problems(
                actor=actor,
                account=event.account,
                starts_at=starts_at,
                duration=elapsed(starts_at, ends_at),
                needs_credit=False,
                enforce_notice=False,
                exclude_pk=event.pk,
            )
            if problems:
                raise refusal(problems)
            tam = performer_for(event.account, starts_at, ends_at, exclude_pk=event.pk)
            event.starts_at, event.ends_at, event.performing_tam = starts_at, ends_at, tam
            event.proposed_starts_at = event.proposed_ends_at = None
            EVENT_STATES.move(event, EventStatus.CONFIRMED)
            event.confirmed_at = timezone.now()
            event.sequence += 1
            _clear_flag(event)
            event.save()
            notify_confirmed(event)
            publish("maintenance_event.confirmed", event, account_id=event.account_id)
    except IntegrityError as error:
        raise DomainError("The TAM was just booked at that time.", field="starts_at") from error
    return event


def event_complete(
    *, actor: User, event: MaintenanceEvent, outcome: str, actual_duration: dt.timedelta, notes: str = ""
) -> MaintenanceEvent:
    """The TAM records how a confirmed event went, once it has started; its credit is used."""
    authorize("complete", actor=actor, event=event)
    if not outcome.strip():
        raise DomainError("Say what was done.", field="outcome")
    if actual_duration <= dt.timedelta(0) or actual_duration > LONGEST_ACTUAL_DURATION:
        raise DomainError("Give the actual duration, up to 12 hours.", field="actual_duration")
    with transaction.atomic():
        lock_account(event.account)
        event = _locked(event)
        EVENT_STATES.check(EventStatus(event.status), EventStatus.COMPLETED)
        if event.starts_at > timezone.now():
            raise DomainError("An event is completed after it has started.", field="status")
        EVENT_STATES.move(event, EventStatus.COMPLETED)
        event.outcome, event.actual_duration, event.notes = outcome.strip(), actual_duration, notes.strip()
        event.completed_at = timezone.now()
        event.save(update_fields=["status", "outcome", "actual_duration", "notes", "completed_at"])
        credit_consume(event, actor=actor)
        publish("maintenance_event.completed", event, account_id=event.account_id)
    return event


def event_mark_no_show(*, actor: User, event: MaintenanceEvent, reason: str = "") -> MaintenanceEvent:
    """The TAM records that the customer did not show for a confirmed event that has started; its credit is
    used."""
    authorize("no-show", actor=actor, event=event)
    with transaction.atomic():
        lock_account(event.account)
        event = _locked(event)
        now = timezone.now()
        EVENT_STATES.check(EventStatus(event.status), EventStatus.CANCELLED)
        if event.status != EventStatus.CONFIRMED:
            raise DomainError("A no-show is recorded for a confirmed event only.", field="status")
        if event.starts_at > now:
            raise DomainError("A no-show is recorded after the start time.", field="status")
        EVENT_STATES.move(event, EventStatus.CANCELLED)
        event.cancelled_at, event.cancel_reason, event.no_show = now, reason.strip()[:300], True
        event.sequence += 1  # calendar clients apply a CANCEL only with a higher SEQUENCE
        event.save(update_fields=["status", "cancelled_at", "cancel_reason", "no_show", "sequence"])
        credit_consume(event, actor=actor)
        notify_cancelled(event)
    return event


@dataclass(frozen=True)
class CancellationTerms:
    on_behalf_of: OnBehalfOf
    releases_credit: bool
    forfeited_over_cap: bool
    message: str


def cancellation_terms(
    event: MaintenanceEvent, *, on_behalf_of: OnBehalfOf | str, now: dt.datetime | None = None
) -> CancellationTerms:
    """What cancelling now does to the credit, in words the customer reads before confirming. At the customer's
    request: the free cancellation period (``Limits``, 48 hours by default) or more ahead the credit is released,
    later it is used. By the vendor: always released. A released credit over the bank is forfeited."""
    now = now or timezone.now()
    on_behalf_of = OnBehalfOf(on_behalf_of)
    free = Limits.current().free_cancellation if on_behalf_of == OnBehalfOf.CUSTOMER else None
    if free is not None and event.starts_at - now < free:
        hours = round(free.total_seconds() / 3600)
        return CancellationTerms(
            on_behalf_of, False, False, f"The event starts within {hours} hours: cancelling it now uses its credit."
        )
    lead = "Cancelled by the vendor, the credit" if on_behalf_of == OnBehalfOf.VENDOR else "The credit"
    if release_would_overflow(event.account, now):
        return CancellationTerms(
            on_behalf_of,
            True,
            True,
            f"{lead} is released, but the account already holds the most credits it can bank: the released credit "
            "is forfeited.",
        )
    return CancellationTerms(on_behalf_of, True, False, f"{lead} is released and can be used for another event.")


def _on_behalf_of(value) -> OnBehalfOf:
    try:
        return OnBehalfOf(value)
    except ValueError as error:
        raise DomainError(
            "Say on whose behalf the event is cancelled: the customer's request, or the vendor's.",
            field="on_behalf_of",
        ) from error


def event_cancel(
    *, actor: User, event: MaintenanceEvent, on_behalf_of: OnBehalfOf | str, reason: str = ""
) -> MaintenanceEvent:
    """Cancel a requested or confirmed event before it starts, on someone's behalf. At the customer's request (a
    customer user, or a TAM for the customer): the free cancellation period (``Limits``) or more ahead the credit is
    released (capped at the bank), later it is used. By the vendor (only vendor staff, with a reason the customer
    reads): the credit is always released. An event that has started is completed or marked a no-show instead."""
    authorize("cancel", actor=actor, event=event)
    on_behalf_of = _on_behalf_of(on_behalf_of)
    if on_behalf_of == OnBehalfOf.VENDOR:
        require(may_cancel_for_vendor(actor, event), "Only the vendor's staff cancel on the vendor's behalf.")
        if not reason.strip():
            raise DomainError("Say why the vendor cancels: the customer is told.", field="reason")
    with transaction.atomic():
        lock_account(event.account)
        event = _locked(event)
        now = timezone.now()
        EVENT_STATES.check(EventStatus(event.status), EventStatus.CANCELLED)
        if event.starts_at <= now:
            raise DomainError(
                "The event has started and can no longer be cancelled: record its outcome, or mark a no-show.",
                field=NON_FIELD,
            )
        terms = cancellation_terms(event, on_behalf_of=on_behalf_of, now=now)
        EVENT_STATES.move(event, EventStatus.CANCELLED)
        event.cancelled_at, event.cancel_reason = now, reason.strip()[:300]
        event.cancelled_on_behalf_of = on_behalf_of
        event.sequence += 1  # calendar clients apply a CANCEL only with a higher SEQUENCE
        event.save(update_fields=["status", "cancelled_at", "cancel_reason", "cancelled_on_behalf_of", "sequence"])
        if terms.releases_credit:
            credit_release(event, actor=actor, now=now)
        else:
            credit_consume(event, actor=actor)
        notify_cancelled(event, terms=terms)
        publish("maintenance_event.cancelled", event, account_id=event.account_id)
    return event
