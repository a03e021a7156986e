"""Reads the role homes and the TAM dashboard ask the cases app for (fixed numbers of queries)."""

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Case, ContactKind, ContactLog, Escalation, MeetEvent, Milestone, SlaTarget, StartEvent

AT_RISK = dt.timedelta(hours=1)


def open_cases_of(account, *, limit: int = 5) -> list[Case]:
    """A customer's open cases, most urgent first, with ``next_due`` and ``breached`` annotations."""
    return list(
        Case.objects.filter(account=account)
        .open()
        .with_urgency(customer_view=True)
        .select_related("assignee")
        .queue_order(one_account=True)[:limit]
    )


def case_health(accounts) -> dict[int, dict]:
    """Per account: open cases, and how many are at risk (a running clock due within an hour) or breached."""
    now = timezone.now()
    open_cases = Case.objects.open().filter(account__in=accounts)
    counts = {row["account_id"]: row["n"] for row in open_cases.values("account_id").annotate(n=Count("id"))}
    risky = (
        Milestone.objects.filter(case__in=open_cases, met_at__isnull=True)
        .filter(Q(breached_at__isnull=False) | Q(paused_at__isnull=True, due_at__lte=now + AT_RISK))
        .values("case__account_id")
        .annotate(
            breached=Count("case", filter=Q(breached_at__isnull=False), distinct=True),
            at_risk=Count("case", filter=Q(breached_at__isnull=True), distinct=True),
        )
    )
    risk = {row["case__account_id"]: row for row in risky}
    return {
        account.pk: {
            "open": counts.get(account.pk, 0),
            "at_risk": risk.get(account.pk, {}).get("at_risk", 0),
            "breached": risk.get(account.pk, {}).get("breached", 0),
        }
        for account in accounts
    }


def escalations_waiting_for(user) -> list[Escalation]:
    return list(
        Escalation.objects.open()
        .filter(escalated_to=user)
        .select_related("case", "case__account", "milestone")
        .order_by("escalated_at")
    )


def phone_answer_target() -> dt.timedelta:
    """The phone-answer promise as admins configured it (the FAQ's two minutes when none is set)."""
    target = (
        SlaTarget.objects.filter(start_event=StartEvent.CALL_RECEIVED, meet_event=MeetEvent.CALL_ANSWERED, active=True)
        .order_by("duration")
        .first()
    )
    return target.duration if target else dt.timedelta(minutes=2)


def phone_stats(day: dt.date, zone) -> dict:
    """Calls received on ``day`` (in ``zone``) and the share answered within the phone-answer target."""
    limit = phone_answer_target()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    calls = ContactLog.objects.filter(
        kind=ContactKind.PHONE, received_at__gte=start, received_at__lt=start + dt.timedelta(days=1)
    )
    totals = calls.aggregate(
        total=Count("id"),
        quick=Count("id", filter=Q(answered_at__lte=F("received_at") + limit)),
    )
    total, quick = totals["total"], totals["quick"]
    percent = round(100 * quick / total, 1) if total else None
    return {"total": total, "within_two_minutes": quick, "percent": percent, "target": limit}
