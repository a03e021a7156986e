"""Every write of credits and maintenance events goes through these functions."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.coverage import NoTamAvailable, acting_tam
from accounts.errors import DomainError
from accounts.models import Account, Contract, User
from accounts.quarters import Quarter, vendor_today, vendor_zone

from .models import (
    EVENT_TRANSITIONS,
    EXCLUDED_SCOPES,
    CreditBalance,
    CreditEntry,
    CreditKind,
    EventStatus,
    ForfeitCause,
    MaintenanceEvent,
    Scope,
)
from .notifications import notify_cancelled, notify_confirmed, notify_proposed, notify_requested

MIN_DURATION = dt.timedelta(hours=1)
MAX_DURATION = dt.timedelta(hours=3)
NOTICE = dt.timedelta(days=14)
FREE_CANCELLATION = dt.timedelta(hours=48)
BOOKING_HORIZON = dt.timedelta(days=366)


@dataclass(frozen=True)
class Balance:
    available: int
    reserved: int


def account_balance(account: Account) -> Balance:
    """The account's credits: the sums of its ledger, as the database keeps them (one row)."""
    balance = CreditBalance.objects.filter(account=account).values_list("available", "reserved").first()
    return Balance(*balance) if balance else Balance(0, 0)


def contract_on(account: Account, day: dt.date) -> Contract | None:
    return Contract.objects.active_on(day).filter(account=account).select_related("tier").first()


def next_grant_date(account: Account, today: dt.date | None = None) -> dt.date | None:
    """The next quarter start on which the account's contract grants events, if any."""
    today = today or vendor_today()
    following = Quarter.of(today).next().start
    contract = contract_on(account, following)
    return following if contract and contract.tier.events_per_quarter > 0 else None


def _ledger(account: Account, kind: CreditKind, available: int, reserved: int = 0, **fields) -> CreditEntry:
    return CreditEntry.objects.create(
        account=account,
        kind=kind,
        available_delta=available,
        reserved_delta=reserved,
        created_at=timezone.now(),
        **fields,
    )


def _lock(account: Account) -> Account:
    """Serialise every credit movement of one account (bookings, cancellations, the quarterly job)."""
    return Account.objects.select_for_update().get(pk=account.pk)


def credit_adjust(*, actor: User, account: Account, amount: int, reason: str) -> CreditEntry:
    """An admin corrects an account's available credits, with a reason. The balance never goes below zero."""
    if not actor.is_portal_admin:
        raise DomainError("Only administrators adjust credits.", field="amount")
    if not amount:
        raise DomainError("An adjustment adds or removes at least one credit.", field="amount")
    if not reason.strip():
        raise DomainError("Say why the credits are adjusted.", field="reason")
    with transaction.atomic():
        _lock(account)
        if account_balance(account).available + amount < 0:
            raise DomainError("This would leave fewer than zero credits available.", field="amount")
        return _ledger(account, CreditKind.ADJUSTMENT, amount, reason=reason.strip()[:300], actor=actor)


# --- Booking rules --------------------------------------------------------------------------------


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%a %b %-d, %Y %H:%M")


def check_slot(
    *,
    account: Account,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    critical: bool = False,
    justification: str = "",
    now: dt.datetime | None = None,
    enforce_notice: bool = True,
) -> list[DomainError]:
    """Every timing rule a requested slot breaks, each with a message a customer can act on (empty: allowed)."""
    now = now or timezone.now()
    problems = []
    if timezone.is_naive(starts_at):
        return [DomainError("Give the start with its time zone.", field="starts_at")]
    if duration < MIN_DURATION or duration > MAX_DURATION:
        problems.append(
            DomainError(
                "An event lasts from 1 to 3 hours. Longer work is not a maintenance event: "
                "ask your TAM about a services engagement.",
                field="duration",
            )
        )
    ends_at = starts_at + duration
    if starts_at <= now:
        problems.append(DomainError("The start is in the past.", field="starts_at"))
    elif starts_at > now + BOOKING_HORIZON:
        return [DomainError("Events are booked at most a year ahead.", field="starts_at")]
    elif enforce_notice and starts_at < now + NOTICE and not critical:
        earliest = now + NOTICE
        problems.append(
            DomainError(
                f"Events need two weeks' notice: the earliest start is {_fmt(earliest)}. For a critical system "
                "integrity, stability or performance issue, mark the request critical and explain why.",
                field="starts_at",
            )
        )
    if critical and not justification.strip():
        problems.append(
            DomainError(
                "Explain the critical system integrity, stability or performance issue.",
                field="critical_justification",
            )
        )
    vendor_day = starts_at.astimezone(vendor_zone()).date()
    contract = contract_on(account, vendor_day)
    if contract is None or contract.tier.events_per_quarter == 0:
        problems.append(
            DomainError(
                f"{account.name} has no contract that includes maintenance events on {vendor_day:%b %-d, %Y}.",
                field="starts_at",
            )
        )
        return problems
    # The account's own calendar, else the support hours of the tier it has on the event's day.
    calendar = account.calendar or contract.tier.support_calendar
    if duration > dt.timedelta(0):
        overlap = calendar.schedule().between(starts_at, ends_at)
        if overlap:
            minutes = int(overlap.total_seconds() // 60)
            problems.append(
                DomainError(
                    f"Events take place outside support hours (evenings, nights, weekends or holidays): this slot "
                    f"overlaps the {calendar.name} calendar ({calendar.time_zone}) by {minutes // 60} h "
                    f"{minutes % 60:02d} min.",
                    field="starts_at",
                )
            )
    return problems


def _refuse_scope(scope: str) -> None:
    if scope in EXCLUDED_SCOPES:
        raise DomainError(
            f"{EXCLUDED_SCOPES[scope]} is not a planned maintenance event: it needs a services engagement. "
            "Your TAM can arrange one.",
            field="scope",
        )
    if scope not in Scope.values:
        raise DomainError("Choose what the event is for.", field="scope")


def _performer(
    account: Account, starts_at: dt.datetime, ends_at: dt.datetime, exclude_pk=None, *, viewer: User | None = None
) -> User:
    try:
        tam = acting_tam(account, starts_at)
    except NoTamAvailable as error:
        raise DomainError("No TAM is available at that time; choose another time.", field="starts_at") from error
    clash = (
        MaintenanceEvent.objects.busy()
        .overlapping(starts_at, ends_at)
        .filter(performing_tam=tam)
        .exclude(pk=exclude_pk)
        .first()
    )
    if clash is not None:
        own = viewer is None or viewer.is_vendor_staff or clash.account_id == account.pk
        when = f" from {_fmt(clash.starts_at)} to {_fmt(clash.ends_at)}" if own else " at that time"
        raise DomainError(
            f"{tam.display_name}, who would perform it, is already booked{when}; choose another time.",
            field="starts_at",
        )
    return tam


def _next_credit_message(account: Account) -> str:
    following = next_grant_date(account)
    if following is None:
        return "No event credit is available, and none is due under the current contract."
    return f"No event credit is available. The next credit arrives on {following:%b %-d, %Y}."


def _may_book_for(actor: User, account: Account) -> bool:
    if actor.is_customer_user:
        return actor.account_id == account.pk
    return actor.acts_as_tam


def event_book(
    *,
    actor: User,
    account: Account,
    scope: str,
    description: str,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    critical: bool = False,
    critical_justification: str = "",
) -> MaintenanceEvent:
    """Request a planned maintenance event: it reserves one credit. Every rule of the domain is checked and a
    refused request changes nothing. Safe under concurrency: the account row is locked while the credit is
    counted and reserved, and the database refuses a double-booked TAM."""
    if not _may_book_for(actor, account):
        raise DomainError("You cannot book events for this account.", field="account")
    _refuse_scope(scope)
    if not description.strip():
        raise DomainError("Describe the work to be done.", field="description")
    problems = check_slot(
        account=account, starts_at=starts_at, duration=duration, critical=critical, justification=critical_justification
    )
    if problems:
        raise problems[0]
    ends_at = starts_at + duration
    try:
        with transaction.atomic():
            _lock(account)
            if account_balance(account).available < 1:
                raise DomainError(_next_credit_message(account), field="non_field_errors")
            tam = _performer(account, starts_at, ends_at, viewer=actor)
            event = MaintenanceEvent.objects.create(
                account=account,
                requested_by=actor,
                performing_tam=tam,
                scope=scope,
                description=description.strip(),
                starts_at=starts_at,
                ends_at=ends_at,
                critical=critical,
                critical_justification=critical_justification.strip() if critical else "",
            )
            _ledger(account, CreditKind.RESERVE, -1, 1, event=event, actor=actor)
            notify_requested(event)
    except IntegrityError as error:
        raise DomainError("Your TAM was just booked at that time; choose another time.", field="starts_at") from error
    return event


# --- Lifecycle ------------------------------------------------------------------------------------


def _move(event: MaintenanceEvent, status: EventStatus) -> None:
    if status not in EVENT_TRANSITIONS[EventStatus(event.status)]:
        raise DomainError(
            f"A {event.get_status_display().lower()} event cannot become {status.label.lower()}.", field="status"
        )
    event.status = status


def _locked_event(event: MaintenanceEvent) -> MaintenanceEvent:
    return MaintenanceEvent.objects.select_for_update().get(pk=event.pk)


def event_confirm(*, actor: User, event: MaintenanceEvent) -> MaintenanceEvent:
    """The TAM confirms a requested event (this is also the approval of a critical short-notice request).
    The customer gets an iCalendar invite."""
    if not actor.acts_as_tam:
        raise DomainError("Only the TAM confirms events.", field="status")
    with transaction.atomic():
        event = _locked_event(event)
        if event.has_proposal:
            raise DomainError("Another time was proposed: the customer accepts it, or you withdraw it.", field="status")
        if event.starts_at <= timezone.now():
            raise DomainError("The event's start has passed: propose another time or cancel it.", field="status")
        # The performer is the acting TAM on the day: an absence recorded since the booking moves it.
        event.performing_tam = _performer(event.account, event.starts_at, event.ends_at, exclude_pk=event.pk)
        _move(event, EventStatus.CONFIRMED)
        event.confirmed_at = timezone.now()
        event.save(update_fields=["status", "confirmed_at", "performing_tam"])
        notify_confirmed(event)
    return event


def event_propose(
    *, actor: User, event: MaintenanceEvent, starts_at: dt.datetime, duration: dt.timedelta, note: str = ""
) -> MaintenanceEvent:
    """The TAM proposes another time for a requested event; the customer accepts it or cancels."""
    if not actor.acts_as_tam:
        raise DomainError("Only the TAM proposes another time.", field="starts_at")
    if event.status != EventStatus.REQUESTED:
        raise DomainError("Only a requested event can get another proposed time.", field="status")
    problems = check_slot(
        account=event.account, starts_at=starts_at, duration=duration, critical=True, justification="TAM proposal"
    )
    if problems:
        raise problems[0]
    with transaction.atomic():
        event = _locked_event(event)
        _performer(event.account, starts_at, starts_at + duration, exclude_pk=event.pk)
        event.proposed_starts_at, event.proposed_ends_at = starts_at, starts_at + duration
        event.proposal_note = note.strip()[:300]
        event.save(update_fields=["proposed_starts_at", "proposed_ends_at", "proposal_note"])
        notify_proposed(event)
    return event


def event_accept_proposal(*, actor: User, event: MaintenanceEvent) -> MaintenanceEvent:
    """The customer accepts the TAM's proposed time: the event moves there and is confirmed."""
    if not (actor.is_customer_user and actor.account_id == event.account_id) and not actor.is_portal_admin:
        raise DomainError("Only the customer accepts a proposed time.", field="status")
    try:
        with transaction.atomic():
            event = _locked_event(event)
            if not event.has_proposal or event.status != EventStatus.REQUESTED:
                raise DomainError("There is no proposed time to accept.", field="status")
            starts_at, ends_at = event.proposed_starts_at, event.proposed_ends_at
            problems = check_slot(
                account=event.account, starts_at=starts_at, duration=ends_at - starts_at, enforce_notice=False
            )
            if problems:
                raise problems[0]
            tam = _performer(event.account, starts_at, ends_at, exclude_pk=event.pk)
            event.starts_at, event.ends_at, event.performing_tam = starts_at, ends_at, tam
            event.proposed_starts_at = event.proposed_ends_at = None
            _move(event, EventStatus.CONFIRMED)
            event.confirmed_at = timezone.now()
            event.sequence += 1
            event.save()
            notify_confirmed(event)
    except IntegrityError as error:
        raise DomainError("The TAM was just booked at that time.", field="starts_at") from error
    return event


def event_complete(
    *, actor: User, event: MaintenanceEvent, outcome: str, actual_duration: dt.timedelta, notes: str = ""
) -> MaintenanceEvent:
    """The TAM records how a confirmed event went; its credit is used."""
    if not actor.acts_as_tam:
        raise DomainError("Only the TAM completes events.", field="status")
    if not outcome.strip():
        raise DomainError("Say what was done.", field="outcome")
    if actual_duration <= dt.timedelta(0) or actual_duration > dt.timedelta(hours=12):
        raise DomainError("Give the actual duration, up to 12 hours.", field="actual_duration")
    with transaction.atomic():
        _lock(event.account)
        event = _locked_event(event)
        if event.starts_at > timezone.now():
            raise DomainError("An event is completed after it has started.", field="status")
        _move(event, EventStatus.COMPLETED)
        event.outcome, event.actual_duration, event.notes = outcome.strip(), actual_duration, notes.strip()
        event.completed_at = timezone.now()
        event.save(update_fields=["status", "outcome", "actual_duration", "notes", "completed_at"])
        _ledger(event.account, CreditKind.CONSUME, 0, -1, event=event, actor=actor)
    return event


@dataclass(frozen=True)
class CancellationTerms:
    releases_credit: bool
    forfeited_over_cap: bool
    message: str


def cancellation_terms(
    event: MaintenanceEvent, now: dt.datetime | None = None, *, by_vendor: bool = False
) -> CancellationTerms:
    """What cancelling now does to the credit, in words the customer reads before confirming. A customer's
    cancellation less than 48 hours ahead uses the credit (the domain rule); when the vendor cancels, the
    customer keeps it."""
    now = now or timezone.now()
    late = event.starts_at - now < FREE_CANCELLATION
    if late and not by_vendor:
        return CancellationTerms(False, False, "The event starts within 48 hours: cancelling now uses its credit.")
    contract = contract_on(event.account, vendor_today(now))
    cap = contract.tier.bank_cap if contract else 0
    if account_balance(event.account).available + 1 > cap:
        return CancellationTerms(
            True,
            True,
            f"The credit is released, but you already hold the most credits you can bank ({cap}): "
            "the released credit is forfeited.",
        )
    return CancellationTerms(True, False, "The credit is released and can be used for another event.")


def event_cancel(*, actor: User, event: MaintenanceEvent, reason: str = "", no_show: bool = False) -> MaintenanceEvent:
    """Cancel a requested or confirmed event. 48 hours or more ahead the credit is released (capped at the
    bank); later, or for a no-show, the credit is used."""
    customer = actor.is_customer_user and actor.account_id == event.account_id
    if not (customer or actor.acts_as_tam):
        raise DomainError("You cannot cancel this event.", field="status")
    if no_show and customer:
        raise DomainError("Only the TAM records a no-show.", field="status")
    if no_show and event.status != EventStatus.CONFIRMED:
        raise DomainError("A no-show is recorded for a confirmed event only.", field="status")
    with transaction.atomic():
        _lock(event.account)
        event = _locked_event(event)
        now = timezone.now()
        _move(event, EventStatus.CANCELLED)
        if no_show and event.starts_at > now:
            raise DomainError("A no-show is recorded after the start time.", field="status")
        terms = cancellation_terms(event, now, by_vendor=not customer and not no_show)
        event.cancelled_at, event.cancel_reason, event.no_show = now, reason.strip()[:300], no_show
        event.sequence += 1  # calendar clients apply a CANCEL only with a higher SEQUENCE
        event.save(update_fields=["status", "cancelled_at", "cancel_reason", "no_show", "sequence"])
        if terms.releases_credit and not no_show:
            _ledger(event.account, CreditKind.RELEASE, 1, -1, event=event, actor=actor)
            if terms.forfeited_over_cap:
                _ledger(
                    event.account,
                    CreditKind.FORFEIT,
                    -1,
                    cause=ForfeitCause.RELEASE_OVER_CAP,
                    event=event,
                    reason="Released credit over the bank limit",
                )
        else:
            _ledger(event.account, CreditKind.CONSUME, 0, -1, event=event, actor=actor)
        notify_cancelled(event)
    return event
