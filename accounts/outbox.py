"""The mail outbox: messages are rows written with the change that causes them, delivered after commit by a
worker, retried with backoff when the mail server fails. A message is marked sent in the same transaction
that claimed it, after the server accepted it; concurrent deliverers skip rows another one holds."""

import base64
import datetime as dt
import logging

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)
BACKOFF_MINUTES = [1, 5, 15, 60, 240, 720]
BATCH = 100


def outbox_add(*, to: str, subject: str, body: str, attachments=()) -> OutboxMessage:
    """Store a message in the caller's transaction; delivery is asked for once the transaction commits."""
    message = OutboxMessage.objects.create(
        to=to,
        subject=subject[:300],
        body=body,
        attachments=[
            {"filename": name, "mimetype": mimetype, "content": base64.b64encode(_bytes(content)).decode()}
            for name, content, mimetype in attachments
        ],
    )
    transaction.on_commit(_request_delivery)
    return message


def _bytes(content) -> bytes:
    return content if isinstance(content, bytes) else str(content).encode()


def _request_delivery() -> None:
    from .tasks import deliver_outbox

    try:
        deliver_outbox.delay()
    except Exception:  # the broker is down: the periodic delivery picks the message up
        logger.warning("could not queue outbox delivery; the periodic run will send it", exc_info=True)


def _email(message: OutboxMessage) -> mail.EmailMessage:
    email = mail.EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to])
    for item in message.attachments:
        email.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
    return email


def outbox_deliver(*, now: dt.datetime | None = None, batch: int = BATCH) -> tuple[int, int]:
    """Send the messages that are due; returns (sent, failed). A failure is retried later, backing off."""
    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:batch]
        )
        if not due:
            return 0, 0
        try:
            connection = mail.get_connection(fail_silently=False)
            connection.open()
        except Exception as error:  # the server is unreachable: every message waits for the next attempt
            for message in due:
                _postpone(message, now, error)
            OutboxMessage.objects.bulk_update(due, ["attempts", "next_attempt_at", "last_error"])
            return 0, len(due)
        try:
            for message in due:
                try:
                    connection.send_messages([_email(message)])
                except Exception as error:
                    _postpone(message, now, error)
                    failed += 1
                else:
                    message.sent_at, message.attempts, message.last_error = now, message.attempts + 1, ""
                    sent += 1
        finally:
            connection.close()
        OutboxMessage.objects.bulk_update(due, ["sent_at", "attempts", "next_attempt_at", "last_error"])
    return sent, failed


def _postpone(message: OutboxMessage, now: dt.datetime, error: Exception) -> None:
    step = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES) - 1)]
    message.attempts += 1
    message.next_attempt_at = now + dt.timedelta(minutes=step)
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    logger.warning(
        "mail to %s failed (attempt %s), retrying at %s", message.to, message.attempts, message.next_attempt_at
    )
