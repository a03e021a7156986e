"""The vendor's configuration: tiers, business calendars and their holidays, customer accounts, and which TAMs own
each account. Only administrators change it, after entering their password recently, whatever the route.
``None`` as the actor is the system (a command, a migration's data, a job), which may."""

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core.authentication import privileged
from core.errors import Conflict, DomainError
from core.models import Limits
from core.permissions import require

from .business_hours import Schedule
from .models import (
    TIER_FIELDS,
    Account,
    BusinessCalendar,
    Holiday,
    OpenInterval,
    TamAssignment,
    Tier,
    User,
    Weekday,
)
from .priority import accounts_priority_refresh
from .signals import coverage_changed

CONFIGURATION_ADMIN_ONLY = "Only administrators change the configuration."
Weekly = Mapping[int, Iterable[tuple[dt.time, dt.time]]]


def may_configure(user: User | None) -> bool:
    """Admins (and the system) change tiers, calendars, accounts and TAM assignments."""
    return user is None or user.is_portal_admin


def _hold(model: type[models.Model], pk) -> None:
    """Writers of one row's parts take turns (its holidays, its current assignment), so none fails on a unique
    rule another one is about to satisfy."""
    list(model.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))


def _save_row(row: models.Model, *, unique: str) -> None:
    """Validate (field validators and the model's own rules) and save; a value of ``unique`` that a concurrent
    request took first is a clear refusal, not a server error."""
    try:
        row.full_clean(validate_unique=False)
    except ValidationError as error:
        raise DomainError(errors=error.message_dict) from error
    taken = f"A {row._meta.verbose_name} with this {row._meta.get_field(unique).verbose_name} already exists."
    if type(row).objects.filter(**{unique: getattr(row, unique)}).exclude(pk=row.pk).exists():
        raise DomainError(taken, field=unique)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        raise Conflict(taken, field=unique) from error


# --- Tiers and accounts ---------------------------------------------------------------------------


@privileged
def tier_save(*, actor: User | None, tier: Tier | None = None, values: Mapping[str, Any]) -> Tier:
    """Create a tier or change its benefits (``values`` by field name: the name, the support calendar and every
    benefit). The bank holds at least one quarter's events; names are unique."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    unknown = set(values) - set(TIER_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a tier: {sorted(unknown)}")
    tier = tier or Tier()
    for name, value in values.items():
        setattr(tier, name, value)
    with transaction.atomic():
        _save_row(tier, unique="name")
        accounts_priority_refresh()  # a tier that gains or loses priority support changes its accounts' flag
    return tier


@privileged
def account_save(
    *, actor: User | None, account: Account | None = None, name: str, slug: str, calendar: BusinessCalendar | None
) -> Account:
    """Create a customer account or change its name, address (slug) or own calendar (empty: its tier's support
    hours)."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    account = account or Account()
    account.name, account.slug, account.calendar = name, slug, calendar
    _save_row(account, unique="slug")
    return account


# --- Calendars ------------------------------------------------------------------------------------


@privileged
def calendar_save(
    *, actor: User | None, calendar: BusinessCalendar | None = None, name: str, time_zone: str, description: str = ""
) -> BusinessCalendar:
    """Create a business calendar or change its name, IANA zone or description."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    calendar = calendar or BusinessCalendar()
    calendar.name, calendar.time_zone, calendar.description = name, time_zone, description
    _save_row(calendar, unique="name")
    return calendar


def _hhmm(moment: dt.time, *, closing: bool = False) -> str:
    return "24:00" if closing and moment == dt.time(0) else moment.strftime("%H:%M")


def _closing_minute(closes: dt.time) -> int:
    return 24 * 60 if closes == dt.time(0) else closes.hour * 60 + closes.minute


def week_problems(weekly: Mapping[int, list[tuple[dt.time, dt.time]]]) -> list[str]:
    """What is wrong with a week of open hours, in words a person can act on: each interval opens before it closes
    (a closing time of 00:00 is midnight), the intervals of a day do not overlap, and the week has some. The
    calendar page's preview shows the same words as the refusal."""
    problems = []
    weekly = {day: sorted(intervals) for day, intervals in weekly.items()}
    for day, intervals in sorted(weekly.items()):
        name = Weekday(day).label if day in Weekday.values else f"Weekday {day}"
        latest = None  # the interval seen so far that closes last
        for opens, closes in intervals:
            if closes != dt.time(0) and closes <= opens:
                problems.append(
                    f"{name}: {_hhmm(opens)}–{_hhmm(closes)} closes before it opens (00:00 closes at midnight)."
                )
                continue
            if latest is not None and _closing_minute(latest[1]) > opens.hour * 60 + opens.minute:
                problems.append(
                    f"{name}: {_hhmm(opens)}–{_hhmm(closes, closing=True)} overlaps "
                    f"{_hhmm(latest[0])}–{_hhmm(latest[1], closing=True)}."
                )
            if latest is None or _closing_minute(closes) > _closing_minute(latest[1]):
                latest = (opens, closes)
    if not any(weekly.values()):
        problems.append("A calendar needs some open hours: give at least one interval.")
    return problems


@privileged
def calendar_set_hours(*, actor: User | None, calendar: BusinessCalendar, weekly: Weekly) -> BusinessCalendar:
    """Replace a calendar's open hours. Overlapping intervals or a week with no open hours are refused. Intervals
    that stay are kept as they are (their audit trail shows only what changed)."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    weekly = {day: sorted(intervals) for day, intervals in weekly.items()}
    problems = week_problems(weekly)
    if problems:
        raise DomainError(errors={"weekly": problems})
    wanted = {(day, opens): closes for day, intervals in weekly.items() for opens, closes in intervals}
    try:
        Schedule(tz=calendar.time_zone, weekly=weekly)
    except ValueError as error:
        raise DomainError(str(error), field="weekly") from error
    with transaction.atomic():
        _hold(BusinessCalendar, calendar.pk)
        for interval in calendar.intervals.all():
            closes = wanted.pop((interval.weekday, interval.opens), None)
            if closes is None:
                interval.delete()
            elif closes != interval.closes:
                interval.closes = closes
                interval.save(update_fields=["closes"])
        OpenInterval.objects.bulk_create(
            OpenInterval(calendar=calendar, weekday=day, opens=opens, closes=closes)
            for (day, opens), closes in wanted.items()
        )
        calendar.save(update_fields=["updated_at"])
    return calendar


@privileged
def calendar_set_holidays(
    *, actor: User | None, calendar: BusinessCalendar, holidays: Iterable[tuple[dt.date, str]]
) -> BusinessCalendar:
    """Replace a calendar's holidays (one per date); dates that stay keep their row."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    wanted = dict(holidays)
    with transaction.atomic():
        _hold(BusinessCalendar, calendar.pk)
        for holiday in calendar.holidays.all():
            name = wanted.pop(holiday.date, None)
            if name is None:
                holiday.delete()
            elif name != holiday.name:
                holiday.name = name[:120]
                holiday.save(update_fields=["name"])
        Holiday.objects.bulk_create(
            Holiday(calendar=calendar, date=day, name=name[:120]) for day, name in wanted.items()
        )
        calendar.save(update_fields=["updated_at"])
    return calendar


@privileged
def calendar_add_holiday(*, actor: User | None, calendar: BusinessCalendar, day: dt.date, name: str) -> Holiday:
    """One holiday by hand. A date the calendar already has is renamed, so a calendar has one holiday a date; two
    admins adding at once take turns on the calendar's row, so neither loses the other's holiday."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    name = name.strip()[:120]
    if not name:
        raise DomainError("Name the holiday, e.g. “Founders' day”.", field="name")
    with transaction.atomic():
        _hold(BusinessCalendar, calendar.pk)
        holiday, created = Holiday.objects.get_or_create(calendar=calendar, date=day, defaults={"name": name})
        if not created and holiday.name != name:
            holiday.name = name
            holiday.save(update_fields=["name"])
        calendar.save(update_fields=["updated_at"])
    return holiday


@privileged
def calendar_remove_holiday(*, actor: User | None, calendar: BusinessCalendar, day: dt.date) -> BusinessCalendar:
    """Remove one of a calendar's holidays; a date that is not one of them is refused, and nothing changes."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    with transaction.atomic():
        _hold(BusinessCalendar, calendar.pk)
        removed, _ = calendar.holidays.filter(date=day).delete()
        if not removed:
            raise DomainError(f"{day:%b %-d, %Y} is not a holiday of {calendar.name}.", field="date")
        calendar.save(update_fields=["updated_at"])
    return calendar


def public_holidays(*, country: str, subdivision: str = "", year: int) -> list[tuple[dt.date, str]]:
    """A country's (and optionally a subdivision's) public holidays for a year, from the holidays package."""
    import holidays as holiday_data

    country, subdivision = country.strip().upper(), subdivision.strip().upper()
    supported = holiday_data.list_supported_countries()
    if country not in supported:
        raise DomainError(f"No holiday data for country “{country}”.", field="country")
    if subdivision and subdivision not in supported[country]:
        raise DomainError(
            f"No holiday data for region “{subdivision}” of {country}: choose one of the list, or leave it empty.",
            field="subdivision",
        )
    found = holiday_data.country_holidays(country, subdiv=subdivision or None, years=year)
    return sorted(found.items())


def public_holidays_ticked(
    *, country: str, subdivision: str = "", year: int, dates: Collection[dt.date | str]
) -> list[tuple[dt.date, str]]:
    """The public holidays of the lookup whose dates were ticked after review, with the package's names: what an
    import adds (a date that is not one of them is no holiday of that country, and is left out)."""
    ticked = {day if isinstance(day, str) else day.isoformat() for day in dates}
    return [
        (day, name)
        for day, name in public_holidays(country=country, subdivision=subdivision, year=year)
        if day.isoformat() in ticked
    ]


@privileged
def calendar_import_holidays(
    *, actor: User | None, calendar: BusinessCalendar, holidays: list[tuple[dt.date, str]]
) -> int:
    """Add reviewed holidays to a calendar; dates it already has are kept as they are. Returns how many were added.
    Two imports at once take turns, so the second adds only what the first did not."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    with transaction.atomic():
        _hold(BusinessCalendar, calendar.pk)
        existing = set(calendar.holidays.values_list("date", flat=True))
        new = {day: name for day, name in holidays if day not in existing}
        Holiday.objects.bulk_create(Holiday(calendar=calendar, date=day, name=name[:120]) for day, name in new.items())
        calendar.save(update_fields=["updated_at"])
    return len(new)


# --- Notice periods and limits -------------------------------------------------------------------


LIMIT_FIELDS = [
    "event_notice_days",
    "event_free_cancellation_hours",
    "event_shortest_hours",
    "event_longest_hours",
    "renewal_reminder_days",
]


@privileged
def limits_save(*, actor: User | None, values: Mapping[str, Any]) -> Limits:
    """Set the portal's notice periods and limits (``values`` by field name, ``LIMIT_FIELDS``): the notice a
    maintenance event needs, how long before its start a customer may cancel it for free, the shortest and longest
    event, and the days before a contract's end its renewal reminders go out (each from 0 to 730, at most eight).
    They apply from the next booking, cancellation or reminder run; what was decided before stays as it was."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    unknown = set(values) - set(LIMIT_FIELDS)
    if unknown:
        raise ValueError(f"not fields of the limits: {sorted(unknown)}")
    with transaction.atomic():
        _hold(Limits, 1)
        limits = Limits.current()
        for name, value in values.items():
            setattr(limits, name, value)
        offsets = limits.renewal_reminder_days
        if len(offsets) > 8 or any(not 0 <= days <= 730 for days in offsets):
            raise DomainError(
                "Give at most eight reminder days, each from 0 to 730 days before the end.",
                field="renewal_reminder_days",
            )
        limits.renewal_reminder_days = sorted(set(offsets), reverse=True)
        if limits.event_shortest_hours > limits.event_longest_hours:
            raise DomainError("The longest event cannot be shorter than the shortest.", field="event_longest_hours")
        try:
            limits.full_clean(validate_constraints=False)
        except ValidationError as error:
            raise DomainError(errors=error.message_dict) from error
        limits.save()
    return limits


# --- TAM assignments ------------------------------------------------------------------------------


@privileged
def coverage_assign(
    *, actor: User | None, account: Account, primary: User, backup: User, at: dt.datetime | None = None
) -> TamAssignment:
    """Make ``primary`` and ``backup`` the account's TAMs from ``at`` (default now); the previous pair is kept
    as history. Assigning the pair the account already has changes nothing."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    at = at or timezone.now()
    if not primary.is_tam:
        raise DomainError(f"{primary} is not a TAM.", field="primary")
    if not backup.is_tam:
        raise DomainError(f"{backup} is not a TAM.", field="backup")
    if primary.pk == backup.pk:
        raise DomainError("The backup TAM must be someone other than the primary.", field="backup")
    with transaction.atomic():
        _hold(Account, account.pk)
        current = TamAssignment.objects.select_for_update().current().filter(account=account).first()
        if current is not None:
            if current.primary_id == primary.pk and current.backup_id == backup.pk:
                return current
            if at < current.valid_from:
                raise DomainError("A change of TAM cannot predate the current assignment.", field="primary")
            current.valid_to = at
            current.save(update_fields=["valid_to"])
        assignment = TamAssignment.objects.create(
            account=account, primary=primary, backup=backup, valid_from=at, assigned_by=actor
        )
        coverage_changed.send(sender=TamAssignment, account=account, actor=actor)
        return assignment
