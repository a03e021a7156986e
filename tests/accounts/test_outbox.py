"""The outbox: mail is stored with the change, and with the mail server down it waits and goes out once,
when the server is back (a real local SMTP server: first refusing, then accepting). Each row keeps one
Message-ID, so a copy sent again after a worker died before the mark-sent is the same message; a row that
cannot be built is given up once, with its reason, and the rest of the batch goes out."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from core.models import OutboxMessage
from core.outbox import outbox_add, outbox_deliver
from tests.figures import record
from tests.races import at_once
from tests.smtp import smtp_server

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def smtp(settings):
    with smtp_server(settings) as server:
        yield server


def test_nothing_is_stored_when_the_change_rolls_back(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_add(to="a@example.com", subject="never", body="x")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


# Frozen for the whole test: the messages are stored (next attempt: now) on the clock delivery then reads.
@pytest.mark.time_machine(NOW, tick=False)
def test_mail_waits_while_the_server_is_down_and_goes_out_once_when_it_is_back(smtp, db):
    first = outbox_add(
        to="alice@acme.example",
        subject="Confirmed",
        body="See you then",
        attachments=[("a.ics", b"BEGIN:VCALENDAR", "text/calendar")],
    )
    outbox_add(to="bob@globex.example", subject="Reply", body="On it")

    assert outbox_deliver(now=NOW) == (0, 2)  # nothing listens on the port: refused
    first.refresh_from_db()
    assert (first.attempts, first.sent_at, first.failed_at, first.state) == (1, None, None, "waiting")
    assert first.next_attempt_at == NOW + dt.timedelta(minutes=1)
    assert "refused" in first.last_error.lower() or "error" in first.last_error.lower()
    assert outbox_deliver(now=NOW + dt.timedelta(seconds=30)) == (0, 0)  # backing off

    smtp.start()
    assert outbox_deliver(now=NOW + dt.timedelta(minutes=2)) == (2, 0)
    assert outbox_deliver(now=NOW + dt.timedelta(minutes=10)) == (0, 0)  # never twice
    assert sorted(m.recipients[0] for m in smtp.received) == ["alice@acme.example", "bob@globex.example"]
    [calendar] = [part for part in smtp.to("alice@acme.example")[0].message.iter_attachments()]
    assert calendar.get_filename() == "a.ics" and "BEGIN:VCALENDAR" in str(calendar.get_content())
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0
    record(
        "outbox-smtp",
        f"outbox: mail server refused, then accepted: {len(smtp.received)} of 2 messages "
        "delivered once each, 0 lost, 0 sent twice",
    )


def test_each_row_has_its_own_message_id_and_every_message_says_it_is_automatic(smtp, db):
    smtp.start()
    rows = [outbox_add(to=f"user{n}@example.com", subject=f"m{n}", body="x") for n in range(3)]
    assert outbox_deliver() == (3, 0)
    ids = {row.message_id for row in rows}
    assert len(ids) == 3
    assert all(row.message_id.startswith("<outbox-") and row.message_id.endswith("@localhost>") for row in rows)
    assert {m.message["Message-ID"] for m in smtp.received} == ids
    assert {m.message["Auto-Submitted"] for m in smtp.received} == {"auto-generated"}
    assert {m.message["X-Auto-Response-Suppress"] for m in smtp.received} == {"All"}


def test_a_copy_sent_again_after_the_worker_died_before_marking_it_sent_carries_the_same_message_id(smtp, db):
    """The server accepted the message, then the worker died before its transaction committed the mark-sent:
    the row is due again and goes out again, as the same message (mail programs show one)."""
    smtp.start()
    row = outbox_add(to="alice@acme.example", subject="Confirmed", body="See you then")
    with (
        mock.patch.object(OutboxMessage.objects, "bulk_update", side_effect=SystemExit("worker killed")),
        pytest.raises(SystemExit),
    ):
        outbox_deliver()
    row.refresh_from_db()
    assert row.sent_at is None  # the mark-sent never committed
    assert outbox_deliver() == (1, 0)
    assert [m.message["Message-ID"] for m in smtp.received] == [row.message_id, row.message_id]


def test_a_message_that_cannot_be_built_is_given_up_once_with_its_reason_and_the_batch_goes_on(smtp, db):
    smtp.start()
    before = outbox_add(to="alice@acme.example", subject="[C-1] Reply", body="first")
    # Rows stored before headers were folded, or damaged: a header with a line break, a broken attachment,
    # an address that is not one.
    broken = [
        OutboxMessage.objects.create(to="bob@globex.example", subject="[C-1] Oops\nBcc: evil@example.com", body="x"),
        OutboxMessage.objects.create(
            to="bob@globex.example",
            subject="[C-1] Attached",
            body="x",
            attachments=[{"filename": "a.txt", "mimetype": "text/plain", "content": "not base64!"}],
        ),
        OutboxMessage.objects.create(to="bob@globex.example, evil@example.com", subject="[C-1] Two", body="x"),
    ]
    after = outbox_add(to="alice@acme.example", subject="[C-1] Resolved", body="last")

    assert outbox_deliver() == (2, 3)
    assert sorted(m.message["Subject"] for m in smtp.received) == ["[C-1] Reply", "[C-1] Resolved"]
    for row in broken:
        row.refresh_from_db()
        assert (row.state, row.attempts, row.sent_at) == ("failed", 1, None)
        assert row.failed_at is not None
        assert row.last_error.startswith("cannot be built: ")
    assert "newline" in broken[0].last_error.lower()
    assert "base64" in broken[1].last_error.lower() or "padding" in broken[1].last_error.lower()
    assert "not one valid e-mail address" in broken[2].last_error
    for row in (before, after):
        row.refresh_from_db()
        assert row.state == "sent"

    assert outbox_deliver(now=broken[0].failed_at + dt.timedelta(days=30)) == (0, 0)  # never retried
    assert len(smtp.received) == 2


def test_the_admin_outbox_list_shows_failed_messages_with_their_reason(client_for, admin_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxMessage.objects.create(to="bob@globex.example", subject="Broken\nheader", body="x")
    outbox_add(to="alice@acme.example", subject="Fine", body="x")
    outbox_deliver()
    client = client_for(admin_user)
    failed = client.get("/config/core/outboxmessage/?state=failed").content.decode()
    assert "Broken" in failed and "cannot be built" in failed and "Fine" not in failed
    everything = client.get("/config/core/outboxmessage/").content.decode()
    assert "failed" in everything and "sent" in everything


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_stored_row_its_own_message_id_and_keeps_everything_else():
    """Rows stored before the change (no Message-ID, no failed state) are all kept, unchanged, each with its own
    Message-ID: the migration run backwards and forwards on a database holding such rows."""
    # Back before the one that gives each row its Message-ID, then forward to the latest state of every app (a
    # target short of the leaves would leave later tables of the app, e.g. core's limits, out of the database).
    before = [("core", "0001_outbox_from_accounts")]
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    Old = executor.loader.project_state(before).apps.get_model("core", "OutboxMessage")
    for n in range(5):
        Old.objects.create(to=f"u{n}@example.com", subject=f"s{n}", body=f"b{n}", sent_at=NOW if n % 2 else None)
    kept = sorted(Old.objects.values_list("pk", "to", "subject", "body", "sent_at"))
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    rows = OutboxMessage.objects.order_by("pk")
    assert sorted(rows.values_list("pk", "to", "subject", "body", "sent_at")) == kept
    assert len({row.message_id for row in rows}) == 5
    assert all(row.message_id.startswith("<outbox-") and row.failed_at is None for row in rows)
    assert [row.state for row in rows] == ["waiting", "sent", "waiting", "sent", "waiting"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliverers_at_once_send_each_message_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for n in range(40):
        OutboxMessage.objects.create(to=f"user{n}@example.com", subject=f"m{n}", body="x")

    def deliver_until_done(_):
        while outbox_deliver(batch=5)[0]:
            pass

    outcomes = at_once(2, deliver_until_done)
    assert outcomes.errors == []
    assert sorted(m.subject for m in mail.outbox) == sorted(f"m{n}" for n in range(40))
    record("outbox-concurrent", f"outbox: 2 deliverers at once: {len(mail.outbox)} of 40 messages sent, each once")
