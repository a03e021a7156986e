"""Reminders two days before a confirmed event, each sent once however often or concurrently the job runs."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .models import EventStatus, MaintenanceEvent
from .notifications import notify_reminder

REMINDER_LEAD = dt.timedelta(days=2)
BATCH = 500


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Claim confirmed events starting within two days that have no reminder yet (skipping rows another run
    holds), mark them, and send after commit. Returns how many were sent."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            MaintenanceEvent.objects.select_for_update(skip_locked=True)
            .filter(
                status=EventStatus.CONFIRMED,
                reminder_sent_at__isnull=True,
                starts_at__gt=now,
                starts_at__lte=now + REMINDER_LEAD,
            )
            .select_related("account", "performing_tam")
            .order_by("starts_at")[:BATCH]
        )
        claimed = MaintenanceEvent.objects.filter(
            pk__in=[event.pk for event in due], reminder_sent_at__isnull=True
        ).update(reminder_sent_at=now)
        for event in due:
            notify_reminder(event)
    return claimed
