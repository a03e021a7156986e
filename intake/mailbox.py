"""Mailbox polling: each message waiting in ``INBOUND_EMAIL_URL``'s folder goes through ``mail_ingest`` and is then
moved to ``INBOUND_EMAIL_PROCESSED_FOLDER``.

Exactly once without a lock of its own: the message's key is claimed in the transaction that files it
(``mail_ingest``), so two workers polling at once file it once (the second finds it taken and only moves it),
and a worker that dies mid-message leaves it in the folder, unfiled, for the next poll (or filed and not yet
moved: the next poll finds it taken and moves it). A message over the size limit is never fetched: its size is
asked first, and it is moved aside with a logged refusal. When the database or the storage is unavailable the
poll stops and leaves the message where it is.
"""

import logging
import re
from dataclasses import asdict, dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from imap_tools import MailBox, MailBoxUnencrypted

from .models import InboundMail, MailSource
from .services import DUPLICATE, RETRY, mail_ingest

logger = logging.getLogger(__name__)
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
BATCH = 200  # messages per poll; the next poll takes the rest


@dataclass
class PollReport:
    filed: int = 0
    duplicates: int = 0
    refused: int = 0
    stopped: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MailboxAddress:
    secure: bool
    host: str
    port: int
    user: str
    password: str
    folder: str


def mailbox_address(url: str) -> MailboxAddress:
    """``imaps://user:password@host[:port]/Folder`` (or ``imap://`` on a trusted network); the user and the password
    may be percent-encoded."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("INBOUND_EMAIL_URL must look like imaps://user:password@host/INBOX")
    secure = parts.scheme == "imaps"
    return MailboxAddress(
        secure=secure,
        host=parts.hostname,
        port=parts.port or (993 if secure else 143),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def mailbox_poll(url: str | None = None) -> PollReport:
    """File the messages waiting in the mailbox, at most ``BATCH`` of them; nothing to do without a URL."""
    url = settings.INBOUND_EMAIL_URL if url is None else url
    report = PollReport()
    if not url:
        return report
    address = mailbox_address(url)
    processed = settings.INBOUND_EMAIL_PROCESSED_FOLDER
    box = MailBox if address.secure else MailBoxUnencrypted
    with box(address.host, address.port, timeout=60).login(address.user, address.password, address.folder) as mailbox:
        if not mailbox.folder.exists(processed):
            try:
                mailbox.folder.create(processed)
            except Exception:  # another worker created it first
                logger.info("mail in: folder %s was created by another worker", processed)
        for uid in mailbox.uids("ALL")[:BATCH]:
            if not _take(mailbox, uid, processed, report):
                break
    return report


def _take(mailbox, uid: str, processed: str, report: PollReport) -> bool:
    """File one message and move it; False when the poll should stop here."""
    size = _size(mailbox, uid)
    if size is None:  # another worker moved it meanwhile
        return True
    if size > settings.INBOUND_EMAIL_MAX_BYTES:
        logger.warning("mail in: refused message %s of %s bytes (over the size limit), moved aside", uid, size)
        report.refused += 1
        _move(mailbox, uid, processed)
        return True
    raw = _fetch(mailbox, uid)
    if raw is None:
        return True
    result = mail_ingest(raw, source=MailSource.MAILBOX)
    if result.outcome == RETRY:
        report.stopped = result.reason
        return False
    if result.exit_code:
        report.refused += 1
    elif result.outcome == DUPLICATE:
        report.duplicates += 1
    else:
        report.filed += 1
    _move_once(mailbox, uid, processed, result.mail_id)
    return True


def _move_once(mailbox, uid: str, folder: str, mail_id: int | None) -> None:
    """Move it while holding its row: two workers moving the same message at once would leave two copies in the
    folder (MOVE is a copy and an expunge); one after the other, the second finds it gone."""
    with transaction.atomic():
        if mail_id is not None:
            list(InboundMail.objects.select_for_update().filter(pk=mail_id).values_list("pk", flat=True))
        _move(mailbox, uid, folder)


def _size(mailbox, uid: str) -> int | None:
    _, data = mailbox.client.uid("FETCH", uid, "(RFC822.SIZE)")
    for item in data or []:
        line = item[0] if isinstance(item, tuple) else item
        if isinstance(line, bytes) and (match := _SIZE.search(line)):
            return int(match[1])
    return None


def _fetch(mailbox, uid: str) -> bytes | None:
    """The message's bytes as stored, without marking it read."""
    _, data = mailbox.client.uid("FETCH", uid, "(BODY.PEEK[])")
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _move(mailbox, uid: str, folder: str) -> None:
    try:
        mailbox.move(uid, folder)
    except Exception as error:  # gone already: another worker moved it
        logger.info("mail in: message %s not moved (%s)", uid, error)
