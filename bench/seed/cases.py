"""Cases over two years with their timelines, five SLA clocks each, logged calls and escalations.

Cases are generated newest first from their own random stream, so ``--cases 1000`` gives exactly the newest
1,000 cases of a full-scale database (the same open working set): the baseline of the case-list benchmark.
"""

import datetime as dt
from typing import NamedTuple

from bench.seed.accounts import Vendor
from bench.seed.base import HISTORY, Copier, Seeding, flush_all
from cases import tally
from cases.models import Case, CaseEntry, ContactLog, Escalation, Milestone, SlaTarget
from cases.urgency import refresh_all

OPEN_AGE = dt.timedelta(days=2)  # cases younger than this are still being worked
CLOCKS_PER_CASE = 5
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
CASE_FIELDS = [
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
]
MILESTONE_FIELDS = [
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
]


def load_cases(seeding: Seeding, vendor: Vendor) -> None:
    cases = _Cases(seeding, vendor)
    total = seeding.options["cases"]
    for index in range(total):
        cases.add(index, total)
        if (index + 1) % 20_000 == 0:
            seeding.log(f"cases {index + 1:,} of {total:,}")
    cases.flush()
    # The load runs without triggers: the queue's sort key from the clocks, and the count of cases per status, as
    # the database keeps them from here on.
    refresh_all()
    tally.recount()


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


class _Story(NamedTuple):
    """What a case's clocks depend on: its status and times, and the call and escalation that own some of them."""

    id: int
    status: str
    created: dt.datetime
    resolved: dt.datetime | None
    call: int | None
    escalation: int | None
    escalated: dt.datetime | None
    acknowledged: dt.datetime | None


class _Cases:
    """The copiers of the case tables, and one case at a time written into them."""

    def __init__(self, seeding: Seeding, vendor: Vendor):
        self.seeding, self.vendor = seeding, vendor
        self.rng = seeding.stream(1)  # its own stream: --cases N gives the newest N cases
        weights = [1 / (rank + 5) ** 0.6 for rank in range(len(vendor.accounts))]
        self.cumulative, self.running = [], 0.0
        for weight in weights:
            self.running += weight
            self.cumulative.append(self.running)
        self.targets = self._targets()
        self.step = HISTORY / 200_000  # the same pace at every scale: the newest cases always look alike
        self.cases = Copier(Case, CASE_FIELDS)
        self.entries = Copier(CaseEntry, ["case", "kind", "public", "author", "channel", "body", "created_at"])
        self.clocks = Copier(Milestone, MILESTONE_FIELDS)
        self.calls = Copier(
            ContactLog, ["id", "case", "kind", "received_at", "answered_at", "tam", "logged_by", "notes"]
        )
        self.escalations = Copier(
            Escalation,
            ["id", "case", "escalated_to", "escalated_at", "reason", "acknowledged_at", "acknowledged_by"],
        )

    def _targets(self) -> dict[tuple[int, int], list[SlaTarget]]:
        """Per tier and severity, the five clocks a case runs: first response and resolution of its severity,
        then others of its tier."""
        chosen = {}
        for tier in (self.vendor.enterprise, self.vendor.standard):
            targets = list(SlaTarget.objects.filter(policy__tier=tier, active=True).select_related("policy"))
            for severity in (1, 2, 3, 4):
                own = [t for t in targets if t.start_event == "case_opened" and t.severity == severity]
                others = [t for t in targets if t not in own]
                chosen[(tier.pk, severity)] = (own + others)[:CLOCKS_PER_CASE]
        return chosen

    def add(self, index: int, total: int) -> None:
        rng, vendor, now = self.rng, self.vendor, self.seeding.now
        case_id = total - index
        account = vendor.accounts[_pick(self.cumulative, rng.random() * self.running)]
        if index == 0:
            account = vendor.accounts[0]
        tier = vendor.tier_of[account.pk]
        created = now - self.step * index - dt.timedelta(seconds=rng.randrange(60))
        age = now - created
        severity = rng.choices((1, 2, 3, 4), weights=(5, 20, 50, 25))[0]
        channel = rng.choice(("phone", "email", "portal", "portal", "voicemail", "remote"))
        contact = vendor.contact_of[account.pk]
        staff_opened = channel in ("phone", "email", "voicemail")
        opened_by = rng.choice(vendor.support) if staff_opened else contact
        assignee = rng.choice(vendor.support) if rng.random() < 0.8 else None
        resolved = closed = None
        if age < OPEN_AGE:
            status = rng.choices(("new", "open", "waiting", "escalated"), weights=(25, 45, 20, 10))[0]
            if status == "escalated" and tier != vendor.enterprise:
                status = "open"
        else:
            resolved = created + dt.timedelta(hours=rng.uniform(1, 120))
            status = "resolved" if age < dt.timedelta(days=7) else "closed"
            closed = resolved + dt.timedelta(days=3) if status == "closed" else None
        updated = closed or resolved or created
        self.cases.add(
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
        entries = self.entries
        entries.add(case_id, "reply", True, opened_by.pk, channel, "Opened: " + rng.choice(SUBJECTS), created)
        entries.add(case_id, "sla", False, None, "", "Clock started: first response", created)
        if status != "new":
            replied = created + dt.timedelta(minutes=rng.randrange(10, 240))
            author = assignee or vendor.support[0]
            entries.add(case_id, "reply", True, author.pk, "portal", rng.choice(ENTRY_BODIES), replied)
        if resolved:
            entries.add(case_id, "status", True, assignee and assignee.pk, "", "Status: Open → Resolved", resolved)
        # A phone case has its logged call; some Enterprise cases were escalated to the TAM. Their clocks
        # (phone answered, escalation acknowledged) belong to the call and the escalation.
        call = escalation = escalated = acknowledged = None
        if channel == "phone":
            call = self.calls.written + self.calls.pending + 1
            answered = created + dt.timedelta(seconds=rng.randrange(20, 200))
            self.calls.add(call, case_id, "phone", created, answered, None, opened_by.pk, "")
        if tier == vendor.enterprise and (status == "escalated" or (resolved and rng.random() < 0.06)):
            escalation = self.escalations.written + self.escalations.pending + 1
            escalated = created + dt.timedelta(minutes=30)
            acknowledged = escalated + dt.timedelta(minutes=rng.randrange(2, 25)) if resolved else None
            tam = vendor.primary_of[account.pk]
            self.escalations.add(
                escalation,
                case_id,
                tam.pk,
                escalated,
                "Customer asked for the TAM",
                acknowledged,
                acknowledged and tam.pk,
            )
        story = _Story(case_id, status, created, resolved, call, escalation, escalated, acknowledged)
        for number, target in enumerate(self.targets[(tier.pk, severity)]):
            self._clock(story, number, target)

    def _due(self, target: SlaTarget, start: dt.datetime, share: float) -> dt.datetime:
        amount = target.duration * share
        if target.clock == "business":
            return self.vendor.schedule.add(start, amount)
        return start + amount

    def _clock(self, case: _Story, number: int, target: SlaTarget) -> None:
        """The case's ``number``-th SLA clock: met, warned, breached or paused as the case's story says."""
        rng, now = self.rng, self.seeding.now
        started = case.created + dt.timedelta(seconds=number)
        owner_call = case.call if target.start_event == "call_received" else None
        owner_escalation = case.escalation if target.start_event == "escalated" else None
        if owner_escalation:
            started = case.escalated
        due = self._due(target, started, 1)
        warn = self._due(target, started, target.policy.warn_at_percent / 100)
        met = warned = breached = paused = None
        if owner_escalation and case.acknowledged:
            met = case.acknowledged
        elif case.resolved:
            met = min(started + (due - started) * rng.uniform(0.1, 1.15), case.resolved)
            met = max(met, started)
        elif number == 0 and case.status != "new":
            met = started + (due - started) * rng.uniform(0.1, 0.9)
        if case.status == "waiting" and target.paused_while_waiting and met is None:
            paused = case.created + (now - case.created) / 2
        if met is None and paused is None:
            if due <= now:
                breached, warned = due, warn
            elif warn <= now:
                warned = warn
        elif met is not None:
            if met > due:
                breached, warned = due, warn
            elif met > warn:
                warned = warn
        self.clocks.add(
            case.id,
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

    def flush(self) -> None:
        copiers = (self.cases, self.entries, self.clocks, self.calls, self.escalations)
        flush_all(*copiers, models=(Case, CaseEntry, Milestone, ContactLog, Escalation))
        self.seeding.log(
            f"{self.cases.written:,} cases, {self.entries.written:,} timeline entries, "
            f"{self.clocks.written:,} SLA clocks, {self.calls.written:,} calls, "
            f"{self.escalations.written:,} escalations"
        )
