"""The webhook outbox: messages written with the change that causes them, delivered by workers, in order per
object, each exactly once unless a receiver fails to answer in time or a worker dies between posting a batch and
recording it (then the batch goes again, with the same webhook-ids, when its lease ends).

- ``enqueue`` listens to ``core.events``: in the change's own transaction it writes one message per endpoint that
  wants the event (its type, its account), and asks for a delivery once the transaction commits.
- ``deliver_due`` (the ``integrations.deliver_webhooks`` job, every minute and after each commit) claims due
  messages with ``SELECT … FOR UPDATE SKIP LOCKED`` and a short lease, so two workers never send the same one;
  a message waits while an earlier message about the same object for the same endpoint is undelivered, so a
  receiver sees one object's events in the order they happened. A batch's messages (one per object at most) are
  posted side by side and their outcomes written in one transaction.
- A failed try is retried with exponential backoff (``RETRY_DELAYS``: about a day in all). When the last try
  fails the message is given up and the endpoint disabled, and the admins are told; its other messages wait until
  an admin enables it again. Every try is logged (``WebhookAttempt``).
"""

import datetime as dt
import logging
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from core.events import Event

from . import notifications, outbound
from .models import MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage
from .payloads import object_key, payload
from .states import MESSAGE_STATES

logger = logging.getLogger(__name__)

# The wait after each failed try: x4 each time, at most 8 hours; 24 h 42 min from the first try to the last.
RETRY_DELAYS = [
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=8),
    dt.timedelta(minutes=32),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
    dt.timedelta(hours=8),
    dt.timedelta(hours=8),
]
BATCH = 20
SENDERS = 8  # the messages of a batch posted at once, each on a connection of its own
# Longer than a batch can take (BATCH / SENDERS rounds of WEBHOOK_TIMEOUT_SECONDS at most): then another may retry.
LEASE = dt.timedelta(minutes=5)


# --- Writing: in the change's transaction -----------------------------------------------------------------------


def enqueue(event: Event) -> None:
    """A message per endpoint that wants ``event`` (a disabled one's waits until it is enabled); nothing at all
    when none does."""
    endpoints = [e for e in WebhookEndpoint.objects.all() if e.wants(event.kind, event.account_id)]
    if not endpoints:
        return
    body, key = payload(event), object_key(event)
    WebhookMessage.objects.bulk_create(
        WebhookMessage(
            endpoint=endpoint,
            webhook_id=f"msg_{uuid.uuid4().hex}",
            event_type=event.kind,
            account_id=event.account_id,
            object_key=key,
            body=body,
            created_at=event.occurred_at,
            next_attempt_at=event.occurred_at,
        )
        for endpoint in endpoints
    )
    request_delivery()


def _kick() -> None:
    from .tasks import deliver_webhooks

    try:
        deliver_webhooks.delay()
    except Exception:  # the broker is down: the job every minute sends them
        logger.warning("could not queue webhook delivery; the periodic run will send it", exc_info=True)


def request_delivery() -> None:
    """Ask for a delivery once the current transaction commits (once per transaction)."""
    connection = transaction.get_connection()
    if any(callback is _kick for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_kick)


# --- Sending -----------------------------------------------------------------------------------------------------


def _claim(now: dt.datetime) -> list[WebhookMessage]:
    """Due messages of enabled endpoints, none held by another worker, each the oldest undelivered one of its
    object for its endpoint; leased to this worker."""
    earlier = WebhookMessage.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        object_key=OuterRef("object_key"),
        status=MessageStatus.PENDING,
        id__lt=OuterRef("id"),
    )
    with transaction.atomic():
        claimed = list(
            WebhookMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=MessageStatus.PENDING, next_attempt_at__lte=now, endpoint__active=True)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .exclude(Exists(earlier))
            .select_related("endpoint")
            .order_by("id")[:BATCH]
        )
        WebhookMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(locked_until=now + LEASE)
    return claimed


def _failed_try(message: WebhookMessage, answer: outbound.Answer, at: dt.datetime) -> None:
    """A try that failed: the message waits for its next one, or is given up (and its endpoint disabled). The
    message is this worker's until its lease ends, so its count of tries is the one it was claimed with."""
    attempts = message.attempts + 1
    fields = {"attempts": attempts, "last_status_code": answer.status_code, "last_error": answer.error}
    if attempts > len(RETRY_DELAYS):
        fields["status"] = MessageStatus.FAILED
    else:
        fields["next_attempt_at"] = at + RETRY_DELAYS[attempts - 1]
    WebhookMessage.objects.filter(pk=message.pk).update(locked_until=None, **fields)
    if attempts > len(RETRY_DELAYS):
        _disable(message.endpoint, at, f"Messages have failed for a day: the last one ({message.webhook_id}).")


def _record(tries: list[tuple[WebhookMessage, outbound.Answer]], at: dt.datetime) -> None:
    """What a batch's tries (sent at ``at``) found, in one transaction: the messages still pending are delivered
    (one statement per status code) or wait for their next try; one an admin marked otherwise meanwhile is left as
    it is; the try of every message that still exists is logged (one removed meanwhile, with its endpoint, leaves
    nothing to log on)."""
    with transaction.atomic():
        still = dict(
            WebhookMessage.objects.select_for_update()
            .filter(pk__in=[message.pk for message, _ in tries])
            .values_list("pk", "status")
        )
        delivered = defaultdict(list)  # per status code
        for message, answer in tries:
            if message.pk not in still or not MESSAGE_STATES.allows(still[message.pk], MessageStatus.DELIVERED):
                continue
            if answer.succeeded:
                delivered[answer.status_code].append(message.pk)
            else:
                _failed_try(message, answer, at)
        for status_code, pks in delivered.items():
            WebhookMessage.objects.filter(pk__in=pks).update(
                status=MessageStatus.DELIVERED,
                delivered_at=at,
                attempts=F("attempts") + 1,
                last_status_code=status_code,
                last_error="",
                locked_until=None,
            )
        WebhookAttempt.objects.bulk_create(
            WebhookAttempt(
                message=message,
                attempted_at=at,
                status_code=answer.status_code,
                error=answer.error,
                duration_ms=answer.duration_ms,
                succeeded=answer.succeeded,
            )
            for message, answer in tries
            if message.pk in still
        )


def _disable(endpoint: WebhookEndpoint, at: dt.datetime, reason: str) -> None:
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_at=at, disabled_reason=reason
    )
    if updated:
        endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, at, reason
        notifications.endpoint_disabled(endpoint)


def _send(message: WebhookMessage, at: dt.datetime) -> tuple[WebhookMessage, outbound.Answer]:
    answer = outbound.send(
        url=message.endpoint.url,
        secret=message.endpoint.secret,
        webhook_id=message.webhook_id,
        body=message.body,
        at=at,
    )
    return message, answer


def deliver_due(*, now: dt.datetime | None = None) -> int:
    """Send every message that is due now, batch after batch (a delivered message lets the next one about its
    object go). A batch holds at most one message per object and endpoint, so its messages are posted side by side
    (``SENDERS`` at a time) and recorded together. Returns how many were delivered. Safe to run often and from
    several workers at once."""
    delivered = 0
    with ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="webhook") as senders:
        while True:
            batch = _claim(now or timezone.now())
            if not batch:
                return delivered
            at = timezone.now()
            tries = list(senders.map(_send, batch, [at] * len(batch)))
            _record(tries, at)
            delivered += sum(1 for _, answer in tries if answer.succeeded)
