import datetime as dt

from celery import shared_task

from .credits import quarter_roll_over
from .reminders import reminders_send


@shared_task(name="maintenance.roll_over_quarter")
def roll_over_quarter(as_of: str | None = None) -> dict:
    """Grant and cap quarterly event credits; runs hourly so a missed or late run catches up. ``as_of`` (an ISO
    date) applies the quarters up to that day instead of today, as the command's ``--as-of`` does."""
    report = quarter_roll_over(as_of=dt.date.fromisoformat(as_of) if as_of else None)
    return {
        "quarters": [str(q) for q in report.quarters],
        "granted": report.granted,
        "forfeited_over_cap": report.forfeited_over_cap,
        "forfeited_ineligible": report.forfeited_ineligible,
    }


@shared_task(name="maintenance.send_event_reminders")
def send_event_reminders() -> int:
    return reminders_send()
