"""P10: mail in. The people's messages of the real-world corpus (``../shared/email-corpus``, read in place), sent
again and again by the busiest account's customer: the first half of the run each opens a case, the second half each
answers one of those cases by its thread (In-Reply-To). Each goes through ``mail_ingest``, the service behind
``manage.py ingest_email`` and the mailbox poller, with everything it does: spooling, parsing, the reply folded away,
routing, the case or entry, attachments and the original kept, notifications queued. The baseline adds the same
entries through the API with a write token (the same subject and text: a case opened, a reply posted), in the same
process through the same middleware. Then memory: the peak while one 30 MB message is refused, and while it is taken
in under a limit raised for it.

Everything is written inside transactions rolled back and files go to a temporary folder, so the benchmark
database stays as seeded."""

import email
import email.policy
import io
import json
import os
import secrets
import tempfile
import time
import tracemalloc
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from accounts.models import User
from bench.names import BUSIEST_CUSTOMER
from intake.parsing import parse, spool
from intake.services import mail_ingest
from integrations.tokens import token_create

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "email-corpus"
SUPPORT = "help@bench.example"
MB = 1024 * 1024
# What a re-sent message must not carry over from its first delivery: its addresses, its identity, its thread and
# the signatures a new From makes false.
DROPPED = (
    "From", "To", "Cc", "Reply-To", "Sender", "Return-Path", "Delivered-To", "X-Original-To", "Envelope-To",
    "Message-ID", "In-Reply-To", "References", "DKIM-Signature", "ARC-Seal", "ARC-Message-Signature",
    "ARC-Authentication-Results", "Authentication-Results", "DomainKey-Signature",
)  # fmt: skip


def _people_mail() -> tuple[list[bytes], str]:
    """The corpus's messages written by people (its manifest's class "message"), and where they came from. Without
    the corpus beside the project, a few messages written here stand in, and the row says so."""
    manifest = CORPUS / "manifest.json"
    if manifest.exists():
        entries = json.loads(manifest.read_text())["messages"]
        chosen = [entry["file"] for entry in entries if entry["class"] == "message"]
        return [(CORPUS / "messages" / name).read_bytes() for name in chosen], f"{len(chosen)} real-world messages"
    written = []
    for n in range(10):
        message = EmailMessage()
        message["Subject"] = f"The nightly export stopped ({n})"
        message.set_content("Since the upgrade the nightly export stops half way.\n\n> earlier mail\n" * (n + 1))
        written.append(message.as_bytes())
    return written, "10 messages written by the benchmark (the corpus is not beside the project)"


def _sent_again(raw: bytes, *, sender: str, answers: str | None) -> tuple[bytes, str]:
    """``raw`` as ``sender`` would send it to the support address now: new addresses and a new Message-ID, and when
    it ``answers`` a message, the thread fields that say so. Its subject, parts and bytes otherwise as they were."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    for name in DROPPED:
        del message[name]
    message_id = make_msgid(domain="client.bench.example")
    message["From"] = sender
    message["To"] = SUPPORT
    message["Message-ID"] = message_id
    if answers:
        message["In-Reply-To"] = answers
        message["References"] = answers
    return message.as_bytes(), message_id


def _plan(count: int, sender: str) -> tuple[list[bytes], list[int], str]:
    """``count`` messages: the first half open cases, each of the second half answers one of them (its index in
    ``answers``, else -1)."""
    originals, source = _people_mail()
    opening = count - count // 2
    messages, ids, answers = [], [], []
    for n in range(count):
        answered = n - opening if n >= opening else -1
        raw, message_id = _sent_again(
            originals[n % len(originals)], sender=sender, answers=ids[answered] if answered >= 0 else None
        )
        messages.append(raw)
        ids.append(message_id)
        answers.append(answered)
    return messages, answers, source


def _texts(messages: list[bytes]) -> list[tuple[str, str]]:
    """(subject, text) of each message as the ingest reads them: what the API is given for the same entry."""
    texts = []
    for raw in messages:
        spooled = spool(io.BytesIO(raw), len(raw) + 1)
        with spooled.file:
            parsed = parse(spooled)
        texts.append((parsed.subject[:200] or "(no subject)", (parsed.text or "(no text)")[:20000]))
    return texts


def _by_mail(messages: list[bytes]) -> tuple[float, dict]:
    outcomes: dict[str, int] = {}
    began = time.perf_counter()
    for raw in messages:
        result = mail_ingest(raw)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    return time.perf_counter() - began, outcomes


def _by_api(texts: list[tuple[str, str]], answers: list[int], token: str) -> tuple[float, dict]:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    opened: list[int] = []
    statuses: dict[str, int] = {}
    began = time.perf_counter()
    for (subject, text), answered in zip(texts, answers, strict=True):
        if answered < 0:
            response = client.post("/api/v1/cases/", {"subject": subject, "description": text}, "application/json")
            if response.status_code == 201:
                opened.append(response.json()["id"])
        else:
            response = client.post(f"/api/v1/cases/{opened[answered]}/reply/", {"body": text}, "application/json")
        if response.status_code != 201:  # the baseline must do the same work, or the ratio says nothing
            raise SystemExit(f"P10: the API answered {response.status_code}: {response.content[:500]!r}")
        statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
    return time.perf_counter() - began, statuses


def _peak(call) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _large(sender: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = "The full log of last night's failure"
    message["Message-ID"] = make_msgid(domain="client.bench.example")
    message.set_content("The log is attached.")
    message.add_attachment(os.urandom(30 * MB * 3 // 4), maintype="application", subtype="zip", filename="log.zip")
    return message.as_bytes()


def _memory(sender: str) -> dict:
    raw = _large(sender)
    refused, refused_peak = _peak(lambda: mail_ingest(io.BytesIO(raw)))
    with override_settings(INBOUND_EMAIL_MAX_BYTES=len(raw) + MB):
        taken, taken_peak = _peak(lambda: mail_ingest(io.BytesIO(raw)))
    return {
        "large_bytes": len(raw),
        "refused": refused.outcome,
        "refused_peak_bytes": refused_peak,
        "taken": taken.outcome,
        "taken_peak_bytes": taken_peak,
    }


def _measured(customer: User, messages: list[bytes], texts: list[tuple[str, str]], answers: list[int]) -> tuple:
    count = len(messages)
    with transaction.atomic():
        # Mail counts from a proved address only; the seed has none.
        EmailAddress.objects.update_or_create(
            user=customer, email=customer.email, defaults={"verified": True, "primary": True}
        )
        _, token = token_create(
            actor=None, user=customer, name=f"Benchmark {secrets.token_hex(4)}", scopes=["read", "write"], days=1
        )
        with transaction.atomic():  # a warm-up of both, not timed
            warm = min(20, count)
            _by_mail([_sent_again(raw, sender=customer.email, answers=None)[0] for raw in messages[:warm]])
            _by_api(texts[:warm], [-1] * warm, token)
            transaction.set_rollback(True)
        with transaction.atomic():
            mail_seconds, outcomes = _by_mail(messages)
            transaction.set_rollback(True)
        with transaction.atomic():
            api_seconds, statuses = _by_api(texts, answers, token)
            transaction.set_rollback(True)
        with transaction.atomic():
            memory = _memory(customer.email)
            transaction.set_rollback(True)
        transaction.set_rollback(True)
    return mail_seconds, outcomes, api_seconds, statuses, memory


def p10_mail_in(count: int) -> dict:
    """Per message: ``mail_ingest`` vs the API, the outcomes of each, and the memory peaks."""
    customer = User.objects.get(email=BUSIEST_CUSTOMER)
    messages, answers, source = _plan(count, customer.email)
    texts = _texts(messages)
    settings_here = {"INBOUND_EMAIL_ADDRESS": SUPPORT}
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media, **settings_here):
        mail_seconds, outcomes, api_seconds, statuses, memory = _measured(customer, messages, texts, answers)
    return {
        "messages": count,
        "source": source,
        "largest_message_bytes": max(len(raw) for raw in messages),
        "mail_ms_per_message": mail_seconds * 1000 / count,
        "api_ms_per_message": api_seconds * 1000 / count,
        "outcomes": outcomes,
        "api_statuses": statuses,
        **memory,
    }
