"""Reads for the case pages: the support queue, and how a deadline reads to a person."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from accounts.coverage import Coverage, NoTamAvailable, coverage_many
from accounts.models import Tier
from accounts.quarters import vendor_today
from accounts.selectors import contract_in_force
from core.wording import span_words

from .models import Case, EntryKind, Milestone

SOON = dt.timedelta(hours=1)
# Timeline lines the portal writes itself: one line each on the case page, under the conversation's own entries.
SYSTEM_ENTRY_KINDS = (EntryKind.STATUS, EntryKind.SLA, EntryKind.ESCALATION)


@dataclass(frozen=True)
class CaseFacts:
    tier: Tier | None
    coverage: Coverage | None


def case_facts(case: Case, now: dt.datetime) -> CaseFacts:
    """The side panel's facts: the account's tier today and who looks after it now (a fixed number of queries)."""
    contract = contract_in_force(case.account, vendor_today(now))
    tier = contract.tier if contract else None
    try:
        cover = coverage_many([case.account], now)[case.account.pk] if tier and tier.assigned_tam else None
    except NoTamAvailable:
        cover = None
    return CaseFacts(tier, cover)


@dataclass(frozen=True)
class Countdown:
    label: str
    tone: str = ""  # a badge colour: "danger", "warn" or "" for none
    due: dt.datetime | None = None  # while the clock runs: the page counts down to it (static/js/countdown.js)


def _span(left: dt.timedelta) -> str:
    return span_words(max(left, dt.timedelta(minutes=1)))


def countdown(due_at: dt.datetime | None, now: dt.datetime, *, breached=False, paused=False) -> Countdown:
    """What a running deadline says now: "due in 1 h 20 min", "due now", "breached" or "paused". A due time
    already past reads as breached even before the chaser has recorded it; at the due time itself it is not yet
    (a target met then is met)."""
    if breached:
        return Countdown("breached", "danger")
    if due_at is not None:
        left = due_at - now
        if left < dt.timedelta(0):
            return Countdown("breached", "danger")
        if not left:
            return Countdown("due now", "warn", due_at)
        return Countdown(f"due in {_span(left)}", "warn" if left <= SOON else "", due_at)
    if paused:
        return Countdown("paused")
    return Countdown("no running clock")


def queue_countdown(case: Case, now: dt.datetime) -> Countdown:
    """A queue row's time to breach, from the annotations of ``support_queue``."""
    return countdown(case.next_due, now, breached=case.breached, paused=case.paused)


def milestone_countdown(milestone: Milestone, now: dt.datetime) -> Countdown:
    state = milestone.state
    if state == "running":
        return countdown(milestone.due_at, now)
    return Countdown(state, {"met": "ok", "met late": "warn", "breached": "danger"}.get(state, ""))


def support_queue(user, *, status="", severity=None, account=None, assignee=None):
    """The open cases a staff member works, most urgent first (an ESS account first at equal urgency), with
    everything a queue row shows fetched in the same query."""
    paused = Milestone.objects.filter(
        case=OuterRef("pk"), paused_at__isnull=False, met_at__isnull=True, breached_at__isnull=True
    )
    cases = (
        Case.objects.visible_to(user)
        .open()
        .with_urgency()
        .annotate(paused=Exists(paused))
        .select_related("account", "assignee")
        .queue_order()
    )
    if status:
        cases = cases.filter(status=status)
    if severity:
        cases = cases.filter(severity=severity)
    if account is not None:
        cases = cases.filter(account=account)
    if assignee is not None:
        cases = cases.filter(assignee=assignee)
    return cases


def escalation_countdown(escalation, now: dt.datetime) -> Countdown:
    """Time left to acknowledge: the escalation's own SLA clock (a tier without that target has none)."""
    try:
        milestone = escalation.milestone
    except Milestone.DoesNotExist:
        return Countdown("no target")
    return milestone_countdown(milestone, now)
