"""E-mails about release previews and proactive reviews. Preview invitations carry an iCalendar file with a
stable UID and a SEQUENCE bumped on every reschedule (METHOD:CANCEL when the customer declines)."""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from accounts.models import Account, User
from accounts.notifications import email_users

from .models import PreviewSession, PreviewStatus, ProactiveReview, Release

PRODID = "-//ESS Portal//Release previews//EN"


def _customers(account_id: int):
    return User.objects.filter(account_id=account_id, is_active=True)


def _url(name: str, *args) -> str:
    return settings.ESS_BASE_URL + reverse(name, args=args)


def preview_uid(preview: PreviewSession) -> str:
    return f"{preview.uid}@ess-portal"


def preview_invite(preview: PreviewSession, *, method: str) -> bytes:
    """One VEVENT in UTC, so every client places it right whatever its zone."""
    item = Event()
    item.add("uid", preview_uid(preview))
    item.add("sequence", preview.sequence)
    item.add("dtstamp", timezone.now())
    item.add("dtstart", preview.scheduled_at.astimezone(dt.UTC))
    item.add("dtend", preview.ends_at.astimezone(dt.UTC))
    item.add("summary", f"Release preview: {preview.release} for {preview.account.name}")
    item.add("description", preview.notes or f"A preview of {preview.release} with your TAM.")
    item.add("url", _url("reviews:preview", preview.pk))
    item.add("status", "CANCELLED" if preview.status == PreviewStatus.DECLINED else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{preview.tam.email}")
    organizer.params["cn"] = vText(preview.tam.display_name)
    item["organizer"] = organizer
    for user in _customers(preview.account_id):
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = vText(user.display_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        item.add("attendee", attendee, encode=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(item)
    return calendar.to_ical()


def _preview_context(preview: PreviewSession) -> dict:
    return {"preview": preview, "url": _url("reviews:preview", preview.pk)}


def notify_preview_planned(preview: PreviewSession, *, rescheduled: bool = False) -> None:
    email_users(
        _customers(preview.account_id),
        subject=f"{'Rescheduled' if rescheduled else 'Planned'}: preview of {preview.release}",
        template="reviews/email/preview_planned.txt",
        context={**_preview_context(preview), "rescheduled": rescheduled},
        attachments=[("invite.ics", preview_invite(preview, method="REQUEST"), "text/calendar; method=REQUEST")],
    )


def notify_preview_declined(preview: PreviewSession) -> None:
    email_users(
        [*list(_customers(preview.account_id)), preview.tam],
        subject=f"Declined: preview of {preview.release}",
        template="reviews/email/preview_declined.txt",
        context=_preview_context(preview),
        attachments=[("cancel.ics", preview_invite(preview, method="CANCEL"), "text/calendar; method=CANCEL")],
    )


def notify_preview_chase(tam: User, release: Release, accounts: list[Account]) -> None:
    email_users(
        [tam],
        subject=f"Plan release previews of {release}: {len(accounts)} account{'s' if len(accounts) != 1 else ''}",
        template="reviews/email/preview_chase.txt",
        context={"release": release, "accounts": accounts, "url": _url("reviews:previews")},
    )


def notify_review_reminder(review: ProactiveReview, tam: User) -> None:
    email_users(
        [tam],
        subject=f"Schedule the {review.quarter_label} system review of {review.account.name}",
        template="reviews/email/review_reminder.txt",
        context={"review": review, "url": _url("reviews:review", review.pk)},
    )


def notify_review_published(review: ProactiveReview) -> None:
    email_users(
        _customers(review.account_id),
        subject=f"Your {review.quarter_label} system review is ready",
        template="reviews/email/review_published.txt",
        context={"review": review, "url": _url("reviews:report", review.pk)},
    )
