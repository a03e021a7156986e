"""Who a message is from, which address it was sent to, and which case it answers: the reads ``mail_ingest``
decides on. Nothing here writes or decides who may: that is the services'."""

import re

from allauth.account.models import EmailAddress

from accounts.models import User
from cases.models import Case
from core.models import OutboxMessage
from core.outbox import portal_address, thread_of

from .models import InboundMail
from .parsing import ParsedMail

# A case named in a subject: the portal's own "[CASE-000042]", or "[#42]" as people and other desks write it.
SUBJECT_TAG = re.compile(r"\[\s*(?:CASE-0*(\d{1,9})|#0*(\d{1,9}))\s*\]", re.IGNORECASE)


def known_person(address: str) -> User | None:
    """The active person who proved ``address`` (a verified address, in any letter case) and holds a portal role;
    None for anyone else. An address someone merely typed into their profile is not theirs until proved."""
    if not address:
        return None
    row = (
        EmailAddress.objects.filter(email__iexact=address, verified=True, user__is_active=True)
        .select_related("user", "user__account")
        .first()
    )
    if row is None or not (row.user.is_customer_user or row.user.is_vendor_staff):
        return None
    return row.user


def direct_tam(recipients: list[str]) -> User | None:
    """The TAM whose direct address (``help+tam-7@vendor.example``) the message was delivered or sent to; None
    for the support address itself, or a direct address of nobody who is a TAM now."""
    local, _, domain = portal_address().partition("@")
    if not domain:
        return None
    pattern = re.compile(rf"{re.escape(local)}\+tam-(\d{{1,9}})@{re.escape(domain)}")
    for address in recipients:
        if match := pattern.fullmatch(address):
            tam = User.objects.filter(pk=int(match[1]), is_active=True).first()
            if tam is not None and tam.is_tam_level:
                return tam
    return None


def threaded_case(parsed: ParsedMail) -> Case | None:
    """The case the message answers: named in its References or In-Reply-To (the thread name the portal's mail
    carries; the Message-ID of one of its notifications; a message that opened or joined a case), else by a
    case tag in its subject. Nothing here says the sender may post into it."""
    ids = [message_id for message_id in parsed.thread_ids if len(message_id) <= 998]
    case_id = _case_in_thread(ids) if ids else None
    if case_id is None and (tag := SUBJECT_TAG.search(parsed.subject)):
        case_id = int(tag[1] or tag[2])
    return Case.objects.select_related("account", "contact").filter(pk=case_id).first() if case_id else None


def _case_in_thread(ids: list[str]) -> int | None:
    for message_id in ids:
        if (thread := thread_of(message_id)) and thread[0] == "case":
            return thread[1]
    sent = dict(OutboxMessage.objects.filter(message_id__in=ids).values_list("message_id", "headers"))
    received = dict(
        InboundMail.objects.filter(message_id__in=ids, case__isnull=False).values_list("message_id", "case_id")
    )
    for message_id in ids:
        thread = thread_of((sent.get(message_id) or {}).get("References", ""))
        if thread and thread[0] == "case":
            return thread[1]
        if message_id in received:
            return received[message_id]
    return None


def without_case_tags(subject: str) -> str:
    """The subject without case tags: a new case gets its own."""
    return " ".join(SUBJECT_TAG.sub(" ", subject).split())
