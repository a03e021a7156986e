"""Mail in: one message, from a mail server's pipe or a polled mailbox, filed the way the case pages would file
it, by calling the same case services with the sender as the actor. The triage services are in ``triage.py``
and re-exported here: this module is the app's one door for writes.

The rules ``mail_ingest`` applies, in order:

- Over ``INBOUND_EMAIL_MAX_BYTES``, or not an RFC 822 message: refused (exit 65), nothing stored. The message is
  spooled to a temporary file as it is read, so memory stays small whatever its size.
- The same message again (the same Message-ID; without one, the same bytes): stored once. Its key is claimed
  first in the transaction that files it, so two deliveries, two workers polling at once or a retry after a
  crash file it once.
- Sent by a machine (Auto-Submitted other than "no", Precedence bulk/junk/auto_reply, X-Autoreply,
  X-Autorespond, a delivery report, the null or MAILER-DAEMON sender): recorded and dropped. It opens no case,
  adds no entry and sends no mail, so no loop can start.
- The sender is the From address, matched in any letter case against addresses people have proved. Anyone else
  (or nobody) goes to the triage list for support staff: never filed on an account by a guess, and never
  answered, so no reply tells whether an account exists.
- A message that answers a case (References/In-Reply-To naming the case's thread or one of the portal's mails
  about it, else a ``[CASE-000042]`` or ``[#42]`` subject tag) becomes a public entry on that case when the
  sender may reply to it (``cases.services.may_reply``: a user of the case's account, or vendor staff). Staff
  replying by mail meet the clocks as a reply on the case page does; only their new text is posted (the history
  they quote may hold internal notices). A customer's mail to a closed case opens a new case that says which
  one it follows.
- A case named by someone who may not post into it is ignored, and it says nothing: a customer's mail opens a
  case on their own account, as if it named none; anyone else's goes to triage. Vendor staff writing about no
  case go to triage too.
- Otherwise a customer's mail opens a case on their account, by e-mail, as its contact. Sent to a TAM's direct
  address (``help+tam-7@...``), the TAM-reply clock runs from its arrival and the acting TAM is told.
- Files become case attachments under the upload rules (the others are named in the entry); a customer's
  original message is attached too, and every message not dropped is kept (``InboundMail.original``) for staff.
- The database or the storage unavailable: nothing is kept, exit 75, and the mail server (or the next poll)
  tries again. Anything else going wrong while filing puts the message in triage, with the reason.
"""

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, InterfaceError, OperationalError, transaction

from accounts.models import User
from cases.models import Case, CaseEntry, Channel, Severity
from cases.services import case_open, case_reply, may_reply
from core.errors import DomainError
from core.outbox import one_line
from core.templatetags.mail_text import split_reply

from .filing import NO_SUBJECT, ORIGINAL_NAME, entry_text, mail_files, tam_clock
from .models import InboundMail, MailOutcome, MailSource, TriageItem
from .parsing import ParsedMail, Spooled, TooLarge, Unreadable, check_readable, parse, spool
from .routing import direct_tam, known_person, threaded_case, without_case_tags
from .triage import may_triage, require_may_triage, triage_assign, triage_discard

__all__ = ["IngestResult", "mail_ingest", "may_triage", "require_may_triage", "triage_assign", "triage_discard"]

logger = logging.getLogger(__name__)
DUPLICATE, REFUSED, RETRY = "duplicate", "refused", "retry"
EXIT_CODES = {REFUSED: 65, RETRY: 75}  # sysexits.h: EX_DATAERR, EX_TEMPFAIL
UNAVAILABLE = (OperationalError, InterfaceError, OSError)  # the database or the storage: try again later


@dataclass(frozen=True)
class IngestResult:
    outcome: str  # a MailOutcome, or duplicate, refused, retry
    reason: str
    mail_id: int | None = None
    case_id: int | None = None
    entry_id: int | None = None
    triage_id: int | None = None

    @property
    def exit_code(self) -> int:
        """For the mail server: 0 taken or deliberately dropped, 65 not a message it may send again, 75 later."""
        return EXIT_CODES.get(self.outcome, 0)


def mail_ingest(raw: bytes | BinaryIO, *, source: str = MailSource.PIPE) -> IngestResult:
    """File one message (raw bytes, or a binary stream read to its end) by the rules above; never raises for what
    the message holds. The result says what became of it, and why."""
    stream = io.BytesIO(raw) if isinstance(raw, bytes | bytearray) else raw
    try:
        spooled = spool(stream, settings.INBOUND_EMAIL_MAX_BYTES)
    except TooLarge as error:
        return _logged(IngestResult(REFUSED, str(error)))
    except OSError as error:
        return _logged(IngestResult(RETRY, f"the message could not be spooled: {error}"))
    with spooled.file:
        try:
            check_readable(spooled)
            parsed = parse(spooled)
        except Unreadable as error:
            return _logged(IngestResult(REFUSED, str(error)))
        except Exception as error:  # the parser gave up on it: not a message the portal can read
            logger.exception("mail in: the parser failed")
            return _logged(IngestResult(REFUSED, f"the message cannot be read ({type(error).__name__})"))
        try:
            return _logged(_file(parsed, spooled, source))
        except UNAVAILABLE as error:
            return _logged(IngestResult(RETRY, f"the database or the storage is unavailable: {error}"))


def _logged(result: IngestResult) -> IngestResult:
    level = logging.WARNING if result.outcome in EXIT_CODES else logging.INFO
    logger.log(
        level,
        "mail in: %s (%s) mail=%s case=%s entry=%s triage=%s",
        result.outcome,
        one_line(result.reason),
        result.mail_id,
        result.case_id,
        result.entry_id,
        result.triage_id,
    )
    return result


def _file(parsed: ParsedMail, spooled: Spooled, source: str) -> IngestResult:
    with transaction.atomic():
        mail = _claim(parsed, spooled, source)
        if isinstance(mail, int):
            return IngestResult(DUPLICATE, "this message was received before; it is stored once", mail_id=mail)
        if parsed.automatic:
            return _settle(mail, MailOutcome.AUTOMATIC, f"sent by a machine: {parsed.automatic}")
        try:
            with transaction.atomic():
                return _route(mail, parsed, spooled)
        except UNAVAILABLE:
            raise
        except Exception as error:  # a bug must not lose the message: it waits in triage, with the reason
            logger.exception("mail in: message %s could not be filed; it goes to triage", mail.pk)
            mail.case = mail.entry = mail.tam = None
            return _to_triage(mail, parsed, spooled, f"It could not be filed by itself ({type(error).__name__}).")


def _claim(parsed: ParsedMail, spooled: Spooled, source: str) -> InboundMail | int:
    """The message's row, created first: a concurrent filing of the same message waits on its unique key and then
    finds it taken (the id of the row that has it)."""
    if parsed.message_id:
        key = "mid:" + hashlib.sha256(parsed.message_id.encode("utf-8", "surrogatepass")).hexdigest()
    else:
        key = "sha:" + spooled.sha256
    try:
        with transaction.atomic():
            return InboundMail.objects.create(
                key=key,
                message_id=parsed.message_id[:998],
                source=source,
                sender=parsed.sender[:254],
                sender_name=parsed.sender_name[:200],
                subject=parsed.subject[:300],
                size=spooled.size,
                outcome=MailOutcome.AUTOMATIC if parsed.automatic else MailOutcome.TRIAGE,
                dmarc=parsed.dmarc[:20],
            )
    except IntegrityError:
        return InboundMail.objects.filter(key=key).values_list("pk", flat=True).first()


def _route(mail: InboundMail, parsed: ParsedMail, spooled: Spooled) -> IngestResult:
    sender = known_person(parsed.sender)
    mail.tam = direct_tam(parsed.recipients)
    case = threaded_case(parsed)
    if sender is None:
        why = "The sender is not a known contact." if parsed.sender else "The message names no sender."
        return _to_triage(mail, parsed, spooled, why)
    if case is not None and may_reply(sender, case):
        if sender.is_vendor_staff:
            return _staff_reply(mail, parsed, spooled, sender, case)
        return _customer_reply(mail, parsed, spooled, sender, case)
    if sender.is_vendor_staff:
        return _to_triage(mail, parsed, spooled, "Vendor staff wrote about no case.")
    why = "A customer's new message." if case is None else "It named a case the sender may not post to."
    return _open_case(mail, parsed, spooled, sender, why)


def _original(spooled: Spooled) -> File:
    """The message as received, read from its spool file when stored (never all of it in memory at once)."""
    spooled.file.seek(0)
    return File(spooled.file, name=ORIGINAL_NAME)


def _case_files(mail: InboundMail, parsed: ParsedMail, spooled: Spooled) -> tuple[list, list[str]]:
    """A customer's files and their original message for the case; an original too large to attach is kept here."""
    files, refused = mail_files(parsed, original=_original(spooled))
    if not any(upload.name == ORIGINAL_NAME for upload in files):
        _keep_original(mail, spooled)
    return files, refused


def _customer_reply(mail, parsed, spooled, sender: User, case: Case) -> IngestResult:
    files, refused = _case_files(mail, parsed, spooled)
    try:
        entry = case_reply(
            actor=sender, case=case, body=entry_text(parsed.text, refused), via=Channel.EMAIL, attachments=files
        )
    except DomainError as error:  # the case is closed: the customer's mail opens a new one
        return _open_case(mail, parsed, spooled, sender, f"{case.reference}: {error.message}", follows=case)
    if mail.tam is not None:
        tam_clock(case=case, mail=mail)
    return _settle(mail, MailOutcome.ENTRY, f"A reply on {case.reference}.", case=case, entry=entry)


def _staff_reply(mail, parsed, spooled, sender: User, case: Case) -> IngestResult:
    new_text, _ = split_reply(parsed.text)
    files, refused = mail_files(parsed)
    try:
        entry = case_reply(
            actor=sender,
            case=case,
            body=entry_text(new_text, refused),
            channel=Channel.EMAIL,
            via=Channel.EMAIL,
            attachments=files,
        )
    except DomainError as error:
        return _to_triage(mail, parsed, spooled, f"A staff reply to {case.reference} was refused: {error.message}")
    _keep_original(mail, spooled)
    return _settle(mail, MailOutcome.ENTRY, f"A staff reply on {case.reference}.", case=case, entry=entry)


def _open_case(mail, parsed, spooled, sender: User, why: str, *, follows: Case | None = None) -> IngestResult:
    files, refused = _case_files(mail, parsed, spooled)
    text = entry_text(parsed.text, refused)
    if follows is not None:
        text = f"(This follows {follows.reference}, which is closed.)\n\n{text}"
    case = case_open(
        actor=sender,
        account=sender.account,
        subject=without_case_tags(parsed.subject) or NO_SUBJECT,
        description=text,
        via=Channel.EMAIL,
        severity=Severity.MEDIUM,
        attachments=files,
    )
    entry = CaseEntry.objects.filter(case=case).order_by("id").first()
    if mail.tam is not None:
        tam_clock(case=case, mail=mail)
    return _settle(mail, MailOutcome.CASE, f"{why} Opened {case.reference}.", case=case, entry=entry)


def _to_triage(mail: InboundMail, parsed: ParsedMail, spooled: Spooled, why: str) -> IngestResult:
    _keep_original(mail, spooled)
    item = TriageItem.objects.create(
        channel=Channel.EMAIL,
        received_at=mail.received_at,
        sender=parsed.sender[:254],
        sender_name=parsed.sender_name[:200],
        summary=(parsed.subject or NO_SUBJECT)[:200],
        body=entry_text(parsed.text),
        reason=why,
        mail=mail,
    )
    return _settle(mail, MailOutcome.TRIAGE, why, triage=item)


def _keep_original(mail: InboundMail, spooled: Spooled) -> None:
    mail.original.save("message.eml", _original(spooled), save=False)


def _settle(mail: InboundMail, outcome: str, reason: str, *, case=None, entry=None, triage=None) -> IngestResult:
    mail.outcome, mail.reason = outcome, reason[:300]
    mail.case, mail.entry = case, entry
    mail.save()
    return IngestResult(
        outcome,
        reason,
        mail_id=mail.pk,
        case_id=case.pk if case else None,
        entry_id=entry.pk if entry else None,
        triage_id=triage.pk if triage else None,
    )
