"""The 60 real-world messages of the corpus through the mail server's pipe (``manage.py ingest_email``): each
person's message becomes exactly one case on the sender's account (its text and accepted files on the case page),
each machine's message neither case nor entry nor outgoing mail, the binary file exit 65 with nothing stored."""

import pytest
from django.urls import reverse

from cases.models import Attachment, Case, CaseEntry, Channel
from core.models import OutboxMessage
from intake.models import InboundMail, MailOutcome, TriageItem

from .conftest import corpus_bytes, corpus_entries, needs_corpus, pipe, readdress

pytestmark = [pytest.mark.django_db, needs_corpus]


@pytest.mark.parametrize("entry", corpus_entries(), ids=lambda entry: entry["file"][:3])
def test_each_corpus_message_becomes_what_its_class_says(entry, alice, client_for, monkeypatch):
    raw = readdress(corpus_bytes(entry["file"]), sender=alice.email, person=entry["class"] == "message")
    outbox_before = OutboxMessage.objects.count()

    code, said = pipe(raw, monkeypatch)

    if entry["class"] == "unreadable":
        assert code == 65, said
        assert not InboundMail.objects.exists() and not Case.objects.exists() and not TriageItem.objects.exists()
        return
    assert code == 0, said
    if entry["class"] == "auto":
        assert not Case.objects.exists() and not CaseEntry.objects.exists() and not TriageItem.objects.exists()
        assert OutboxMessage.objects.count() == outbox_before
        assert InboundMail.objects.get().outcome == MailOutcome.AUTOMATIC
        return
    case = Case.objects.get()
    assert (case.account, case.contact, case.channel) == (alice.account, alice, Channel.EMAIL)
    assert CaseEntry.objects.filter(case=case, public=True).count() == 1
    page = client_for(alice).get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    for text in entry.get("expect_text") or []:
        assert text in page.content.decode(), text
    names = set(Attachment.objects.filter(case=case).values_list("name", flat=True))
    assert set(entry.get("expect_attachments") or []) <= names
    assert "original message.eml" in names
    assert OutboxMessage.objects.count() == outbox_before  # a customer's new case by mail sends nothing


def test_the_same_corpus_message_twice_is_stored_once(alice, monkeypatch):
    raw = readdress(corpus_bytes("003-gmail-reply-quoted.eml"), sender=alice.email)
    assert pipe(raw, monkeypatch)[0] == 0
    assert pipe(raw, monkeypatch)[0] == 0
    assert Case.objects.count() == 1 and InboundMail.objects.count() == 1
