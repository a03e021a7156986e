"""Mail in: the real-world corpus (read in place from ``../shared/email-corpus``, re-addressed in memory as its
SOURCES.md says), messages the tests write themselves, and the helpers that feed them through the pipe command
and the service."""

import io
import json
import re
import shutil
import tempfile
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "email-corpus"
SUPPORT = "help@ess.example"
# Fields the re-addressing replaces or drops: the delivery fields, and the signatures the new From makes false.
DROPPED = {
    "to", "cc", "delivered-to", "x-original-to", "envelope-to", "dkim-signature", "arc-seal",
    "arc-message-signature", "arc-authentication-results", "authentication-results", "domainkey-signature",
}  # fmt: skip


def corpus_entries() -> list[dict]:
    manifest = CORPUS / "manifest.json"
    if not manifest.exists():
        return []
    return json.loads(manifest.read_text())["messages"]


def corpus_bytes(name: str) -> bytes:
    return (CORPUS / "messages" / name).read_bytes()


needs_corpus = pytest.mark.skipif(
    not (CORPUS / "manifest.json").exists(), reason=f"the e-mail corpus is not at {CORPUS} (a checkout of shared/)"
)


def readdress(raw: bytes, *, sender: str, to: str = SUPPORT, person: bool = True) -> bytes:
    """The message with the From of ``sender``, To ``to``, a Delivered-To for ``to`` and, for a person's mail, a
    Return-Path of ``sender``; every other byte kept. A machine's MAILER-DAEMON From (one of its markers) and its
    Return-Path stay as they are. A message without a header block gets one in front of its text."""
    newline = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    head, separator, body = _split(raw, newline)
    lines = _unfolded(head, newline)
    kept, from_line = [], None
    for line in lines:
        name = line.split(b":", 1)[0].strip().lower().decode("latin-1") if b":" in line else ""
        if name == "from":
            from_line = line
        elif name in DROPPED or (person and name == "return-path"):
            continue
        else:
            kept.append(line)
    mailer_daemon = from_line is not None and not person and re.search(rb"mailer-daemon", from_line, re.IGNORECASE)
    new = [from_line if mailer_daemon else f"From: {sender}".encode(), f"To: {to}".encode()]
    new.append(f"Delivered-To: {to}".encode())
    if person:
        new.insert(0, f"Return-Path: <{sender}>".encode())
    mbox = [line for line in kept if line.startswith(b"From ")]
    kept = [line for line in kept if not line.startswith(b"From ")]
    return newline.join([*mbox, *new, *kept]) + (separator or newline) + body


def _split(raw: bytes, newline: bytes) -> tuple[bytes, bytes, bytes]:
    """(header block, the blank line, body). A message that starts with its text has an empty header block."""
    first_line = raw.split(newline, 1)[0]
    if not re.match(rb"^(From |[\x21-\x39\x3b-\x7e]+[ \t]*:)", first_line):
        return b"", newline, raw
    head, separator, body = raw.partition(newline + newline)
    return head, newline + newline if separator else b"", body


def _unfolded(head: bytes, newline: bytes) -> list[bytes]:
    lines: list[bytes] = []
    for line in head.split(newline) if head else []:
        if lines and line[:1] in (b" ", b"\t"):
            lines[-1] += newline + line
        else:
            lines.append(line)
    return lines


def written(
    *,
    sender: str,
    to: str = SUPPORT,
    subject: str = "The report screen is slow",
    body: str = "Since this morning the report screen takes a minute to open.",
    message_id: str | None = None,
    headers: dict | None = None,
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> bytes:
    """A message the tests write themselves."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="mail.test")
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None and not body:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    for name, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


class _Stdin:
    def __init__(self, raw: bytes):
        self.buffer = io.BytesIO(raw)


def pipe(raw: bytes, monkeypatch) -> tuple[int, str]:
    """Run ``manage.py ingest_email`` with ``raw`` on its standard input: (exit status, what it printed)."""
    out = io.StringIO()
    monkeypatch.setattr("sys.stdin", _Stdin(raw))
    try:
        call_command("ingest_email", stdout=out)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.fixture(autouse=True)
def _support_address(settings, tmp_path):
    settings.INBOUND_EMAIL_ADDRESS = SUPPORT
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(scope="session")
def dovecot():
    """One Dovecot for the session (see dovecot.py), in a folder of its own under /tmp: pytest's temporary folders
    are closed to the dovecot user that keeps the mail."""
    from . import dovecot as harness

    missing = harness.ensure_installed()
    if missing:
        pytest.skip(missing)
    root = Path(tempfile.mkdtemp(prefix="ess-dovecot-"))
    server = harness.start(root)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot, settings):
    """The support mailbox on the test's Dovecot, empty, and the portal set to poll it. Yields an imap-tools
    MailBox to put messages in and look into."""
    from imap_tools import MailBoxUnencrypted

    from .dovecot import PASSWORD, USER

    settings.INBOUND_EMAIL_URL = dovecot.url
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login(USER, PASSWORD) as box:
        for folder in ("INBOX", settings.INBOUND_EMAIL_PROCESSED_FOLDER):
            if box.folder.exists(folder):
                box.folder.set(folder)
                if uids := box.uids():
                    box.delete(uids)
        box.folder.set("INBOX")
        yield box


def in_folder(box, folder: str) -> int:
    box.folder.set(folder)
    count = len(box.uids())
    box.folder.set("INBOX")
    return count
