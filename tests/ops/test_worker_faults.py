"""Exactly once under faults. Tasks are acknowledged late and requeued when their worker is lost
(settings: acks_late, reject_on_worker_lost, prefetch 1), so a job can be delivered twice: after a worker dies,
or when Redis's visibility timeout expires while it still runs. Delivered twice, in a row or at once, the quarter
job writes the ledger of one delivery and the SLA chaser sends the e-mails of one tick. And a real worker killed
with SIGKILL in the middle of a large roll-over loses nothing: the redelivered message completes it."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import zoneinfo
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, Contract, Tier
from accounts.quarters import Quarter, quarters_between, vendor_today
from accounts.roles import Role
from cases.models import CaseEntry, Escalation, Milestone
from cases.services import case_escalate, case_open
from cases.tasks import chase_sla
from core.models import OutboxMessage
from core.outbox import outbox_deliver
from ess_portal.celery import app
from ess_portal.models import JobStatus
from maintenance.credits import quarter_roll_over
from maintenance.models import CreditEntry, QuarterRollover
from maintenance.querysets import with_credit_balance
from maintenance.services import account_balance
from maintenance.tasks import roll_over_quarter
from tests.factories import UserFactory
from tests.figures import record

from .postgres import database_url, query, server_connection, wait_until_gone
from .worker_settings import VISIBILITY_TIMEOUT

BANK = 2  # the Enterprise tier's bank, as seeded


# --- A population of customers and what the quarter job owes them ------------------------------------------


@dataclass(frozen=True)
class Customer:
    account_id: int
    enterprise: bool
    start: dt.date
    end: dt.date | None


def seed_population(size: int, quarters: list[Quarter]) -> list[Customer]:
    """Customers whose contracts began in each of ``quarters`` in turn: one in ten Standard, one in twenty
    Enterprise with a contract that ended three quarters before the last. The job last applied the first quarter,
    so its next run catches up every quarter since. Written in bulk, as an import would, with no grant yet."""
    enterprise = Tier.objects.get(name="Enterprise")
    standard = Tier.objects.get(name="Standard")
    ended_on = quarters[-3].start - dt.timedelta(days=1)
    accounts = Account.objects.bulk_create(
        Account(name=f"Customer {n:05d}", slug=f"customer-{n:05d}") for n in range(size)
    )
    customers = []
    for n, account in enumerate(accounts):
        start = quarters[n % len(quarters)].start
        end = ended_on if n % 20 == 1 and start < ended_on else None
        customers.append(Customer(account.pk, n % 10 != 0, start, end))
    Contract.objects.bulk_create(
        Contract(
            account_id=c.account_id, tier=enterprise if c.enterprise else standard, start_date=c.start, end_date=c.end
        )
        for c in customers
    )
    QuarterRollover.objects.create(quarter_start=quarters[0].start, applied_at=timezone.now())
    return customers


def owed(customers: list[Customer], quarters: list[Quarter], today: dt.date) -> Counter:
    """The ledger rows the rule calls for after these quarters, worked out account by account: a grant for each
    quarter with a contract on some day of it, the excess over the bank forfeited, and the balance forfeited
    once no contract is in force."""
    rows: Counter = Counter()
    for c in customers:
        available = 0
        for quarter in quarters:
            through = min(today, quarter.end)
            if c.enterprise and c.start <= through and (c.end is None or c.end >= quarter.start):
                rows[(c.account_id, "grant", 1, quarter.start, "")] += 1
                available += 1
                if available > BANK:
                    rows[(c.account_id, "forfeit", BANK - available, quarter.start, "bank_cap")] += 1
                    available = BANK
            in_force = c.enterprise and c.start <= through and (c.end is None or c.end >= through)
            if not in_force and available > 0:
                rows[(c.account_id, "forfeit", -available, None, "ineligible")] += 1
                available = 0
    return rows


def ledger() -> Counter:
    return Counter(CreditEntry.objects.values_list("account_id", "kind", "available_delta", "quarter_start", "cause"))


def balances_are_sound(customers: list[Customer]) -> None:
    """Every balance within the bank, and what the app shows is the ledger's sum: the API's selector for every
    account, the pages' per-account balance for a sample of 500 (each is one query)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_id, SUM(available_delta) FROM maintenance_creditentry GROUP BY account_id")
        sums = dict(cursor.fetchall())
    shown = dict(with_credit_balance(Account.objects.all()).values_list("pk", "events_available"))
    assert len(shown) == len(customers)
    assert all(0 <= available <= BANK for available in shown.values())
    assert shown == {c.account_id: sums.get(c.account_id, 0) for c in customers}
    for account in Account.objects.filter(pk__in=[c.account_id for c in customers[:: max(1, len(customers) // 500)]]):
        assert account_balance(account).available == sums.get(account.pk, 0)


# --- (a) Delivered twice, in a row or at once, on identical data ---------------------------------------------


@contextmanager
def undone():
    """Run a delivery on the seeded data, then roll it back, so the next one starts from the very same rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def deliver(task, times: int, *, at_once: bool = False) -> None:
    """Execute the task's message ``times`` times, as workers would: one after the other, or in threads that
    start together (the visibility timeout expired while the first delivery was still running)."""
    if not at_once:
        for _ in range(times):
            task.apply(throw=True)  # a failure raises here
        return
    barrier, failures = threading.Barrier(times), []

    def worker():
        try:
            barrier.wait(timeout=10)
            task.apply(throw=True)  # a failure raises here
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def denver(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(settings.ESS_VENDOR_TIME_ZONE))


_figures: dict[str, str] = {}  # the two tests below each add their part of the "redelivery" figure


@pytest.fixture(scope="module", autouse=True)
def _record_redelivery():
    yield
    if len(_figures) == 2:
        record(
            "redelivery",
            "delivered twice (in a row, at once, one behind the other) = delivered once: "
            f"{_figures['quarter']}, {_figures['chaser']}",
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_quarter_job_delivered_twice_writes_the_ledger_of_one_delivery():
    now = denver(2026, 10, 1, 8, 0)  # the morning of a quarter start
    with time_machine.travel(now, tick=False):
        today = vendor_today()
        quarters = list(quarters_between(Quarter(2025, 4), Quarter.of(today)))
        customers = seed_population(150, quarters)

        def outcome():
            return {
                "ledger": Counter(
                    CreditEntry.objects.values_list(
                        "account_id", "kind", "available_delta", "reserved_delta", "quarter_start", "cause", "reason"
                    )
                ),
                "written_at": set(CreditEntry.objects.values_list("created_at", flat=True)),
                "quarters": list(QuarterRollover.objects.values_list("quarter_start", "granted", "forfeited")),
            }

        with undone():
            deliver(roll_over_quarter, 1)
            once, once_ledger = outcome(), ledger()
        with undone():
            deliver(roll_over_quarter, 2)
            twice = outcome()
        with undone():
            # Two at once, one of them behind: it read where to start before the other applied every quarter.
            deliver(roll_over_quarter, 1)
            quarter_roll_over(since=quarters[0])
            behind = outcome()
        deliver(roll_over_quarter, 2, at_once=True)
        at_once = outcome()

    assert once_ledger == owed(customers, quarters, today)
    assert once["written_at"] == {now}
    assert twice == once
    assert behind == once
    assert at_once == once
    balances_are_sound(customers)
    assert {(kind, cause) for (_, kind, _, _, cause) in once_ledger} == {
        ("grant", ""),
        ("forfeit", "bank_cap"),
        ("forfeit", "ineligible"),
    }  # every rule of the job was at work
    _figures["quarter"] = f"quarter job {sum(once_ledger.values())} ledger rows"


def seed_cases(account, customer, support) -> None:
    """A morning of cases at Acme: opened over the last hours, half of them escalated minutes ago, so that one
    tick of the chaser warns, marks breaches and passes escalations on."""
    UserFactory(first_name="Lee", roles=[Role.TAM_LEVEL])
    for n in range(12):
        case = case_open(
            actor=customer,
            account=account,
            subject=f"Scanner {n} stuck",
            description="Batch 42 hangs at the first page.",
            channel="portal",
            severity=1 + n % 4,
            at=denver(2026, 12, 7, 9, 0) - dt.timedelta(hours=n),
        )
        if n % 2 == 0:
            case_escalate(actor=support, case=case, at=denver(2026, 12, 7, 9, n))


def chaser_outcome() -> dict:
    outbox_deliver()  # what the outbox worker sends after the tick
    return {
        "milestones": Counter(
            Milestone.objects.values_list(
                "case_id", "name", "due_at", "warned_at", "breached_at", "escalation__escalated_to_id"
            )
        ),
        "escalations": Counter(
            Escalation.objects.values_list(
                "case_id", "escalated_to_id", "previous__escalated_to_id", "escalated_at", "superseded_at", "reason"
            )
        ),
        "entries": Counter(CaseEntry.objects.values_list("case_id", "kind", "public", "body", "created_at")),
        "outbox": Counter(OutboxMessage.objects.values_list("to", "subject", "body", "sent_at")),
        "emails": Counter((tuple(m.to), m.subject, m.body) for m in mail.outbox),
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sla_chaser_delivered_twice_sends_the_notifications_of_one_tick(ess, alice, support):
    with time_machine.travel(denver(2026, 12, 7, 9, 20), tick=False):
        seed_cases(ess, alice, support)
        seeded = OutboxMessage.objects.count()
        mail.outbox.clear()
        with undone():
            deliver(chase_sla, 1)
            once = chaser_outcome()
        mail.outbox.clear()
        with undone():
            deliver(chase_sla, 2)
            twice = chaser_outcome()
        mail.outbox.clear()
        deliver(chase_sla, 2, at_once=True)
        at_once = chaser_outcome()

    assert twice == once
    assert at_once == once
    # The tick did each kind of work, so the comparison covers all of it.
    assert sum(1 for (_, _, _, warned, _, _) in once["milestones"] if warned) > 0
    assert sum(1 for (_, _, _, _, breached, _) in once["milestones"] if breached) > 0
    reescalations = sum(n for (_, _, previous, *_), n in once["escalations"].items() if previous)
    assert reescalations > 0
    emails = sum(once["emails"].values())
    assert emails == sum(once["outbox"].values()) - seeded > 0
    assert all(sent_at for (*_, sent_at) in once["outbox"])
    _figures["chaser"] = f"SLA chaser {emails} e-mails and {reescalations} re-escalations"


# --- (b) A real worker killed in the middle of a large roll-over ---------------------------------------------

WORKER_APP = "ess-fault-test-worker"
POPULATION = 5000


def start_worker(queue: str, log: Path) -> subprocess.Popen:
    """``celery -A ess_portal worker`` on the test database and Redis, a parent with one pool child, in a process
    group of its own so both can be killed at once."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.ops.worker_settings",
        "DATABASE_URL": database_url(application_name=WORKER_APP),
        "REDIS_URL": settings.REDIS_URL,
    }
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "ess_portal", "worker", "--pool=prefork", "--concurrency=1"),
            *("-Q", queue, "-n", f"{queue}@%h", "--without-heartbeat", "--without-gossip", "--without-mingle"),
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def forget(queue: str, result) -> None:
    """Leave nothing of the test in Redis: the queue, kombu's bindings of it, the task's result."""
    result.forget()
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    client.close()


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group (a zombie counts as gone)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def stop(worker: subprocess.Popen) -> None:
    """Warm shutdown of a worker this test started: the parent lets its pool child finish the task in hand."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_rollover_loses_nothing_the_redelivery_completes_it(tmp_path):
    queue, log = f"ess-fault-{os.getpid()}-{time.time_ns()}", tmp_path / "worker.log"
    workers = [start_worker(queue, log)]  # it starts up while the customers are written
    watch = server_connection(settings.DATABASES["default"]["NAME"])
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    result = None
    try:
        today = vendor_today()
        this_quarter = Quarter.of(today)  # three years of quarters back (no date arithmetic: 29 February has no twin)
        quarters = list(quarters_between(Quarter(this_quarter.year - 3, this_quarter.number), this_quarter))
        customers = seed_population(POPULATION, quarters)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # plans as on a database that has lived with these rows
        # The worker is another process on its own clock: it is told the day the test reckons with.
        result = roll_over_quarter.apply_async(kwargs={"as_of": today.isoformat()}, queue=queue)

        # Wait until the job is demonstrably mid-run: some quarters committed, a ledger INSERT executing.
        deadline = time.monotonic() + 90
        while True:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            committed = query(watch, "SELECT COUNT(*) FROM maintenance_quarterrollover")[0][0]
            running = query(
                watch,
                "SELECT pid, query FROM pg_stat_activity WHERE application_name = %s AND state = 'active'"
                " AND query LIKE %s",
                [WORKER_APP, "%INSERT INTO maintenance_creditentry%"],
            )
            if committed >= 3 and running:
                break
            assert not result.ready(), "the roll-over finished before it could be killed: seed more accounts"
            time.sleep(0.02)
        seen_running = time.monotonic()
        processes = group_members(workers[0].pid)
        assert len(processes) >= 2  # the worker and its pool child
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=30)
        wait_for(lambda: not group_members(workers[0].pid), "the pool child to die")
        backends = query(watch, "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [WORKER_APP])
        wait_until_gone(watch, [pid for (pid,) in backends])  # the server notices, rolls the transaction back

        # Nothing half-done: whole quarters committed, in order, and nothing of the others.
        done = QuarterRollover.objects.count()
        assert 3 <= done < len(quarters), "the worker was not killed mid-run"
        assert ledger() == owed(customers, quarters[:done], today)
        balances_are_sound(customers)
        status = JobStatus.objects.get(task="maintenance.roll_over_quarter")
        assert status.last_started_at is not None and status.last_succeeded_at is None

        # A worker comes back; Redis hands it the unacknowledged message once the visibility timeout has passed.
        time.sleep(max(0.0, VISIBILITY_TIMEOUT - (time.monotonic() - seen_running)))
        workers.append(start_worker(queue, log))
        report = result.get(timeout=90)
        finished = time.monotonic()
    finally:
        app.conf.task_always_eager = eager
        for worker in workers:
            stop(worker)
        watch.close()
        if result is not None:
            forget(queue, result)

    assert report["quarters"] == [str(q) for q in quarters[done - 1 :]]  # resumed at the last quarter it applied
    # Row for row what one uninterrupted run writes: each grant once per account and quarter, nothing missing.
    assert ledger() == owed(customers, quarters, today)
    balances_are_sound(customers)
    assert JobStatus.objects.get(task="maintenance.roll_over_quarter").last_succeeded_at is not None
    record(
        "worker-kill",
        f"worker SIGKILLed (parent and pool child) mid-rollover of {POPULATION} accounts: {done} of {len(quarters)} "
        f"quarters committed whole, nothing of the rest; the message redelivered after the "
        f"{VISIBILITY_TIMEOUT}s visibility timeout completed it in {finished - seen_running:.1f}s: 100% of accounts "
        f"one grant per quarter, balances 0-{BANK}, ledger sum = selector, nothing doubled or missing",
    )
