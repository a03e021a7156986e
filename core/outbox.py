"""The mail outbox: messages are rows written with the change that causes them, delivered after commit by a
worker, retried with backoff when the mail server fails. A message is marked sent in the same transaction
that claimed it, after the server accepted it; concurrent deliverers skip rows another one holds.

Every header value is made here, once: whatever text a caller passes (a case subject, a person's name) is
folded to one line, so no user text can add a header. A message that cannot be built is marked failed with
its reason and the rest of the batch goes on. Each row carries its own Message-ID, and every message says it
was sent by a machine (``Auto-Submitted: auto-generated``), so auto-replies are not sent back to it.

A message about a thing (a case) names it in ``References`` (``thread_reference``) and says where replies go
(``Reply-To``: the portal's own address, ``portal_address``), so that mail coming back finds its thread."""

import base64
import datetime as dt
import logging
import re
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)
BACKOFF_MINUTES = [1, 5, 15, 60, 240, 720]
BATCH = 100
THREAD_HEADERS = ("References", "In-Reply-To", "Reply-To")  # what a caller may add; the rest is set here
HEADERS = {
    "Auto-Submitted": "auto-generated",  # RFC 3834: answering machines and the portal's mail-in leave it be
    "X-Auto-Response-Suppress": "All",  # the same request in Exchange's words
}

# C0 and C1 control characters and the Unicode line and paragraph separators: none belongs in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_THREAD = re.compile(r"<ess-([a-z]+)-(\d+)@[^<>\s]+>", re.IGNORECASE)


def _domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "ess-portal.invalid"


def thread_reference(kind: str, pk: int) -> str:
    """The Message-ID-shaped name of a thread (``<ess-case-42@portal.example>``) that the portal's mail about one
    thing carries in ``References``; a mail program keeps it in the references of a reply."""
    return f"<ess-{kind}-{pk}@{_domain()}>"


def thread_of(message_id: str) -> tuple[str, int] | None:
    """``("case", 42)`` for a name ``thread_reference`` made, else None."""
    match = _THREAD.fullmatch(message_id.strip())
    return (match[1].lower(), int(match[2])) if match else None


def portal_address() -> str:
    """The portal's own mailbox (``INBOUND_EMAIL_ADDRESS``), where replies to its mail go; "" when mail does not
    come in."""
    return settings.INBOUND_EMAIL_ADDRESS.strip().lower()


def tam_address(user_id: int) -> str:
    """A TAM's direct address: the portal's mailbox plus-addressed (``help+tam-7@vendor.example``). Mail to it
    opens a case with the TAM-reply clock running. "" when mail does not come in."""
    local, _, domain = portal_address().partition("@")
    return f"{local}+tam-{user_id}@{domain}" if domain else ""


def thread_headers(kind: str, pk: int) -> dict[str, str]:
    """The headers a message about one thing carries so that a reply comes back to it."""
    headers = {"References": thread_reference(kind, pk)}
    if portal_address():
        headers["Reply-To"] = portal_address()
    return headers


def one_line(text: str) -> str:
    """``text`` as a header can carry it: control characters (CR and LF among them) become spaces, runs of
    white space one space, and the ends are trimmed."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def outbox_add(
    *,
    to: str,
    subject: str,
    body: str,
    attachments: Iterable = (),
    secrets: Iterable[str] = (),
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Store a message in the caller's transaction; delivery is asked for once the transaction commits.

    ``to``, ``subject``, attachment names and ``headers`` (only References, In-Reply-To and Reply-To) are folded
    to one line. Each of ``secrets`` (a set-password link,
    a sign-in code) found in ``body`` is replaced by a placeholder: the stored body, the one admins read, never
    shows it, and the value itself is kept only until the message is sent or given up."""
    message = _message(to=to, subject=subject, body=body, attachments=attachments, secrets=secrets, headers=headers)
    message.save(force_insert=True)
    transaction.on_commit(_request_delivery)
    return message


def outbox_add_many(messages: Iterable[dict]) -> list[OutboxMessage]:
    """``outbox_add`` for many messages at once (each a dict of its keyword arguments), in one statement: for jobs
    that write a set of messages whatever its size."""
    rows = OutboxMessage.objects.bulk_create([_message(**message) for message in messages])
    if rows:
        transaction.on_commit(_request_delivery)
    return rows


def _message(*, to, subject, body, attachments=(), secrets=(), headers=None) -> OutboxMessage:
    withheld, body = _withhold(body, secrets)
    return OutboxMessage(
        to=one_line(to)[:254],
        subject=one_line(subject)[:300],
        body=body,
        secrets=withheld,
        headers={name: one_line(value)[:900] for name, value in (headers or {}).items() if name in THREAD_HEADERS},
        attachments=[
            {
                "filename": one_line(name)[:200],
                "mimetype": one_line(mimetype),
                "content": base64.b64encode(_bytes(content)).decode(),
            }
            for name, content, mimetype in attachments
        ],
    )


def _withhold(body: str, secrets: Iterable[str]) -> tuple[list[list[str]], str]:
    withheld = []
    # The longest first: a reset link contains its key, which may be passed as a secret of its own.
    for value in sorted({str(s) for s in secrets if s}, key=len, reverse=True):
        if value in body:
            placeholder = f"[withheld {len(withheld) + 1}: sent to the recipient only]"
            body = body.replace(value, placeholder)
            withheld.append([placeholder, value])
    return withheld, body


def _bytes(content) -> bytes:
    return content if isinstance(content, bytes) else str(content).encode()


def _request_delivery() -> None:
    from .tasks import deliver_outbox

    try:
        deliver_outbox.delay()
    except Exception:  # the broker is down: the periodic delivery picks the message up
        logger.warning("could not queue outbox delivery; the periodic run will send it", exc_info=True)


def _email(message: OutboxMessage) -> mail.EmailMessage:
    """The message as the server will get it, headers built now: what cannot be built raises here."""
    try:
        validate_email(message.to)
    except ValidationError as error:
        raise ValueError(f"not one valid e-mail address: {message.to!r}") from error
    body = message.body
    for placeholder, value in message.secrets:
        body = body.replace(placeholder, value)
    email = mail.EmailMessage(
        message.subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [message.to],
        headers={**message.headers, "Message-ID": message.message_id, **HEADERS},
    )
    for item in message.attachments:
        email.attach(item["filename"], base64.b64decode(item["content"], validate=True), item["mimetype"])
    email.message()
    return email


def outbox_deliver(*, now: dt.datetime | None = None, batch: int = BATCH) -> tuple[int, int]:
    """Send the messages that are due; returns (sent, failed). A failure of the server is retried later,
    backing off; a message that cannot be built is given up at once, and the batch goes on."""
    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)
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
                if _send_one(connection, message, now):
                    sent += 1
                else:
                    failed += 1
        finally:
            connection.close()
        OutboxMessage.objects.bulk_update(
            due, ["sent_at", "failed_at", "attempts", "next_attempt_at", "last_error", "secrets"]
        )
    return sent, failed


def _send_one(connection, message: OutboxMessage, now: dt.datetime) -> bool:
    try:
        email = _email(message)
    except Exception as error:
        _give_up(message, now, f"cannot be built: {type(error).__name__}: {error}")
        return False
    try:
        connection.send_messages([email])
    except Exception as error:
        _postpone(message, now, error)
        return False
    message.sent_at, message.attempts, message.last_error, message.secrets = now, message.attempts + 1, "", []
    return True


def _give_up(message: OutboxMessage, now: dt.datetime, reason: str) -> None:
    message.attempts += 1
    message.failed_at, message.secrets = now, []
    message.last_error = reason[:2000]
    logger.error("mail %s to %s given up: %s", message.message_id, message.to, one_line(message.last_error))


def _postpone(message: OutboxMessage, now: dt.datetime, error: Exception) -> None:
    step = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES) - 1)]
    message.attempts += 1
    message.next_attempt_at = now + dt.timedelta(minutes=step)
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    logger.warning(
        "mail to %s failed (attempt %s), retrying at %s", message.to, message.attempts, message.next_attempt_at
    )
