"""The pieces a message is filed with, shared by mail arriving and triage: its files as case attachments under
the same rules as an upload, its text as an entry holds it, and the TAM-reply clock of mail sent to a TAM."""

from django.core.files.base import ContentFile, File

from accounts.coverage import NoTamAvailable, acting_tam
from accounts.models import User
from cases import notifications
from cases.attachments import attachments_check
from cases.models import Case, ContactKind
from cases.services import contact_log
from core.errors import DomainError
from core.outbox import tam_address

from .models import InboundMail
from .parsing import ParsedMail

MAX_TEXT = 20000  # what a case entry holds
NO_TEXT = "(The message has no text.)"
NO_SUBJECT = "(no subject)"
ORIGINAL_NAME = "original message.eml"


def mail_files(parsed: ParsedMail, *, original: File | None = None) -> tuple[list[File], list[str]]:
    """The message's files (and the original message itself, when given) that the case rules accept, and the
    names of the message's files they refuse (a type or size an upload could not have either)."""
    uploads: list[File] = [ContentFile(item.data, name=item.name) for item in parsed.files]
    if original is not None:
        uploads.append(original)
    kept, refused = [], []
    for upload in uploads:
        try:
            attachments_check([upload])
        except DomainError:
            refused.append(upload.name)
        else:
            kept.append(upload)
    return kept, [name for name in refused if original is None or name != ORIGINAL_NAME]


def entry_text(text: str, refused: list[str] = ()) -> str:
    """The text as a case entry holds it: never empty, cut at the entry's length (the original keeps it all), and
    saying which files were not kept."""
    text = text.strip() or NO_TEXT
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 200].rstrip() + "\n\n[The message is longer; the original message has all of it.]"
    if refused:
        text += "\n\nNot kept as attachments (a type or size the portal does not take): " + ", ".join(refused)
    return text


def tam_clock(*, case: Case, mail: InboundMail) -> None:
    """Mail sent to a TAM's direct address: logged as an e-mail to the TAM, so the TAM-reply clock runs from its
    arrival (cases.services.contact_log), and the TAM acting for the account then is told (the TAM it was sent
    to when nobody acts for the account)."""
    addressed: User = mail.tam
    try:
        tam = acting_tam(case.account, mail.received_at)
    except NoTamAvailable:
        tam = addressed
    address = tam_address(addressed.pk)
    contact = contact_log(
        actor=addressed,
        case=case,
        kind=ContactKind.EMAIL,
        received_at=mail.received_at,
        tam=tam,
        notes=f"E-mail to {address}",
    )
    notifications.tam_message_received(contact, address)
