"""P11: webhook delivery. Events, each wanted by three receivers on loopback (``bench/receiver.py``, one process
each), are delivered by ``deliver_due``, the body of the worker's job: claimed in batches with ``SKIP LOCKED``,
signed, posted, each try recorded. The baseline is a bare loop posting the same signed payloads with the same HTTP
client (``outbound.send``) and recording nothing. Then the same messages again with two workers at once (two
processes): every message must be delivered exactly once, with one try each.

The workers are other processes, so the messages are committed: they, their endpoints and their tries are removed
at the end, whatever happens."""

import datetime as dt
import json
import multiprocessing
import socket
import subprocess
import sys
import time
import uuid

from django.db import close_old_connections, connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Account
from bench.environment import ROOT
from integrations import outbound
from integrations.delivery import deliver_due
from integrations.models import MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage

RECEIVERS = 3
EVENT = "case.updated"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_receivers() -> tuple[list[subprocess.Popen], list[int]]:
    ports = [_free_port() for _ in range(RECEIVERS)]
    processes = [
        subprocess.Popen([sys.executable, "-m", "bench.receiver", str(port)], cwd=ROOT)  # noqa: S603
        for port in ports
    ]
    for port in ports:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
    return processes, ports


def _body(n: int, account_id: int, at: dt.datetime) -> str:
    """A payload the size of a real one: a case that changed."""
    return json.dumps(
        {
            "type": EVENT,
            "timestamp": at.isoformat(),
            "data": {
                "id": n,
                "reference": f"CASE-{n:06d}",
                "account": account_id,
                "subject": "The nightly export stops half way since the upgrade",
                "status": "in_progress",
                "severity": 2,
                "channel": "email",
                "next_due": (at + dt.timedelta(hours=2)).isoformat(),
            },
        }
    )


def _queue(events: int, ports: list[int]) -> list[tuple[str, str, str, str]]:
    """The endpoints and ``events`` × ``RECEIVERS`` messages, committed; what the bare loop sends for each."""
    account = Account.objects.order_by("pk").first()
    now = timezone.now()
    with transaction.atomic():
        endpoints = [
            WebhookEndpoint.objects.create(
                name=f"Benchmark receiver {port}",
                url=f"http://127.0.0.1:{port}/hook",
                secret=outbound.new_secret(),
                event_types=[EVENT],
            )
            for port in ports
        ]
        messages = WebhookMessage.objects.bulk_create(
            WebhookMessage(
                endpoint=endpoint,
                webhook_id=f"msg_{uuid.uuid4().hex}",
                event_type=EVENT,
                account_id=account.pk,
                object_key=f"case:{n}",
                body=_body(n, account.pk, now),
                created_at=now,
                next_attempt_at=now,
            )
            for n in range(events)
            for endpoint in endpoints
        )
    with connection.cursor() as cursor:  # as autovacuum does for a table that grows by thousands at once
        cursor.execute("ANALYZE integrations_webhookmessage")
    return [(m.endpoint.url, m.endpoint.secret, m.webhook_id, m.body) for m in messages]


def _again() -> None:
    """Every message pending again, as if just written (for the run with two workers)."""
    WebhookAttempt.objects.filter(message__endpoint__name__startswith="Benchmark receiver").delete()
    WebhookMessage.objects.filter(endpoint__name__startswith="Benchmark receiver").update(
        status=MessageStatus.PENDING, attempts=0, delivered_at=None, locked_until=None, next_attempt_at=timezone.now()
    )


def _worker(results) -> None:
    close_old_connections()
    with override_settings(WEBHOOK_ALLOW_LOOPBACK=True):
        results.put(deliver_due())
    connections.close_all()


def _by_workers(count: int) -> tuple[float, int]:
    connections.close_all()  # the children open their own
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(results,)) for _ in range(count)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    delivered = sum(results.get() for _ in workers)
    for worker in workers:
        worker.join()
    return time.perf_counter() - began, delivered


def _bare(sends) -> tuple[float, int]:
    at = timezone.now()
    began = time.perf_counter()
    succeeded = sum(
        1
        for url, secret, webhook_id, body in sends
        if outbound.send(url=url, secret=secret, webhook_id=webhook_id, body=body, at=at).succeeded
    )
    return time.perf_counter() - began, succeeded


def _tries() -> dict:
    attempts = WebhookAttempt.objects.filter(message__endpoint__name__startswith="Benchmark receiver")
    return {
        "tries": attempts.count(),
        "messages_tried": attempts.values("message_id").distinct().count(),
        "delivered": WebhookMessage.objects.filter(
            endpoint__name__startswith="Benchmark receiver", status=MessageStatus.DELIVERED
        ).count(),
    }


def p11_webhooks(events: int, rounds: int) -> dict:
    """The bare loop and one worker in turn, ``rounds`` times (the best of each: the machine's two cores are shared
    by the receivers, the database and the sender), then two workers once."""
    processes, ports = _start_receivers()
    bare, one = [], []
    try:
        with override_settings(WEBHOOK_ALLOW_LOOPBACK=True):
            sends = _queue(events, ports)
            warm = _bare(sends[:100])  # connections, the resolver, the signer
            for _ in range(rounds):
                _again()
                bare.append(_bare(sends))
                one.append(_by_workers(1))
            one_tries = _tries()
            _again()
            two_s, two_ok = _by_workers(2)
            two_tries = _tries()
    finally:
        WebhookEndpoint.objects.filter(name__startswith="Benchmark receiver").delete()  # their messages and tries
        for process in processes:
            process.terminate()
            process.wait()
    messages = len(sends)
    everything_once = {"tries": messages, "messages_tried": messages, "delivered": messages}
    return {
        "events": events,
        "receivers": RECEIVERS,
        "messages": messages,
        "rounds": rounds,
        "warm_up_ok": warm[1],
        "bare_per_s": max(ok / seconds for seconds, ok in bare),
        "one_worker_per_s": max(ok / seconds for seconds, ok in one),
        "two_workers_per_s": two_ok / two_s,
        "bare_ok": [ok for _, ok in bare],
        "one_worker": one_tries,
        "two_workers": two_tries,
        "exactly_once": one_tries == everything_once and two_tries == everything_once,
    }
