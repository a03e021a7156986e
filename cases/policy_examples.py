"""A worked example for each SLA target, computed by the clock the target runs on: "A case opened Monday 17:30 is
due Tuesday 07:30 (2 business hours on Support hours)". The sample case starts on the coming Monday at 17:30, half
an hour before the default support hours close, where business time and wall-clock time part ways."""

import datetime as dt

from accounts.local_time import elapsed_end
from accounts.models import BusinessCalendar
from accounts.quarters import vendor_zone
from core.wording import span_words

from .models import ClockKind, StartEvent

SAMPLE_TIME = dt.time(17, 30)
STARTS = {
    StartEvent.CASE_OPENED: "a case opened",
    StartEvent.CALL_RECEIVED: "a call received",
    StartEvent.ESCALATED: "a case escalated",
    StartEvent.TAM_MESSAGE: "a voicemail or e-mail to the TAM received",
}


def sample_start(zone: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    """The coming Monday (after today) at 17:30 in ``zone``."""
    today = now.astimezone(zone).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return dt.datetime.combine(monday, SAMPLE_TIME, tzinfo=zone)


def _when(moment: dt.datetime, start: dt.datetime) -> str:
    if moment.date() - start.date() >= dt.timedelta(days=7):
        return f"{moment:%A %b %-d, %H:%M}"
    return f"{moment:%A %H:%M}"


def worked_example(
    *, start_event: str, duration: dt.timedelta, clock: str, calendar: BusinessCalendar | None, now: dt.datetime
) -> str:
    """The example sentence for one target (empty when the target cannot run: no length, or business time without
    a calendar)."""
    business = clock == ClockKind.BUSINESS
    if duration is None or duration <= dt.timedelta(0) or (business and calendar is None):
        return ""
    schedule = calendar.schedule() if business else None
    start = sample_start(schedule.tz if schedule else vendor_zone(), now)
    try:
        due = schedule.add(start, duration) if schedule else elapsed_end(start, duration).astimezone(start.tzinfo)
    except ValueError:  # a calendar that never opens again
        return f"{calendar.name} has no open hours ahead: a clock on it would never run out."
    what = STARTS.get(start_event, "a case")
    counted = (
        f"{span_words(duration, business=True)} on {calendar.name}"
        if schedule
        else (f"{span_words(duration)}, wall clock")
    )
    due_on = _when(due, start)
    return f"{what[0].upper()}{what[1:]} {start:%A %H:%M} is due {due_on} ({counted})."
