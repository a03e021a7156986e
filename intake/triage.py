"""The triage list: what came in and could not be filed on an account by itself. Support staff assign an item to
the account it belongs to (a case opens there on the customer's behalf) or discard it. Channel-neutral: an item
keeps its channel, and its channel's own record (the mail) keeps the original."""

import datetime as dt

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User
from cases.models import Case, Severity
from cases.services import case_open
from core.errors import DomainError
from core.permissions import require

from .filing import NO_TEXT, ORIGINAL_NAME, mail_files, tam_clock
from .models import InboundMail, MailOutcome, TriageItem, TriageStatus
from .parsing import parse, spool
from .states import TRIAGE_STATES

STAFF_ONLY = "Only vendor staff sort the triage list."


def may_triage(user: User, item: TriageItem | None = None) -> bool:
    """Vendor staff read and sort the triage list; nobody else sees it (an item proves nothing about an account)."""
    return bool(user is not None and user.is_authenticated and user.is_vendor_staff)


def require_may_triage(user: User, item: TriageItem | None = None) -> None:
    require(may_triage(user, item), STAFF_ONLY)


def _decided(item: TriageItem, status: TriageStatus) -> TriageItem:
    """The item, locked, moved to ``status`` (saved by the caller); a decided item is refused."""
    item = TriageItem.objects.select_for_update(of=("self",)).select_related("mail", "mail__tam").get(pk=item.pk)
    TRIAGE_STATES.move(item, status)
    return item


def triage_assign(
    *,
    actor: User,
    item: TriageItem,
    account: Account | None,
    severity: int | None = None,
    at: dt.datetime | None = None,
) -> Case:
    """File a waiting item on the account staff chose: a case opens there on the customer's behalf, by the item's
    channel, with the sender as its contact when they are a user of that account, and with the original
    message's files. The case's clocks start now (until someone knew whose it was, nobody could answer it); mail
    that was sent to a TAM's direct address runs the TAM-reply clock from its arrival, as it would have."""
    require_may_triage(actor, item)
    if account is None:
        raise DomainError("Choose the account it belongs to.", field="account")
    with transaction.atomic():
        item = _decided(item, TriageStatus.ASSIGNED)
        contact = None
        if item.sender:
            contact = User.objects.filter(account=account, email__iexact=item.sender, is_active=True).first()
        case = case_open(
            actor=actor,
            account=account,
            contact=contact,
            subject=item.summary,
            description=item.body or NO_TEXT,
            channel=item.channel,
            severity=Severity.MEDIUM if severity is None else severity,
            attachments=_files(item.mail),
            at=at,
        )
        item.account, item.case = account, case
        item.decided_by, item.decided_at = actor, at or timezone.now()
        item.save(update_fields=["status", "account", "case", "decided_by", "decided_at"])
        if item.mail is not None:
            mail = item.mail
            mail.outcome, mail.case = MailOutcome.CASE, case
            mail.reason = f"Assigned from triage by {actor.display_name}: {case.reference}."[:300]
            mail.save(update_fields=["outcome", "case", "reason"])
            if mail.tam_id is not None:
                tam_clock(case=case, mail=mail)
    return case


def triage_discard(*, actor: User, item: TriageItem, note: str = "") -> TriageItem:
    """Discard a waiting item (spam, a message for nobody here). It stays listed as discarded, with who did it."""
    require_may_triage(actor, item)
    with transaction.atomic():
        item = _decided(item, TriageStatus.DISCARDED)
        item.note = note.strip()[:300]
        item.decided_by, item.decided_at = actor, timezone.now()
        item.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return item


def _files(mail: InboundMail | None) -> list:
    """The original message's files, and the original itself, read again from storage."""
    if mail is None or not mail.original:
        return []
    with mail.original.open("rb") as stream:
        spooled = spool(stream, max(mail.size, 1) * 2)
    parsed = parse(spooled)
    spooled.file.seek(0)
    files, _ = mail_files(parsed, original=File(spooled.file, name=ORIGINAL_NAME))
    return files  # the spool file is closed once the case has stored them (garbage collected)
