"""Reading one RFC 822 message into what the portal needs: who sent it, to whom, what it answers, whether a
machine sent it, its text and its files. Pure Python (no Django): the message is spooled to a temporary file
as it is read, refused once it passes the size limit, and parsed from that file.

Text is decoded whatever the charset says (or fails to say): the declared charset, else UTF-8, else Windows-1252,
never an exception. HTML becomes plain text (``html_text``); nothing of it is kept as markup.
"""

import binascii
import email.utils
import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from typing import BinaryIO

from .html_text import html_to_text

CHUNK = 64 * 1024
IN_MEMORY = 1024 * 1024  # a larger message goes to disk as it is read
PROBE = 8 * 1024  # the start of a message, where bytes no mail carries mean it is not one
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")  # C0 controls but tab, line ends and ESC (ISO-2022-JP)
_HEADER_LINE = re.compile(rb"^(From |[\x21-\x39\x3b-\x7e]+[ \t]*:)")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_WHITESPACE = re.compile(r"\s+")
_DMARC = re.compile(r"\bdmarc=([a-z]+)", re.IGNORECASE)
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "auto_reply"}
MAILER_DAEMON = "mailer-daemon"


class Unreadable(Exception):
    """Not an RFC 822 message (a binary file, an empty input)."""


class TooLarge(Exception):
    """Over the size limit; nothing of it was kept."""


@dataclass
class Spooled:
    file: BinaryIO
    size: int
    sha256: str


@dataclass
class MailFile:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    sender: str = ""
    sender_name: str = ""
    recipients: list[str] = field(default_factory=list)
    automatic: str = ""  # why a machine sent it; "" for a person's mail
    text: str = ""
    files: list[MailFile] = field(default_factory=list)
    dmarc: str = ""

    @property
    def thread_ids(self) -> list[str]:
        """The messages it answers, nearest first."""
        return [*self.in_reply_to, *reversed(self.references)]


def spool(stream: BinaryIO, limit: int) -> Spooled:
    """Copy ``stream`` to a temporary file (in memory while small), hashing it. Past ``limit`` bytes the rest is
    read and dropped (a mail server's pipe wants its input taken) and ``TooLarge`` is raised."""
    spooled = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 (the caller closes it)
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            spooled.close()
            while stream.read(CHUNK):
                pass
            raise TooLarge(f"the message is larger than {limit} bytes")
        digest.update(chunk)
        spooled.write(chunk)
    spooled.seek(0)
    return Spooled(file=spooled, size=size, sha256=digest.hexdigest())


def check_readable(spooled: Spooled) -> None:
    """An RFC 822 message starts with a header line (or an mbox ``From`` line) and carries text: bytes no mail
    has (NUL, most control characters) near its start mean a binary file, such as an Outlook .msg."""
    head = spooled.file.read(PROBE)
    spooled.file.seek(0)
    if not head.strip():
        raise Unreadable("the input is empty")
    if not _HEADER_LINE.match(head.lstrip(b"\r\n")):
        raise Unreadable("the input does not start with a mail header")
    if _BINARY.search(head):
        raise Unreadable("the input holds binary data, not a mail message")


def parse(spooled: Spooled) -> ParsedMail:
    """Read the spooled message. Header values are decoded (RFC 2047, RFC 6532); one that cannot be read is
    taken as empty rather than failing the message."""
    message = BytesParser(policy=policy.default).parse(spooled.file)
    spooled.file.seek(0)
    sender_name, sender = email.utils.parseaddr(header(message, "From"))
    parsed = ParsedMail(
        message_id=_first_id(header(message, "Message-ID")),
        in_reply_to=_MESSAGE_ID.findall(header(message, "In-Reply-To")),
        references=_MESSAGE_ID.findall(header(message, "References")),
        subject=" ".join(header(message, "Subject").split()),
        sender=sender.strip().lower() if "@" in sender else "",
        sender_name=" ".join(sender_name.split()),
        recipients=_recipients(message),
        automatic=automatic_reason(message),
        dmarc=_dmarc(message),
    )
    texts: list[str] = []
    _collect(message, texts, parsed.files)
    parsed.text = "\n\n".join(text.strip("\n") for text in texts if text.strip())
    return parsed


def header(message: EmailMessage, name: str) -> str:
    """A header's decoded value, "" when it is missing or beyond repair."""
    try:
        value = message.get(name)
    except Exception:  # a malformed header is as good as none
        return ""
    return "" if value is None else header_text(value)


def header_text(value) -> str:
    try:
        return str(value)
    except Exception:  # a value the header classes cannot render is as good as none
        return ""


def _first_id(value: str) -> str:
    found = _MESSAGE_ID.findall(value)
    return found[0] if found else value.strip()[:300]


def _recipients(message: EmailMessage) -> list[str]:
    """Envelope fields the delivering server adds first (the address the mail was delivered to), then To and
    Cc: a TAM's direct address may be in any."""
    values = [header_text(raw) for name in ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
              for raw in message.get_all(name, [])]  # fmt: skip
    return [address.lower() for _, address in email.utils.getaddresses(values) if "@" in address]


def automatic_reason(message: EmailMessage) -> str:
    """Why a machine sent it (RFC 3834 and the markers auto-responders and bounces use), "" for a person's mail."""
    auto_submitted = header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = header(message, "Precedence").strip().lower()
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Failed-Recipients"):
        if message.get(name) is not None:
            return f"{name} header"
    if message.get_content_type() == "multipart/report":
        return "a delivery or disposition report (multipart/report)"
    return_paths = message.get_all("Return-Path", [])
    if return_paths:
        path = email.utils.parseaddr(str(return_paths[0]))[1].strip().lower()
        if not path or path.split("@")[0] == MAILER_DAEMON:
            return "the null sender (an empty Return-Path)" if not path else "Return-Path: MAILER-DAEMON"
    if email.utils.parseaddr(header(message, "From"))[1].split("@")[0].lower() == MAILER_DAEMON:
        return "From: MAILER-DAEMON"
    return ""


def _dmarc(message: EmailMessage) -> str:
    match = _DMARC.search(header(message, "Authentication-Results"))
    return match[1].lower() if match else ""


# --- Text and files -----------------------------------------------------------------------------------------


# A charset as labelled, read by the codec that is its superset: mail programs label GBK text gb2312, Windows text
# iso-8859-1, and so on.
SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "shift_jis": "cp932",
    "iso-8859-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8", "iso-2022-jp": "iso2022_jp_ext",
}  # fmt: skip


def decode_text(payload: bytes, charset: str | None) -> str:
    """Bytes as text by the declared charset (or its superset), else UTF-8, else the declared charset with
    replacement characters, else Windows-1252. An unknown name (x-mac-cyrillic) is also tried without its x-.
    Never raises."""
    declared = [name for name in (charset, (charset or "").removeprefix("x-")) if name]
    names = [SUPERSETS.get(name.lower(), name) for name in declared]
    for name in [*names, "utf-8"]:
        try:
            return payload.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    for name in names:
        try:
            return payload.decode(name, errors="replace")
        except LookupError:
            continue
    return payload.decode("cp1252", errors="replace")


def _part_text(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True) or b""
    text = decode_text(payload, part.get_content_charset())
    return html_to_text(text) if part.get_content_type() == "text/html" else text.replace("\r\n", "\n")


def _is_file(part: EmailMessage) -> bool:
    disposition = part.get_content_disposition()
    if disposition == "attachment":
        return True
    return part.get_content_type() not in ("text/plain", "text/html")


def _collect(part: EmailMessage, texts: list[str] | None, files: list[MailFile]) -> None:
    """Walk the message: the text a person reads (one version of each alternative, forwarded messages included)
    into ``texts``, everything else into ``files``. ``texts`` None: files only (another version's images)."""
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        _forwarded(part, texts, files)
    elif part.is_multipart():
        subparts = list(part.iter_parts())
        if content_type == "multipart/alternative" and subparts:
            best = _best_alternative(subparts)
            for subpart in subparts:  # files inside the other versions (inline images of the HTML) are kept
                _collect(subpart, texts if subpart is best else None, files)
        else:
            for subpart in subparts:
                _collect(subpart, texts, files)
    elif part.get_content_maintype() == "multipart":
        _collect(_repaired(part), texts, files)
    elif not _is_file(part):
        if texts is not None:
            texts.append(_part_text(part))
    elif (data := _content(part)) and (texts is not None or part.get_content_maintype() != "text"):
        files.append(MailFile(name=_file_name(part, len(files) + 1), content_type=content_type, data=data))


def _content(part: EmailMessage) -> bytes:
    """A file's bytes. Base64 is decoded a block at a time: the library's decoder copies the whole payload twice
    more first, which for a large attachment is most of the memory a message takes."""
    payload = part.get_payload()
    if header(part, "Content-Transfer-Encoding").strip().lower() != "base64" or not isinstance(payload, str):
        return part.get_payload(decode=True) or b""
    content, rest = bytearray(), ""
    try:
        for start in range(0, len(payload), CHUNK):
            block = rest + _WHITESPACE.sub("", payload[start : start + CHUNK])
            whole = len(block) - len(block) % 4
            content += binascii.a2b_base64(block[:whole])
            rest = block[whole:]
        if rest.strip("="):
            content += binascii.a2b_base64(rest + "=" * (-len(rest) % 4))
    except binascii.Error:  # not clean base64: the library's lenient decoder makes what it can of it
        return part.get_payload(decode=True) or b""
    return bytes(content)


def _repaired(part: EmailMessage) -> EmailMessage:
    """A multipart whose declared boundary never comes: its body read again as one part, its first boundary-like
    line dropped, so its text is not lost."""
    body = str(part.get_payload())
    lines = body.lstrip("\r\n").split("\n")
    if lines and lines[0].startswith("--"):
        lines = lines[1:]
    inner = Parser(policy=policy.default).parsestr("\n".join(lines))
    if inner.get_content_maintype() == "multipart" and not inner.is_multipart():
        inner = Parser(policy=policy.default).parsestr("Content-Type: text/plain\n\n" + body)
    return inner


def _best_alternative(subparts: list[EmailMessage]) -> EmailMessage:
    """Plain text first, then HTML, then whatever comes last (the richest, by RFC 2046)."""
    for wanted in ("text/plain", "text/html"):
        for subpart in subparts:
            if subpart.get_content_type() == wanted and subpart.get_content_disposition() != "attachment":
                return subpart
        for subpart in subparts:
            if subpart.is_multipart() and any(p.get_content_type() == wanted for p in subpart.walk()):
                return subpart
    return subparts[-1]


def _forwarded(part: EmailMessage, texts: list[str] | None, files: list[MailFile]) -> None:
    """A message forwarded as an attachment: its text is shown after a short header, and it is kept as a file.
    (One sent base64-encoded, against RFC 2046, is decoded first.)"""
    inner = part.get_payload(0) if part.is_multipart() else None
    encoding = header(part, "Content-Transfer-Encoding").strip().lower()
    if inner is None or encoding in ("base64", "quoted-printable"):
        carrier = EmailMessage(policy=policy.default)
        carrier["Content-Transfer-Encoding"] = encoding or "7bit"
        carrier.set_payload(inner.get_payload() if inner is not None else part.get_payload())
        inner = BytesParser(policy=policy.default).parsebytes(carrier.get_payload(decode=True) or b"")
    if texts is not None:
        lines = [f"{name}: {header(inner, name)}" for name in ("From", "Date", "Subject") if header(inner, name)]
        inner_texts: list[str] = []
        _collect(inner, inner_texts, [])
        forwarded = "\n\n".join(inner_texts)
        texts.append("---------- Forwarded message ----------\n" + "\n".join(lines) + "\n\n" + forwarded)
    name = _file_name(part, 0, default="")
    if not name.lower().endswith(".eml"):
        name = (_safe_name(header(inner, "Subject"))[:90] or "forwarded message") + ".eml"
    try:
        data = inner.as_bytes(policy=policy.default.clone(max_line_length=0))
    except Exception:  # a message the generator cannot write again is not kept as a file; its text is shown
        return
    files.append(MailFile(name=name, content_type="message/rfc822", data=data))


def _file_name(part: EmailMessage, number: int, default: str | None = None) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = _safe_name(name)
    if not name and default is not None:
        return default
    if not name:
        extension = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "text/calendar": ".ics"}
        name = f"part-{number}{extension.get(part.get_content_type(), '.bin')}"
    return name


def _safe_name(name: str) -> str:
    """A file name without a path, control characters or surrounding white space."""
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    return " ".join(name.split()).strip(". ")[:200]
