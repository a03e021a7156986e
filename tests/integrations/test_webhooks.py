"""Outbound webhooks against a real receiver on a loopback port that verifies every Standard Webhooks signature:
written with the change (or not at all), signed, in order per object, each message once (by webhook-id), retried
with backoff through an outage, given up after about a day (the endpoint disabled, admins told), redelivered on
request; never to a private, loopback (unless allowed), link-local or metadata address, after DNS resolution, and
without following redirects."""

import datetime as dt
import json
import socket

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cases.models import CaseStatus
from cases.services import case_open, case_reply, case_set_status
from core.errors import DomainError
from core.models import OutboxMessage
from integrations import delivery
from integrations.delivery import RETRY_DELAYS, deliver_due
from integrations.models import MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage
from integrations.webhooks import endpoint_register, endpoint_set_active, message_redeliver
from tests.races import at_once

ALL_CASE_EVENTS = ["case.created", "case.updated", "case.escalated"]


def _register(receiver, *, account=None, event_types=ALL_CASE_EVENTS, name="Receiver"):
    endpoint = endpoint_register(actor=None, name=name, url=receiver.url, event_types=event_types, account=account)
    receiver.secret = endpoint.secret
    return endpoint


def _open(account, user, subject="Scanner stuck"):
    return case_open(actor=user, account=account, subject=subject, description="Batch 42", severity=2)


def _resolving_to(monkeypatch, address: str):
    def fake(host, port, *args, **kwargs):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


# --- Where a receiver may be -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.5/hook", "resolves to 10.0.0.5, a private address"),
        ("http://192.168.1.20/hook", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254, a link-local (cloud metadata) address"),
        ("http://[fd00:ec2::254]/", "a private address"),
        ("http://100.100.100.200/", "a non-public address"),
        ("http://0.0.0.0:8080/", "a reserved address"),
        ("http://127.0.0.1:8000/hook", "a loopback address"),
        ("http://[::1]/hook", "a loopback address"),
        ("http://[::ffff:10.0.0.1]/hook", "a private address"),
        ("ftp://example.com/hook", "starts with https://"),
        ("https://user:secret@example.com/hook", "no user name or password"),
    ],
)
@override_settings(WEBHOOK_ALLOW_LOOPBACK=False)
def test_a_receiver_on_a_private_address_is_refused_with_the_reason(db, url, message):
    with pytest.raises(DomainError) as refused:
        endpoint_register(actor=None, name="Internal", url=url, event_types=["case.created"])
    assert refused.value.field == "url" and message in refused.value.message
    assert not WebhookEndpoint.objects.exists()


@override_settings(WEBHOOK_ALLOW_LOOPBACK=False)
def test_a_name_is_checked_after_resolving_it(db, monkeypatch):
    _resolving_to(monkeypatch, "10.1.2.3")
    with pytest.raises(DomainError, match=r"hooks\.example\.com resolves to 10\.1\.2\.3, a private address"):
        endpoint_register(actor=None, name="Rebound", url="https://hooks.example.com/x", event_types=["case.created"])

    def unknown(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    with pytest.raises(DomainError, match="does not resolve"):
        endpoint_register(actor=None, name="Gone", url="https://nowhere.example/x", event_types=["case.created"])


@override_settings(WEBHOOK_ALLOW_LOOPBACK=False)
def test_a_name_that_turns_private_after_registering_is_not_sent_to(ess, alice, monkeypatch):
    _resolving_to(monkeypatch, "93.184.216.34")
    endpoint = endpoint_register(
        actor=None, name="Flipper", url="https://hooks.example.com/x", event_types=["case.created"]
    )
    _resolving_to(monkeypatch, "169.254.169.254")  # the name now points at the metadata service
    connections = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a))
    _open(ess, alice)
    assert deliver_due() == 0
    attempt = WebhookAttempt.objects.get(message__endpoint=endpoint)
    assert attempt.status_code is None and "169.254.169.254, a link-local (cloud metadata) address" in attempt.error
    assert connections == []


def test_redirects_are_not_followed(ess, alice, receiver):
    endpoint = _register(receiver)
    receiver.status = 302
    _open(ess, alice)
    assert deliver_due() == 0
    message = WebhookMessage.objects.get(endpoint=endpoint)
    assert message.last_status_code == 302 and "does not follow redirects" in message.last_error
    assert len(receiver.received) == 1  # the receiver's Location was never asked for
    assert message.status == MessageStatus.PENDING and message.next_attempt_at > timezone.now()


# --- What is written, and when ------------------------------------------------------------------------------------


def test_a_message_is_written_with_the_change_or_not_at_all(ess, alice, receiver):
    _register(receiver)
    with pytest.raises(RuntimeError), transaction.atomic():
        _open(ess, alice)
        assert WebhookMessage.objects.count() == 1
        raise RuntimeError("the change fails after the event")
    assert not WebhookMessage.objects.exists()


def test_nothing_is_written_without_an_endpoint_that_wants_it(ess, alice, receiver):
    _register(receiver, event_types=["review.completed"])
    _open(ess, alice)
    assert not WebhookMessage.objects.exists()


def test_a_payload_carries_its_account_only_and_goes_to_that_accounts_endpoints(ess, standard, alice, bob, receiver):
    everyone = _register(receiver, name="Vendor bus")
    globex_only = endpoint_register(
        actor=None, name="Globex", url=receiver.url, event_types=["case.created"], account=standard
    )
    case = _open(ess, alice, subject="Acme's scanner")
    assert list(WebhookMessage.objects.values_list("endpoint", flat=True)) == [everyone.pk]
    body = json.loads(WebhookMessage.objects.get().body)
    assert body["type"] == "case.created" and body["version"] == 1
    assert body["data"]["account"] == {"slug": "acme", "name": "Acme Manufacturing"}
    assert body["data"]["case"]["id"] == case.pk and body["data"]["case"]["subject"] == "Acme's scanner"
    assert "globex" not in json.dumps(body).lower() and "alice@" not in json.dumps(body)
    _open(standard, bob, subject="Globex labels")
    assert WebhookMessage.objects.filter(endpoint=globex_only).count() == 1


# --- Delivery -------------------------------------------------------------------------------------------------------


def test_messages_arrive_signed_once_each_in_order(ess, alice, support, receiver):
    _register(receiver)
    case = _open(ess, alice)
    case_reply(actor=support, case=case, body="Looking now")
    case_set_status(actor=support, case=case, status=CaseStatus.WAITING)
    assert deliver_due() == 3
    assert receiver.rejected == []
    assert [(m.type, m.data.get("change")) for m in receiver.received] == [
        ("case.created", None),
        ("case.updated", "reply"),
        ("case.updated", "status"),
    ]
    assert len(set(receiver.ids())) == 3
    assert deliver_due() == 0 and len(receiver.received) == 3
    assert set(WebhookMessage.objects.values_list("status", flat=True)) == {MessageStatus.DELIVERED}


def test_a_receiver_down_for_a_while_then_back_gets_everything_once_in_order(
    ess, alice, bob, standard, support, receiver, time_machine
):
    """Three cases, two events each while the receiver is down (connections refused for an hour), then it comes
    back: every webhook-id arrives exactly once, and each case's events in the order they happened."""
    time_machine.move_to(timezone.now(), tick=False)
    _register(receiver)
    receiver.stop()
    cases = [_open(ess, alice, subject=f"Case {n}") for n in range(3)]
    for case in cases:
        case_reply(actor=support, case=case, body="On it")
    for _ in range(6):  # an hour of failing tries, each at its backoff
        deliver_due()
        time_machine.shift(dt.timedelta(minutes=10))
    assert WebhookMessage.objects.filter(status=MessageStatus.DELIVERED).count() == 0
    assert WebhookMessage.objects.filter(attempts__gt=1).exists()
    assert set(WebhookMessage.objects.filter(attempts=0).values_list("event_type", flat=True)) == {"case.updated"}
    receiver.start()
    for _ in range(6):
        deliver_due()
        time_machine.shift(dt.timedelta(hours=1))
    sent = list(WebhookMessage.objects.values_list("webhook_id", flat=True))
    assert sorted(receiver.ids()) == sorted(sent) and len(receiver.ids()) == 6
    for case in cases:
        got = [m.type for m in receiver.received if m.data["case"]["id"] == case.pk]
        assert got == ["case.created", "case.updated"]


def test_retries_back_off_then_give_up_disable_and_tell_the_admins(ess, alice, admin_user, receiver, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    endpoint = _register(receiver)
    receiver.status = 500
    _open(ess, alice)
    message = WebhookMessage.objects.get()
    started, waits = timezone.now(), []
    for _ in range(len(RETRY_DELAYS) + 1):
        before = timezone.now()
        deliver_due()
        message.refresh_from_db()
        if message.status == MessageStatus.PENDING:
            waits.append(message.next_attempt_at - before)
            time_machine.move_to(message.next_attempt_at)
    assert waits == RETRY_DELAYS
    assert dt.timedelta(hours=22) < timezone.now() - started < dt.timedelta(hours=26)  # about a day
    assert message.status == MessageStatus.FAILED and message.attempts == len(RETRY_DELAYS) + 1
    assert message.attempts_made.count() == len(RETRY_DELAYS) + 1
    endpoint.refresh_from_db()
    assert not endpoint.active and "failed for a day" in endpoint.disabled_reason
    notice = OutboxMessage.objects.get(to=admin_user.email)
    assert "Webhook endpoint disabled: Receiver" in notice.subject
    # Meanwhile the endpoint is disabled: new messages wait, then go out once it is enabled.
    receiver.status = 204
    _open(ess, alice, subject="Later")
    assert deliver_due() == 0
    endpoint_set_active(actor=admin_user, endpoint=endpoint, active=True)
    assert deliver_due() == 1
    message_redeliver(actor=admin_user, message=message)
    assert deliver_due() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert receiver.ids().count(message.webhook_id) == len(RETRY_DELAYS) + 2  # nine answered 500, then the 204


def test_a_redelivered_message_keeps_its_webhook_id(ess, alice, admin_user, receiver):
    _register(receiver)
    _open(ess, alice)
    deliver_due()
    message = WebhookMessage.objects.get()
    message_redeliver(actor=admin_user, message=message)
    deliver_due()
    assert receiver.ids() == [message.webhook_id, message.webhook_id]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(ess, alice, support, receiver, monkeypatch):
    monkeypatch.setattr(delivery, "_kick", lambda: None)  # the two workers below are the only ones
    _register(receiver)
    cases = [_open(ess, alice, subject=f"Case {n}") for n in range(8)]
    for case in cases:
        case_reply(actor=support, case=case, body="On it")
    outcomes = at_once(2, lambda n: deliver_due())
    assert outcomes.errors == []
    assert sum(outcomes.results) == 16
    assert len(receiver.ids()) == 16 and len(set(receiver.ids())) == 16
    for case in cases:
        assert [m.type for m in receiver.received if m.data["case"]["id"] == case.pk] == [
            "case.created",
            "case.updated",
        ]


def test_one_delivery_is_asked_for_per_transaction(ess, alice, support, receiver, django_capture_on_commit_callbacks):
    _register(receiver)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        case = _open(ess, alice)
        case_reply(actor=support, case=case, body="On it")
    assert [c for c in callbacks if c is delivery._kick] == [delivery._kick]


def test_a_message_removed_while_its_try_is_on_the_wire_leaves_the_rest_of_the_batch_recorded(
    ess, alice, receiver, monkeypatch
):
    _register(receiver)
    _open(ess, alice, subject="First")
    _open(ess, alice, subject="Second")
    first, second = WebhookMessage.objects.order_by("pk")
    record = delivery._record

    def removed_meanwhile(tries, at):
        WebhookMessage.objects.filter(pk=first.pk).delete()  # as removing its endpoint does, while the batch is out
        record(tries, at)

    monkeypatch.setattr(delivery, "_record", removed_meanwhile)
    assert deliver_due() == 2  # both were posted, in one batch
    assert sorted(receiver.ids()) == sorted([first.webhook_id, second.webhook_id])
    second.refresh_from_db()
    assert second.status == MessageStatus.DELIVERED and second.attempts == 1
    assert list(WebhookAttempt.objects.values_list("message", "succeeded")) == [(second.pk, True)]
