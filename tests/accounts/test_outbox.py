"""The outbox: mail is stored with the change, and with the mail server down it waits and goes out once,
when the server is back (a real local SMTP server: first refusing, then accepting)."""

import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from django.db import transaction

from accounts.models import OutboxMessage
from accounts.outbox import outbox_add, outbox_deliver
from tests.figures import record


class Recorder(Sink):
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.rcpt_tos, envelope.content.decode(errors="replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    yield controller, recorder
    if getattr(controller, "_thread", None) is not None:  # started by the test
        controller.stop()


def test_nothing_is_stored_when_the_change_rolls_back(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_add(to="a@example.com", subject="never", body="x")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


def test_mail_waits_while_the_server_is_down_and_goes_out_once_when_it_is_back(smtp, db):
    controller, recorder = smtp
    first = outbox_add(
        to="alice@acme.example",
        subject="Confirmed",
        body="See you then",
        attachments=[("a.ics", b"BEGIN:VCALENDAR", "text/calendar")],
    )
    outbox_add(to="bob@globex.example", subject="Reply", body="On it")
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)

    assert outbox_deliver(now=now) == (0, 2)  # nothing listens on the port: refused
    first.refresh_from_db()
    assert (first.attempts, first.sent_at) == (1, None)
    assert first.next_attempt_at == now + dt.timedelta(minutes=1)
    assert "refused" in first.last_error.lower() or "error" in first.last_error.lower()
    assert outbox_deliver(now=now + dt.timedelta(seconds=30)) == (0, 0)  # backing off

    controller.start()
    assert outbox_deliver(now=now + dt.timedelta(minutes=2)) == (2, 0)
    assert outbox_deliver(now=now + dt.timedelta(minutes=10)) == (0, 0)  # never twice
    assert sorted(rcpt[0] for rcpt, _ in recorder.received) == ["alice@acme.example", "bob@globex.example"]
    assert any("BEGIN:VCALENDAR" in content or "QkVHSU46VkNBTEVOREFS" in content for _, content in recorder.received)
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0
    record(
        "outbox-smtp",
        f"outbox: mail server refused, then accepted: {len(recorder.received)} of 2 messages "
        "delivered once each, 0 lost, 0 sent twice",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliverers_at_once_send_each_message_once(settings):
    import threading

    from django.core import mail
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for n in range(40):
        OutboxMessage.objects.create(to=f"user{n}@example.com", subject=f"m{n}", body="x")
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait(timeout=10)
            while outbox_deliver(batch=5)[0]:
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.subject for m in mail.outbox) == sorted(f"m{n}" for n in range(40))
    record("outbox-concurrent", f"outbox: 2 deliverers at once: {len(mail.outbox)} of 40 messages sent, each once")
