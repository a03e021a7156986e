"""The polled mailbox, against a real IMAP server (Dovecot, started by the test run): the corpus through the
second way in, each message moved to the processed folder once filed, exactly once with two workers polling at
once or a worker killed mid-message, and a message over the size limit refused without being fetched."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from cases.models import Case, CaseEntry
from core.models import OutboxMessage
from intake.mailbox import mailbox_address, mailbox_poll
from intake.models import InboundMail, MailOutcome
from intake.tasks import poll_mailbox
from tests.races import at_once

from .conftest import corpus_bytes, corpus_entries, in_folder, needs_corpus, readdress, written

PROCESSED = "Processed"


@needs_corpus
@pytest.mark.django_db
def test_the_corpus_through_the_mailbox(mailbox, alice):
    entries = corpus_entries()
    for entry in entries:
        person = entry["class"] == "message"
        mailbox.append(readdress(corpus_bytes(entry["file"]), sender=alice.email, person=person), "INBOX")

    report = poll_mailbox()

    counts = {kind: sum(1 for e in entries if e["class"] == kind) for kind in ("message", "auto", "unreadable")}
    assert report == {"filed": counts["message"] + counts["auto"], "duplicates": 0, "refused": 1, "stopped": ""}
    filed = InboundMail.objects.filter(outcome__in=[MailOutcome.CASE, MailOutcome.ENTRY])
    assert filed.count() == counts["message"]
    assert Case.objects.filter(account=alice.account, contact=alice).count() == counts["message"]
    assert InboundMail.objects.filter(outcome=MailOutcome.AUTOMATIC).count() == counts["auto"]
    assert not OutboxMessage.objects.exists()
    assert in_folder(mailbox, "INBOX") == 0
    assert in_folder(mailbox, PROCESSED) == len(entries)


@pytest.mark.django_db
def test_a_message_is_moved_once_filed_and_a_second_poll_files_nothing(mailbox, alice):
    mailbox.append(written(sender=alice.email), "INBOX")
    assert mailbox_poll().filed == 1
    assert mailbox_poll().filed == 0
    assert Case.objects.count() == 1 and in_folder(mailbox, PROCESSED) == 1


@pytest.mark.django_db
def test_a_message_over_the_size_limit_is_refused_without_being_fetched(mailbox, alice, settings, monkeypatch):
    settings.INBOUND_EMAIL_MAX_BYTES = 50_000
    mailbox.append(written(sender=alice.email, body="x" * 60_000), "INBOX")
    fetched = []
    monkeypatch.setattr("intake.mailbox._fetch", lambda box, uid: fetched.append(uid))
    report = mailbox_poll()
    assert (report.refused, report.filed, fetched) == (1, 0, [])
    assert not InboundMail.objects.exists() and in_folder(mailbox, PROCESSED) == 1


@pytest.mark.django_db
def test_with_the_database_away_the_poll_stops_and_leaves_the_message(mailbox, alice, monkeypatch):
    from django.db import OperationalError

    mailbox.append(written(sender=alice.email), "INBOX")

    def database_away(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("intake.services._claim", database_away)
    report = mailbox_poll()
    assert report.filed == 0 and "unavailable" in report.stopped
    assert in_folder(mailbox, "INBOX") == 1


def test_the_mailbox_address_reads_percent_encoded_credentials():
    address = mailbox_address("imaps://support%40vendor.example:p%40ss%2Fword@imap.vendor.example/Support%20In")
    assert (address.secure, address.port, address.user, address.password, address.folder) == (
        True,
        993,
        "support@vendor.example",
        "p@ss/word",
        "Support In",
    )
    with pytest.raises(ValueError):
        mailbox_address("pop3://user@host/")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_polling_at_once_file_each_message_once(mailbox, alice):
    for number in range(8):
        mailbox.append(written(sender=alice.email, subject=f"Problem {number}"), "INBOX")

    outcomes = at_once(2, lambda n: mailbox_poll())

    assert not outcomes.errors
    assert sum(report.filed for report in outcomes.results) == 8
    assert Case.objects.count() == 8 and InboundMail.objects.count() == 8
    assert in_folder(mailbox, "INBOX") == 0 and in_folder(mailbox, PROCESSED) == 8


DYING_WORKER = """
import os, sys, time
import django
django.setup()
import intake.services, intake.mailbox
mode, marker = sys.argv[1], sys.argv[2]
if mode == "while-filing":
    route = intake.services._route
    def route_then_hang(*args, **kwargs):
        result = route(*args, **kwargs)
        open(marker, "w").close()
        time.sleep(120)  # killed here, inside the transaction that files the message
        return result
    intake.services._route = route_then_hang
else:
    def die_before_moving(*args, **kwargs):
        open(marker, "w").close()
        os._exit(1)  # killed after the filing committed, before the message is moved
    intake.mailbox._move = die_before_moving
intake.mailbox.mailbox_poll(sys.argv[3])
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("dies", ["while-filing", "before-moving"])
def test_a_worker_killed_mid_message_leaves_it_to_the_next_poll_filed_once(dies, mailbox, alice, tmp_path, dovecot):
    mailbox.append(written(sender=alice.email), "INBOX")
    marker = tmp_path / "reached"
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ess_portal.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "INBOUND_EMAIL_ADDRESS": settings.INBOUND_EMAIL_ADDRESS,
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", DYING_WORKER, dies, str(marker), dovecot.url],
        env=environment,
        cwd=settings.BASE_DIR,
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the worker never reached the point where it dies"
    if worker.poll() is None:
        worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert Case.objects.count() == (0 if dies == "while-filing" else 1)
    assert in_folder(mailbox, "INBOX") == 1

    report = mailbox_poll()

    assert (report.filed, report.duplicates) == ((1, 0) if dies == "while-filing" else (0, 1))
    assert Case.objects.count() == 1 and CaseEntry.objects.count() == 1 and InboundMail.objects.count() == 1
    assert in_folder(mailbox, "INBOX") == 0 and in_folder(mailbox, PROCESSED) == 1
