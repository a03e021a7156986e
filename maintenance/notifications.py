"""E-mails about maintenance events, with iCalendar invites (stable UID, SEQUENCE bumped on reschedule,
METHOD:CANCEL on cancellation)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from accounts.models import User
from accounts.notifications import email_users

from .models import EventStatus, MaintenanceEvent

PRODID = "-//ESS Portal//Planned maintenance//EN"


def event_uid(event: MaintenanceEvent) -> str:
    return f"{event.uid}@ess-portal"


def event_summary(event: MaintenanceEvent) -> str:
    return f"Planned maintenance: {event.account.name} ({event.get_scope_display()})"


def ical_event(event: MaintenanceEvent, *, organizer: User | None = None, cancelled: bool = False) -> Event:
    """One VEVENT; times in UTC so every client places them right whatever its zone. ``organizer`` defaults to
    the performing TAM (a TAM handing the event over cancels it under their own name)."""
    organizer_user = organizer or event.performing_tam
    item = Event()
    item.add("uid", event_uid(event))
    item.add("sequence", event.sequence)
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event_summary(event))
    item.add("description", event.description)
    item.add("url", settings.ESS_BASE_URL + reverse("maintenance:event", args=[event.pk]))
    item.add("status", "CANCELLED" if cancelled or event.status == EventStatus.CANCELLED else "CONFIRMED")
    address = vCalAddress(f"mailto:{organizer_user.email}")
    address.params["cn"] = vText(organizer_user.display_name)
    item["organizer"] = address
    return item


def invite(event: MaintenanceEvent, *, method: str, organizer: User | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    entry = ical_event(event, organizer=organizer, cancelled=method == "CANCEL")
    for user in _customers(event):
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = vText(user.display_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        entry.add("attendee", attendee, encode=0)
    calendar.add_component(entry)
    return calendar.to_ical()


def feed(events, *, name: str) -> bytes:
    """A subscribable calendar of events (no METHOD: a feed, not an invitation)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(ical_event(event))
    return calendar.to_ical()


def _customers(event: MaintenanceEvent):
    return User.objects.filter(account_id=event.account_id, is_active=True)


def _context(event: MaintenanceEvent) -> dict:
    return {"event": event, "url": settings.ESS_BASE_URL + reverse("maintenance:event", args=[event.pk])}


def notify_requested(event: MaintenanceEvent) -> None:
    email_users(
        [event.performing_tam],
        subject=f"Maintenance request from {event.account.name}"
        + (" (critical, short notice)" if event.critical else ""),
        template="maintenance/email/requested.txt",
        context=_context(event),
    )


def notify_proposed(event: MaintenanceEvent) -> None:
    email_users(
        _customers(event),
        subject="Your TAM proposes another time for your maintenance event",
        template="maintenance/email/proposed.txt",
        context=_context(event),
    )


def notify_confirmed(event: MaintenanceEvent) -> None:
    email_users(
        _customers(event),
        subject=f"Confirmed: planned maintenance on {timezone.localtime(event.starts_at):%b %-d}",
        template="maintenance/email/confirmed.txt",
        context=_context(event),
        attachments=[("invite.ics", invite(event, method="REQUEST"), "text/calendar; method=REQUEST")],
    )


def notify_cancelled(event: MaintenanceEvent, *, terms=None) -> None:
    """The customer and the TAM are told, with on whose behalf and what became of the credit."""
    recipients = [*list(_customers(event)), event.performing_tam]
    email_users(
        recipients,
        subject="Cancelled: planned maintenance",
        template="maintenance/email/cancelled.txt",
        context={**_context(event), "terms": terms},
        attachments=[("cancel.ics", invite(event, method="CANCEL"), "text/calendar; method=CANCEL")],
    )


def notify_performer_changed(event: MaintenanceEvent, *, previous: User) -> None:
    """Another TAM now performs the event: they get the invitation, the previous one a cancellation (the same UID,
    a higher SEQUENCE), and the customer is told who comes."""
    request = ("invite.ics", invite(event, method="REQUEST"), "text/calendar; method=REQUEST")
    cancel = ("cancel.ics", invite(event, method="CANCEL", organizer=previous), "text/calendar; method=CANCEL")
    context = {**_context(event), "previous": previous}
    email_users(
        [event.performing_tam],
        subject=f"You now perform planned maintenance for {event.account.name}",
        template="maintenance/email/performer_new.txt",
        context=context,
        attachments=[request],
    )
    email_users(
        [previous],
        subject=f"Handed over: planned maintenance for {event.account.name}",
        template="maintenance/email/performer_previous.txt",
        context=context,
        attachments=[cancel],
    )
    email_users(
        _customers(event),
        subject="Your planned maintenance has a new TAM",
        template="maintenance/email/performer_customer.txt",
        context=context,
        attachments=[request] if event.status == EventStatus.CONFIRMED else [],
    )


def notify_reminder(event: MaintenanceEvent) -> None:
    email_users(
        [*list(_customers(event)), event.performing_tam],
        subject="Reminder: planned maintenance in two days",
        template="maintenance/email/reminder.txt",
        context=_context(event),
    )
