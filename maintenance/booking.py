"""Booking a planned maintenance event: the rules a slot must meet, written once.

``slot_problems`` is the booking rule. The booking page's live check, ``event_book``, the TAM's proposal of
another time and the customer's acceptance of it all ask it, so a slot the page calls fine is one the booking
accepts, and a refusal reads the same on the page, in the API and in a job.
"""

import datetime as dt
import zoneinfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.coverage import NoTamAvailable, acting_tam
from accounts.durations import notice_words
from accounts.local_time import LocalTimeError, elapsed_end, require_existing
from accounts.models import Account, User
from accounts.quarters import vendor_zone
from accounts.selectors import contract_in_force
from core.errors import NON_FIELD, DomainError
from core.events import publish
from core.models import Limits
from core.permissions import require
from core.wording import span_words, zone_words

from .ledger import account_balance, ledger_add, lock_account, next_credit_message
from .models import EXCLUDED_SCOPES, CreditKind, MaintenanceEvent, Scope
from .notifications import notify_requested

BOOKING_HORIZON = dt.timedelta(days=366)


def fmt(moment: dt.datetime, reader: User | None = None) -> str:
    """A moment as the person the message is for reads it: in their own zone, whichever way they came (a page, the
    API with a token, a job); the active zone when nobody is named."""
    zone = zoneinfo.ZoneInfo(reader.time_zone) if reader is not None and reader.time_zone else None
    return timezone.localtime(moment, zone).strftime("%a %b %-d, %Y %H:%M")


def refusal(problems: list[DomainError]) -> DomainError:
    """Several refusals as one, each message on its field (the first message leads)."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        for field, messages in problem.errors.items():
            errors.setdefault(field, []).extend(messages)
    return DomainError(errors=errors)


def may_book(user: User, account: Account) -> bool:
    """A customer user books for their own account; a TAM (or TAM-level resource, or admin) for any."""
    if user.is_customer_user:
        return user.account_id == account.pk
    return user.acts_as_tam


def tam_clash(tam: User, starts_at: dt.datetime, ends_at: dt.datetime, *, exclude_pk=None) -> MaintenanceEvent | None:
    """An open event ``tam`` performs that overlaps the interval, if any."""
    return (
        MaintenanceEvent.objects.busy()
        .overlapping(starts_at, ends_at)
        .filter(performing_tam=tam)
        .exclude(pk=exclude_pk)
        .first()
    )


def performer_for(
    account: Account, starts_at: dt.datetime, ends_at: dt.datetime, *, exclude_pk=None, viewer: User | None = None
) -> User:
    """The acting TAM at the event's start, free for the whole event; else a refusal saying why. Another account's
    event is never described to a customer (only that the TAM is booked then)."""
    try:
        tam = acting_tam(account, starts_at)
    except NoTamAvailable as error:
        raise DomainError("No TAM is available at that time; choose another time.", field="starts_at") from error
    clash = tam_clash(tam, starts_at, ends_at, exclude_pk=exclude_pk)
    if clash is not None:
        own = viewer is None or viewer.is_vendor_staff or clash.account_id == account.pk
        when = f" from {fmt(clash.starts_at, viewer)} to {fmt(clash.ends_at, viewer)}" if own else " at that time"
        raise DomainError(
            f"{tam.display_name}, who would perform it, is already booked{when}; choose another time.",
            field="starts_at",
        )
    return tam


def _scope_problem(scope: str) -> DomainError | None:
    if scope in EXCLUDED_SCOPES:
        return DomainError(
            f"{EXCLUDED_SCOPES[scope]} is not a planned maintenance event: it needs a services engagement. "
            "Your TAM can arrange one.",
            field="scope",
        )
    if scope not in Scope.values:
        return DomainError("Choose what the event is for.", field="scope")
    return None


def _timing_problems(
    starts_at: dt.datetime,
    duration: dt.timedelta,
    *,
    now: dt.datetime,
    critical: bool,
    justification: str,
    notice: bool,
    reader: User,
) -> list[DomainError]:
    problems = []
    limits = Limits.current()
    if duration < limits.shortest_event or duration > limits.longest_event:
        problems.append(
            DomainError(
                f"An event lasts from {limits.event_shortest_hours} to {limits.event_longest_hours} hours. Longer "
                "work is not a maintenance event: ask your TAM about a services engagement.",
                field="duration",
            )
        )
    if starts_at <= now:
        problems.append(DomainError("The start is in the past.", field="starts_at"))
    elif starts_at > now + BOOKING_HORIZON:
        return [DomainError("Events are booked at most a year ahead.", field="starts_at")]
    elif notice and starts_at < now + limits.event_notice and not critical:
        problems.append(
            DomainError(
                f"Events need {notice_words(limits.event_notice_days)} notice: the earliest start is "
                f"{fmt(now + limits.event_notice, reader)}. For a critical system integrity, stability or performance "
                "issue, mark the request critical and explain why.",
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
    return problems


def _calendar_problems(account: Account, starts_at: dt.datetime, ends_at: dt.datetime) -> list[DomainError]:
    vendor_day = starts_at.astimezone(vendor_zone()).date()
    contract = contract_in_force(account, vendor_day)
    if contract is None or contract.tier.events_per_quarter == 0:
        return [
            DomainError(
                f"{account.name} has no contract that includes maintenance events on {vendor_day:%b %-d, %Y}.",
                field="starts_at",
            )
        ]
    # The account's own calendar, else the support hours of the tier it has on the event's day; the real interval,
    # so an event across a daylight-saving change is measured as it happens.
    calendar = account.calendar or contract.tier.support_calendar
    overlap = calendar.schedule().between(starts_at, ends_at)
    if not overlap:
        return []
    return [
        DomainError(
            f"Events take place outside support hours (evenings, nights, weekends or holidays): this slot overlaps "
            f"the {calendar.name} calendar ({zone_words(calendar.time_zone)}) by {span_words(overlap)}.",
            field="starts_at",
        )
    ]


def slot_problems(
    *,
    actor: User,
    account: Account,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    scope: str | None = None,
    critical: bool = False,
    justification: str = "",
    now: dt.datetime | None = None,
    needs_credit: bool = True,
    enforce_notice: bool = True,
    exclude_pk=None,
) -> list[DomainError]:
    """Every rule the slot breaks, each with a message the person can act on; empty when the booking (or the
    proposal, ``needs_credit=False, enforce_notice=False``) would be accepted as far as the slot goes.

    The rules: the scope is an event (not a major upgrade or a migration); the start exists on the local clock; the
    event lasts 1 to 3 real hours; it starts after now, within a year, and two weeks ahead unless critical with a
    justification; the account has a contract with events on the day; no minute of it falls in support hours; a
    credit is available; and the acting TAM then is free for the whole event."""
    now = now or timezone.now()
    scope_problem = _scope_problem(scope) if scope is not None else None
    problems = [scope_problem] if scope_problem else []
    if timezone.is_naive(starts_at):
        return [*problems, DomainError("Give the start with its time zone.", field="starts_at")]
    try:
        require_existing(starts_at)
    except LocalTimeError as error:
        return [*problems, DomainError(str(error), field="starts_at")]
    problems += _timing_problems(
        starts_at,
        duration,
        now=now,
        critical=critical,
        justification=justification,
        notice=enforce_notice,
        reader=actor,
    )
    if starts_at > now + BOOKING_HORIZON or duration <= dt.timedelta(0):
        return problems
    ends_at = elapsed_end(starts_at, duration)
    calendar = _calendar_problems(account, starts_at, ends_at)
    if calendar:
        return problems + calendar
    if needs_credit and account_balance(account).available < 1:
        problems.append(DomainError(next_credit_message(account), field=NON_FIELD))
    if not problems:
        try:
            performer_for(account, starts_at, ends_at, exclude_pk=exclude_pk, viewer=actor)
        except DomainError as error:
            problems.append(error)
    return problems


def authorize_booking(*, actor: User, account: Account) -> None:
    """Refuse (403) unless ``actor`` may book for ``account``; the booking page, its live check and the API ask it
    before they read the rest of the input, as ``event_book`` does."""
    require(may_book(actor, account), "You cannot book events for this account.")


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
    """Request a planned maintenance event for ``account``: it reserves one credit, and the acting TAM at its
    start performs it. A customer user books for their own account, a TAM for any. Every rule of
    ``slot_problems`` applies and the work must be described; a refused request changes nothing. Safe under
    concurrency: the account row is locked while the credit is counted and reserved, and the database refuses a
    double-booked TAM."""
    authorize_booking(actor=actor, account=account)
    problems = slot_problems(
        actor=actor,
        account=account,
        scope=scope,
        starts_at=starts_at,
        duration=duration,
        critical=critical,
        justification=critical_justification,
    )
    if not description.strip():
        problems.append(DomainError("Describe the work to be done.", field="description"))
    if problems:
        raise refusal(problems)
    # Held in UTC from here: an instant in a repeated local hour compares equal to nothing in another zone.
    starts_at = starts_at.astimezone(dt.UTC)
    ends_at = elapsed_end(starts_at, duration)
    try:
        with transaction.atomic():
            lock_account(account)
            if account_balance(account).available < 1:
                raise DomainError(next_credit_message(account), field=NON_FIELD)
            tam = performer_for(account, starts_at, ends_at, viewer=actor)
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
            ledger_add(account, CreditKind.RESERVE, -1, 1, event=event, actor=actor)
            notify_requested(event)
            publish("maintenance_event.requested", event, account_id=account.pk)
    except IntegrityError as error:
        raise DomainError("Your TAM was just booked at that time; choose another time.", field="starts_at") from error
    return event
