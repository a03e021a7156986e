"""Fill an empty, migrated PostgreSQL database with a realistic vendor for the benchmarks in ``bench/``.

Full scale (the defaults): 5,000 accounts (about half Enterprise), 150 TAMs, 200,000 cases over two years with
their timelines and five SLA clocks each (1,000,000 milestones; a phone case's call and an escalation own theirs),
a 1,000,000-row credit ledger, 20,000 maintenance events, 40 releases with previews, and a proactive review per
Enterprise account for each of 8 quarters. One TAM owns 200 accounts and another 5 (the dashboard benchmark);
20 accounts without history are kept for the booking benchmark.

The big tables are written with PostgreSQL ``COPY`` in batches, ids assigned here. During the load the session
runs with ``session_replication_role = replica``: that skips row triggers (the audit trail would otherwise
record a million synthetic rows) and the foreign-key triggers; the data is consistent by construction, and every
foreign key of the loaded tables is checked before the transaction commits. Unique, check and exclusion
constraints stay enforced.

Cases are generated newest first from their own random stream, so ``--cases 1000`` gives exactly the newest
1,000 cases of a full-scale database (the same open working set): the baseline of the case-list benchmark.
"""

import datetime as dt
import io
import json
import random
import time
import uuid

import holidays as public_holidays
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.defaults import install_default_tiers
from accounts.models import (
    Account,
    BusinessCalendar,
    Contract,
    Holiday,
    OpenInterval,
    TamAbsence,
    TamAssignment,
    Tier,
    User,
)
from accounts.quarters import Quarter, quarters_between, vendor_today, vendor_zone
from accounts.roles import Role
from cases.models import Case, CaseEntry, ContactLog, Escalation, Milestone, SlaTarget
from maintenance.models import CreditBalance, CreditEntry, MaintenanceEvent, QuarterRollover
from reviews.models import (
    Finding,
    InventoryRow,
    PreviewSession,
    ProactiveReview,
    Recommendation,
    Release,
    ReleaseItem,
    ReviewQuarter,
)

DOMAIN = "bench.example"
HISTORY = dt.timedelta(days=730)
OPEN_AGE = dt.timedelta(days=2)  # cases younger than this are still being worked
BATCH = 50_000
CLOCKS_PER_CASE = 5
# The special people the benchmarks sign in as.
BIG_TAM, SMALL_TAM = f"tam-big@{DOMAIN}", f"tam-small@{DOMAIN}"
BIG_TAM_ACCOUNTS, SMALL_TAM_ACCOUNTS = 200, 5
SUPPORT = f"support-01@{DOMAIN}"
BUSIEST_ACCOUNT, BOOKING_ACCOUNT = "bench-busiest", "bench-booking"
BOOKING_ACCOUNTS = 20  # bench-booking and bench-booking-02 to -20: one account, or 20 side by side

SUBJECTS = [
    "Capture service stops after Windows update",
    "GP connector posts duplicate invoices",
    "Repository move: documents not found",
    "Slow search in the document viewer",
    "License count wrong after renewal",
    "Workflow approvals stuck in queue",
    "OCR misreads vendor numbers",
    "Export to ERP fails with timeout",
]
ENTRY_BODIES = [
    "Thanks, we have reproduced this and are looking into the logs.",
    "Could you send the capture service log from the time of the failure?",
    "A fix is in the next maintenance release; a workaround is attached.",
    "Confirmed working after the change, thank you.",
]
SCOPES = ["maintenance_release", "connectors_after_erp_upgrade", "repository_move", "other_small_task"]


def _text(value) -> str:
    """One value in PostgreSQL COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.timedelta):
        return f"{value.total_seconds()} seconds"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Copier:
    """Rows for one table, sent with COPY every ``BATCH`` rows."""

    def __init__(self, model, fields: list[str]):
        self.table = model._meta.db_table
        self.columns = [model._meta.get_field(name).column for name in fields]
        self.buffer = io.StringIO()
        self.pending = 0
        self.written = 0

    def add(self, *values) -> None:
        self.buffer.write("\t".join(_text(v) for v in values))
        self.buffer.write("\n")
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f'COPY "{self.table}" ({", ".join(self.columns)}) FROM STDIN', self.buffer, size=1 << 20
            )
        self.written += self.pending
        self.buffer, self.pending = io.StringIO(), 0


def _reset_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
        )


def _random(seed: int) -> random.Random:
    """A reproducible stream of synthetic data (not for anything secret)."""
    return random.Random(seed)  # noqa: S311


class Command(BaseCommand):
    help = "Fill an empty PostgreSQL database with a realistic vendor for the benchmarks (bench/run.py)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=5_000)
        parser.add_argument("--tams", type=int, default=150)
        parser.add_argument("--cases", type=int, default=200_000)
        parser.add_argument("--ledger", type=int, default=1_000_000, help="Credit ledger rows, about.")
        parser.add_argument("--events", type=int, default=20_000)
        parser.add_argument("--releases", type=int, default=40)
        parser.add_argument("--quarters", type=int, default=8, help="Past quarters of reviews and credits.")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench needs PostgreSQL (it loads with COPY).")
        if settings.DEBUG:
            raise CommandError("Run seed_bench with DEBUG off: DEBUG keeps every query in memory.")
        if Case.objects.exists() or Account.objects.exists():
            raise CommandError("seed_bench fills an empty database; this one already has accounts or cases.")
        least = 2 + BIG_TAM_ACCOUNTS + SMALL_TAM_ACCOUNTS + BOOKING_ACCOUNTS + 20
        if options["accounts"] < least:
            raise CommandError(f"Give at least {least} accounts: the big TAM alone owns {BIG_TAM_ACCOUNTS}.")
        self.options = options
        self.began = time.monotonic()
        self.now = timezone.now()
        self.today = vendor_today(self.now)
        self.zone = vendor_zone()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            self.people_and_accounts()
            self.cases()
            self.credits_and_events()
            self.releases_and_reviews()
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
            self.check_foreign_keys()
        self.log("analysing the tables")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.log(self.style.SUCCESS("bench data ready"))

    def log(self, message: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.began:6.1f} s] {message}")
        self.stdout.flush()

    # --- people, accounts, contracts, coverage ------------------------------------------------------------

    def people_and_accounts(self) -> None:
        rng = _random(self.options["seed"])
        self.calendar = install_default_tiers(BusinessCalendar, OpenInterval, Tier)
        first_year = (self.today - HISTORY).year - 1
        Holiday.objects.bulk_create(
            [
                Holiday(calendar=self.calendar, date=day, name=name[:120])
                for year in range(first_year, self.today.year + 2)
                for day, name in public_holidays.country_holidays("US", years=year).items()
            ],
            ignore_conflicts=True,
        )
        self.calendar.refresh_from_db()
        self.schedule = self.calendar.schedule()
        self.enterprise, self.standard = Tier.objects.get(name="Enterprise"), Tier.objects.get(name="Standard")
        groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
        unusable = make_password(None)

        def person(email, first, last, roles, account=None):
            return User(
                email=email,
                first_name=first,
                last_name=last,
                password=unusable,
                account=account,
                time_zone="America/Denver",
            ), roles

        tams = [
            person(BIG_TAM, "Morgan", "Many", [Role.TAM]),
            person(SMALL_TAM, "Frankie", "Few", [Role.TAM]),
        ] + [
            person(f"tam-{n:03d}@{DOMAIN}", "Tam", f"Number {n:03d}", [Role.TAM])
            for n in range(3, self.options["tams"] + 1)
        ]
        staff = [
            person(f"admin@{DOMAIN}", "Ada", "Admin", [Role.ADMIN]),
            *(person(f"support-{n:02d}@{DOMAIN}", "Sam", f"Support {n:02d}", [Role.SUPPORT]) for n in range(1, 11)),
            *(
                person(f"tamlevel-{n}@{DOMAIN}", "Lee", f"Level {n}", [Role.SUPPORT, Role.TAM_LEVEL])
                for n in range(1, 3)
            ),
        ]
        self.log(f"{len(tams)} TAMs and {len(staff)} other staff")
        created = User.objects.bulk_create([user for user, _ in tams + staff], batch_size=2000)
        self.tams = created[: len(tams)]
        self.support = [u for u in created[len(tams) :] if u.email.startswith("support-")]
        Authenticator.objects.bulk_create(
            Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": "bench"}) for user in created
        )

        count = self.options["accounts"]
        accounts = [
            Account(name=f"Customer {n:05d}", slug=f"bench-{n:05d}", created_at=self.now - HISTORY)
            for n in range(count)
        ]
        accounts[0].slug, accounts[0].name = BUSIEST_ACCOUNT, "Busiest Customer"
        accounts[1].slug, accounts[1].name = BOOKING_ACCOUNT, "Booking Customer"
        first_booking = 2 + BIG_TAM_ACCOUNTS + SMALL_TAM_ACCOUNTS
        for n in range(2, BOOKING_ACCOUNTS + 1):
            account = accounts[first_booking + n - 2]
            account.slug, account.name = f"{BOOKING_ACCOUNT}-{n:02d}", f"Booking Customer {n:02d}"
        self.accounts = Account.objects.bulk_create(accounts, batch_size=5000)
        customers = [
            person(f"user-{n}@{account.slug}.{DOMAIN}", "Casey", f"Customer {account.pk}-{n}", [Role.CUSTOMER], account)
            for account in self.accounts
            for n in (1, 2)
        ]
        self.customers = User.objects.bulk_create([user for user, _ in customers], batch_size=5000)
        self.contact_of = {}
        for user in self.customers:
            self.contact_of.setdefault(user.account_id, user)
        memberships = [
            User.groups.through(user_id=user.pk, group_id=groups[role].pk)
            for user, (_, roles) in zip(created + self.customers, tams + staff + customers, strict=True)
            for role in roles
        ]
        User.groups.through.objects.bulk_create(memberships, batch_size=10000)
        self.log(f"{len(self.accounts)} accounts and {len(self.customers)} customer users")

        # Half the accounts are Enterprise since before the history starts; the busiest and the booking account too.
        since = Quarter.of(self.today - HISTORY).previous().start
        reserved = 2 + BIG_TAM_ACCOUNTS + SMALL_TAM_ACCOUNTS + BOOKING_ACCOUNTS - 1
        self.ess = [a for i, a in enumerate(self.accounts) if i < reserved or rng.random() < 0.5]
        ess_ids = {a.pk for a in self.ess}
        self.tier_of = {a.pk: (self.enterprise if a.pk in ess_ids else self.standard) for a in self.accounts}
        Contract.objects.bulk_create(
            [Contract(account=a, tier=self.tier_of[a.pk], start_date=since) for a in self.accounts], batch_size=5000
        )
        # The big TAM owns 200 Enterprise accounts, the small one 5, a third only the booking account (so the
        # booking benchmark never meets another account's event); the rest share the others.
        regular = self.tams[3:]
        self.primary_of = {}
        assignments = []
        for index, account in enumerate(self.ess):
            if account.slug.startswith(BOOKING_ACCOUNT):
                primary = self.tams[2]
            elif 2 <= index < 2 + BIG_TAM_ACCOUNTS:
                primary = self.tams[0]
            elif 2 + BIG_TAM_ACCOUNTS <= index < 2 + BIG_TAM_ACCOUNTS + SMALL_TAM_ACCOUNTS:
                primary = self.tams[1]
            else:
                primary = regular[index % len(regular)]
            backup = regular[(index * 7 + 1) % len(regular)]
            if backup == primary:
                backup = regular[(index * 7 + 2) % len(regular)]
            self.primary_of[account.pk] = primary
            assignments.append(
                TamAssignment(account=account, primary=primary, backup=backup, valid_from=self.now - HISTORY)
            )
        TamAssignment.objects.bulk_create(assignments, batch_size=5000)
        # Absences: each regular TAM is away a few days now and then; a few are away now.
        absences = []
        for n, tam in enumerate(regular):
            for weeks_ago in (40, 20, -6):
                starts = self.now - dt.timedelta(weeks=weeks_ago, days=n % 5)
                absences.append(
                    TamAbsence(tam=tam, starts_at=starts, ends_at=starts + dt.timedelta(days=4), note="Leave")
                )
        TamAbsence.objects.bulk_create(absences)
        self.log(f"{len(self.ess)} Enterprise accounts with TAM pairs; {len(absences)} absences")

    # --- cases, timelines, clocks, calls, escalations --------------------------------------------------------

    def _targets(self) -> dict[tuple[int, int], list[SlaTarget]]:
        """Per tier and severity, the five clocks a case runs: first response and resolution of its severity,
        then others of its tier."""
        chosen = {}
        for tier in (self.enterprise, self.standard):
            targets = list(SlaTarget.objects.filter(policy__tier=tier, active=True).select_related("policy"))
            for severity in (1, 2, 3, 4):
                own = [t for t in targets if t.start_event == "case_opened" and t.severity == severity]
                others = [t for t in targets if t not in own]
                chosen[(tier.pk, severity)] = (own + others)[:CLOCKS_PER_CASE]
        return chosen

    def _clock(self, target: SlaTarget, start: dt.datetime, share: float) -> dt.datetime:
        amount = target.duration * share
        if target.clock == "business":
            return self.schedule.add(start, amount)
        return start + amount

    def cases(self) -> None:
        rng = _random(self.options["seed"] + 1)  # its own stream: --cases N gives the newest N cases
        total = self.options["cases"]
        weights = [1 / (rank + 5) ** 0.6 for rank in range(len(self.accounts))]
        cumulative, running = [], 0.0
        for weight in weights:
            running += weight
            cumulative.append(running)
        targets = self._targets()
        step = HISTORY / 200_000  # the same pace at every scale: the newest cases always look alike
        cases = Copier(
            Case,
            [
                "id",
                "account",
                "contact",
                "subject",
                "channel",
                "severity",
                "status",
                "assignee",
                "opened_by",
                "on_behalf",
                "created_at",
                "updated_at",
                "resolved_at",
                "closed_at",
            ],
        )
        entries = Copier(CaseEntry, ["case", "kind", "public", "author", "channel", "body", "created_at"])
        clocks = Copier(
            Milestone,
            [
                "case",
                "contact",
                "escalation",
                "target",
                "name",
                "meet_event",
                "duration",
                "clock",
                "calendar",
                "paused_while_waiting",
                "warn_at_percent",
                "started_at",
                "paused_at",
                "paused_for",
                "due_at",
                "warn_at",
                "met_at",
                "warned_at",
                "breached_at",
            ],
        )
        calls = Copier(ContactLog, ["id", "case", "kind", "received_at", "answered_at", "tam", "logged_by", "notes"])
        escalations = Copier(
            Escalation,
            ["id", "case", "escalated_to", "escalated_at", "reason", "acknowledged_at", "acknowledged_by"],
        )
        for index in range(total):
            case_id = total - index
            account = self.accounts[_pick(cumulative, rng.random() * running)]
            if index == 0:
                account = self.accounts[0]
            tier = self.tier_of[account.pk]
            created = self.now - step * index - dt.timedelta(seconds=rng.randrange(60))
            age = self.now - created
            severity = rng.choices((1, 2, 3, 4), weights=(5, 20, 50, 25))[0]
            channel = rng.choice(("phone", "email", "portal", "portal", "voicemail", "remote"))
            contact = self.contact_of[account.pk]
            staff_opened = channel in ("phone", "email", "voicemail")
            opened_by = rng.choice(self.support) if staff_opened else contact
            assignee = rng.choice(self.support) if rng.random() < 0.8 else None
            resolved = closed = None
            if age < OPEN_AGE:
                status = rng.choices(("new", "open", "waiting", "escalated"), weights=(25, 45, 20, 10))[0]
                if status == "escalated" and tier != self.enterprise:
                    status = "open"
            else:
                resolved = created + dt.timedelta(hours=rng.uniform(1, 120))
                status = "resolved" if age < dt.timedelta(days=7) else "closed"
                closed = resolved + dt.timedelta(days=3) if status == "closed" else None
            updated = closed or resolved or created
            cases.add(
                case_id,
                account.pk,
                contact.pk,
                rng.choice(SUBJECTS),
                channel,
                severity,
                status,
                assignee and assignee.pk,
                opened_by.pk,
                staff_opened,
                created,
                updated,
                resolved,
                closed,
            )
            entries.add(case_id, "reply", True, opened_by.pk, channel, "Opened: " + rng.choice(SUBJECTS), created)
            entries.add(case_id, "sla", False, None, "", "Clock started: first response", created)
            if status != "new":
                replied = created + dt.timedelta(minutes=rng.randrange(10, 240))
                author = assignee or self.support[0]
                entries.add(case_id, "reply", True, author.pk, "portal", rng.choice(ENTRY_BODIES), replied)
            if resolved:
                entries.add(case_id, "status", True, assignee and assignee.pk, "", "Status: Open → Resolved", resolved)
            # A phone case has its logged call; some Enterprise cases were escalated to the TAM. Their clocks
            # (phone answered, escalation acknowledged) belong to the call and the escalation.
            call = escalation = escalated = acknowledged = None
            if channel == "phone":
                call = calls.written + calls.pending + 1
                answered = created + dt.timedelta(seconds=rng.randrange(20, 200))
                calls.add(call, case_id, "phone", created, answered, None, opened_by.pk, "")
            if tier == self.enterprise and (status == "escalated" or (resolved and rng.random() < 0.06)):
                escalation = escalations.written + escalations.pending + 1
                escalated = created + dt.timedelta(minutes=30)
                acknowledged = escalated + dt.timedelta(minutes=rng.randrange(2, 25)) if resolved else None
                tam = self.primary_of[account.pk]
                escalations.add(
                    escalation,
                    case_id,
                    tam.pk,
                    escalated,
                    "Customer asked for the TAM",
                    acknowledged,
                    acknowledged and tam.pk,
                )
            for number, target in enumerate(targets[(tier.pk, severity)]):
                started = created + dt.timedelta(seconds=number)
                owner_call = call if target.start_event == "call_received" else None
                owner_escalation = escalation if target.start_event == "escalated" else None
                if owner_escalation:
                    started = escalated
                due = self._clock(target, started, 1)
                warn = self._clock(target, started, target.policy.warn_at_percent / 100)
                met = warned = breached = paused = None
                if owner_escalation and acknowledged:
                    met = acknowledged
                elif resolved:
                    met = min(started + (due - started) * rng.uniform(0.1, 1.15), resolved)
                    met = max(met, started)
                elif number == 0 and status != "new":
                    met = started + (due - started) * rng.uniform(0.1, 0.9)
                if status == "waiting" and target.paused_while_waiting and met is None:
                    paused = created + (self.now - created) / 2
                if met is None and paused is None:
                    if due <= self.now:
                        breached, warned = due, warn
                    elif warn <= self.now:
                        warned = warn
                elif met is not None:
                    if met > due:
                        breached, warned = due, warn
                    elif met > warn:
                        warned = warn
                clocks.add(
                    case_id,
                    owner_call,
                    owner_escalation,
                    target.pk,
                    target.name,
                    target.meet_event,
                    target.duration,
                    target.clock,
                    target.calendar_id,
                    target.paused_while_waiting,
                    target.policy.warn_at_percent,
                    started,
                    paused,
                    dt.timedelta(0),
                    due,
                    warn,
                    met,
                    warned,
                    breached,
                )
            if (index + 1) % 20_000 == 0:
                self.log(f"cases {index + 1:,} of {total:,}")
        for copier in (cases, entries, clocks, calls, escalations):
            copier.flush()
        for model in (Case, CaseEntry, Milestone, ContactLog, Escalation):
            _reset_sequence(model)
        self.log(
            f"{cases.written:,} cases, {entries.written:,} timeline entries, {clocks.written:,} SLA clocks, "
            f"{calls.written:,} calls, {escalations.written:,} escalations"
        )

    # --- credit ledger and maintenance events -----------------------------------------------------------------

    def credits_and_events(self) -> None:
        rng = _random(self.options["seed"] + 2)
        current = Quarter.of(self.today)
        first = current
        for _ in range(self.options["quarters"]):
            first = first.previous()
        quarters = list(quarters_between(first, current))
        chance = min(1.0, self.options["events"] / (len(self.ess) * len(quarters)))
        ledger = Copier(
            CreditEntry,
            [
                "account",
                "kind",
                "available_delta",
                "reserved_delta",
                "quarter_start",
                "cause",
                "event",
                "reason",
                "created_at",
            ],
        )
        events = Copier(
            MaintenanceEvent,
            [
                "id",
                "uid",
                "account",
                "requested_by",
                "performing_tam",
                "scope",
                "description",
                "starts_at",
                "ends_at",
                "critical",
                "critical_justification",
                "status",
                "proposal_note",
                "outcome",
                "actual_duration",
                "notes",
                "cancel_reason",
                "no_show",
                "sequence",
                "created_at",
                "confirmed_at",
                "completed_at",
                "cancelled_at",
                "reminder_sent_at",
            ],
        )
        busy: dict[int, set[int]] = {}  # per TAM, the UTC hours already taken
        event_id = 0
        for account in self.ess:
            if account.slug.startswith(BOOKING_ACCOUNT):
                continue  # the booking benchmark gives this account its credits itself
            tam = self.primary_of[account.pk]
            available = 0
            for quarter in quarters:
                granted_at = quarter.starts_at()
                ledger.add(account.pk, "grant", 1, 0, quarter.start, "", None, quarter.label, granted_at)
                available += 1
                if available > 2:
                    ledger.add(
                        account.pk,
                        "forfeit",
                        2 - available,
                        0,
                        quarter.start,
                        "bank_cap",
                        None,
                        quarter.label,
                        granted_at,
                    )
                    available = 2
                if rng.random() >= chance or available < 1:
                    continue
                future = quarter == current
                starts = self._free_slot(rng, busy.setdefault(tam.pk, set()), quarter, future)
                if starts is None:
                    continue
                event_id += 1
                hours = rng.choice((1, 2, 3))
                ends = starts + dt.timedelta(hours=hours)
                booked = (self.now if future else starts) - dt.timedelta(days=rng.randrange(15, 40))
                booked = max(booked, granted_at)
                status = "requested" if future and rng.random() < 0.3 else "confirmed" if future else "completed"
                if not future and rng.random() < 0.15:
                    status = "cancelled"
                confirmed = booked + dt.timedelta(days=1) if status != "requested" else None
                completed = ends if status == "completed" else None
                cancelled = starts - dt.timedelta(days=5) if status == "cancelled" else None
                events.add(
                    event_id,
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    account.pk,
                    self.contact_of[account.pk].pk,
                    tam.pk,
                    rng.choice(SCOPES),
                    "Apply the maintenance release and check the capture services.",
                    starts,
                    ends,
                    False,
                    "",
                    status,
                    "",
                    "Applied, all services up." if completed else "",
                    dt.timedelta(hours=hours) if completed else None,
                    "",
                    "Customer postponed." if cancelled else "",
                    False,
                    0,
                    booked,
                    confirmed,
                    completed,
                    cancelled,
                    starts - dt.timedelta(days=2) if completed else None,
                )
                ledger.add(account.pk, "reserve", -1, 1, None, "", event_id, "", booked)
                available -= 1
                if completed:
                    ledger.add(account.pk, "consume", 0, -1, None, "", event_id, "", completed)
                elif cancelled:
                    ledger.add(account.pk, "release", 1, -1, None, "", event_id, "", cancelled)
                    available += 1
                    if available > 2:
                        ledger.add(account.pk, "forfeit", -1, 0, None, "release_cap", event_id, "", cancelled)
                        available = 2
        # Adjustments make up the rest of the ledger: goodwill credits taken back the same day, so balances hold.
        ledger.flush()
        events.flush()
        pairs = max(0, (self.options["ledger"] - ledger.written) // 2)
        spread = HISTORY.total_seconds()
        for n in range(pairs):
            account = self.ess[2 + n % (len(self.ess) - 2)]
            at = self.now - dt.timedelta(seconds=rng.uniform(3600, spread))
            ledger.add(account.pk, "adjustment", 1, 0, None, "", None, "Goodwill credit", at)
            ledger.add(
                account.pk,
                "adjustment",
                -1,
                0,
                None,
                "",
                None,
                "Goodwill credit withdrawn",
                at + dt.timedelta(minutes=5),
            )
            if (n + 1) % 200_000 == 0:
                self.log(f"ledger adjustments {2 * (n + 1):,} of {2 * pairs:,}")
        ledger.flush()
        _reset_sequence(CreditEntry)
        # The load ran without triggers: sum the ledger into the balances the database keeps from here on.
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{CreditBalance._meta.db_table}" (account_id, available, reserved) '  # noqa: S608
                f"SELECT account_id, SUM(available_delta), SUM(reserved_delta) "
                f'FROM "{CreditEntry._meta.db_table}" GROUP BY account_id'
            )
        _reset_sequence(MaintenanceEvent)
        QuarterRollover.objects.bulk_create(
            QuarterRollover(quarter_start=q.start, applied_at=q.starts_at(), granted=len(self.ess)) for q in quarters
        )
        self.log(f"{ledger.written:,} credit ledger rows, {events.written:,} maintenance events")

    def _free_slot(self, rng, taken: set[int], quarter: Quarter, future: bool) -> dt.datetime | None:
        """A free evening or weekend slot of up to three hours for the TAM: in the quarter, or 15 to 90 days ahead."""
        for _ in range(60):
            if future:
                day = self.today + dt.timedelta(days=rng.randrange(15, 90))
            else:
                day = quarter.start + dt.timedelta(days=rng.randrange((quarter.end - quarter.start).days - 3))
            hour = rng.choice((0, 3, 6, 9, 12, 15, 18, 21)) if day.weekday() >= 5 else rng.choice((18, 21))
            starts = dt.datetime.combine(day, dt.time(hour), tzinfo=self.zone)
            first_hour = int(starts.timestamp() // 3600)
            hours = set(range(first_hour - 2, first_hour + 4))
            if not hours & taken:
                taken.update(hours)
                return starts
        return None

    # --- releases, previews, reviews ------------------------------------------------------------------------

    def releases_and_reviews(self) -> None:
        rng = _random(self.options["seed"] + 3)
        count = self.options["releases"]
        releases = []
        minor, patch = 0, 0
        for n in range(count):
            kind = "major" if n % 13 == 12 else "minor" if n % 4 == 3 else "patch"
            if kind == "minor":
                minor, patch = minor + 1, 0
            elif kind == "patch":
                patch += 1
            major = 10 + sum(1 for m in range(n + 1) if m % 13 == 12)
            if kind == "major":
                minor, patch = 0, 0
            planned = self.today - HISTORY + (HISTORY + dt.timedelta(days=60)) * n / count
            release = Release(
                version=f"{major}.{minor}.{patch}",
                kind=kind,
                planned_date=planned,
                actual_date=planned if planned <= self.today else None,
                published=True,
                notes="Fixes and improvements.",
            )
            release.save()
            releases.append(release)
        ReleaseItem.objects.bulk_create(
            ReleaseItem(
                release=r, kind=rng.choice(("feature", "fix")), title=f"Item {i} of {r.version}", modules="Capture"
            )
            for r in releases
            for i in range(5)
        )
        previews = Copier(
            PreviewSession,
            [
                "uid",
                "release",
                "account",
                "tam",
                "scheduled_at",
                "duration_minutes",
                "uses_replica",
                "attendees",
                "notes",
                "status",
                "sequence",
                "decline_reason",
                "created_by",
                "created_at",
                "held_at",
            ],
        )
        recent = [r for r in releases if r.kind == "patch" and self.today - dt.timedelta(days=120) <= r.planned_date]
        for release in recent:
            for account in self.ess[::2]:
                tam = self.primary_of[account.pk]
                at = dt.datetime.combine(release.planned_date - dt.timedelta(days=7), dt.time(10), tzinfo=self.zone)
                held = at < self.now
                previews.add(
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    release.pk,
                    account.pk,
                    tam.pk,
                    at,
                    60,
                    False,
                    "",
                    "",
                    "held" if held else "planned",
                    0,
                    "",
                    tam.pk,
                    at - dt.timedelta(days=10),
                    at + dt.timedelta(hours=1) if held else None,
                )
        previews.flush()

        current = Quarter.of(self.today)
        quarters = [current]
        for _ in range(self.options["quarters"]):
            quarters.insert(0, quarters[0].previous())
        review_id = 0
        reviews = Copier(
            ProactiveReview,
            [
                "id",
                "account",
                "quarter_start",
                "due_date",
                "tam",
                "status",
                "scheduled_at",
                "summary",
                "monitoring_tools",
                "inventory_source",
                "created_at",
                "held_at",
                "published_at",
                "published_by",
            ],
        )
        findings = Copier(Finding, ["review", "source", "level", "count", "summary"])
        inventory = Copier(InventoryRow, ["review", "extension", "file_count", "bytes"])
        advice = Copier(Recommendation, ["review", "text", "priority", "status", "created_at", "updated_at"])
        for quarter in quarters:
            past = quarter != current
            for account in self.ess:
                review_id += 1
                tam = self.primary_of[account.pk]
                at = quarter.starts_at() + dt.timedelta(days=rng.randrange(20, 70), hours=10)
                scheduled = at if past or rng.random() < 0.5 else None
                reviews.add(
                    review_id,
                    account.pk,
                    quarter.start,
                    quarter.end,
                    tam.pk,
                    "published" if past else "scheduled" if scheduled else "due",
                    scheduled,
                    "System healthy; two recommendations." if past else "",
                    "Event log forwarding" if past else "",
                    "",
                    quarter.starts_at(),
                    at + dt.timedelta(hours=2) if past else None,
                    at + dt.timedelta(days=2) if past else None,
                    tam.pk if past else None,
                )
                if not past:
                    continue
                findings.add(review_id, "Application event log", "warning", rng.randrange(1, 40), "Capture retries")
                findings.add(review_id, "KwikTag capture service", "info", 1, "Service restarted weekly")
                for extension in ("pdf", "tif", "docx", "msg"):
                    inventory.add(review_id, extension, rng.randrange(1000, 90000), rng.randrange(10**8, 10**11))
                advice.add(review_id, "Archive documents older than seven years.", "medium", "open", at, at)
                advice.add(review_id, "Move the repository to faster storage.", "high", "accepted", at, at)
        for copier in (reviews, findings, inventory, advice):
            copier.flush()
        for model in (ProactiveReview, Finding, InventoryRow, Recommendation, PreviewSession):
            _reset_sequence(model)
        ReviewQuarter.objects.bulk_create(
            ReviewQuarter(quarter_start=q.start, applied_at=q.starts_at(), created=len(self.ess)) for q in quarters
        )
        self.log(
            f"{len(releases)} releases, {previews.written:,} previews, {reviews.written:,} reviews with "
            f"{findings.written + inventory.written + advice.written:,} findings, inventory rows and recommendations"
        )

    def check_foreign_keys(self) -> None:
        """The load ran without foreign-key triggers: prove every reference of the big tables resolves."""
        checks = [
            (Case, "account", Account),
            (Case, "contact", User),
            (Case, "opened_by", User),
            (CaseEntry, "case", Case),
            (Milestone, "case", Case),
            (Milestone, "target", SlaTarget),
            (ContactLog, "case", Case),
            (CreditEntry, "account", Account),
            (CreditEntry, "event", MaintenanceEvent),
            (MaintenanceEvent, "account", Account),
            (MaintenanceEvent, "performing_tam", User),
            (PreviewSession, "release", Release),
            (ProactiveReview, "account", Account),
            (Finding, "review", ProactiveReview),
            (InventoryRow, "review", ProactiveReview),
            (Recommendation, "review", ProactiveReview),
        ]
        with connection.cursor() as cursor:
            for model, field, target in checks:
                column = model._meta.get_field(field).column
                table, target_table = model._meta.db_table, target._meta.db_table
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{table}" x WHERE x.{column} IS NOT NULL '  # noqa: S608
                    f'AND NOT EXISTS (SELECT 1 FROM "{target_table}" t WHERE t.id = x.{column})'
                )
                missing = cursor.fetchone()[0]
                if missing:
                    raise CommandError(f"{missing} rows of {table}.{column} point nowhere")
        self.log("every foreign key of the loaded tables resolves")


def _pick(cumulative: list[float], point: float) -> int:
    """The index whose cumulative weight first reaches ``point`` (a weighted choice in O(log n))."""
    low, high = 0, len(cumulative) - 1
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] < point:
            low = middle + 1
        else:
            high = middle
    return low
