"""Demo cases for `seed_demo`: a queue with something at every stage. Written once (idempotent)."""

import datetime as dt

from django.utils import timezone

from accounts.models import Account, User

from .models import Case
from .services import (
    case_escalate,
    case_note,
    case_open,
    case_reply,
    case_set_status,
    contact_log,
    escalation_acknowledge,
)


def seed_cases(log, users: dict[str, User]) -> None:
    acme, globex = Account.objects.get(slug="acme"), Account.objects.get(slug="globex")
    if Case.objects.filter(account__in=[acme, globex]).exists():
        log("  cases already there")
        return
    alice, bob = users["alice@acme.example"], users["bob@globex.example"]
    support, tam = users["support@ess.example"], users["tam@ess.example"]
    now = timezone.now()
    ago = lambda **kw: now - dt.timedelta(**kw)  # noqa: E731 - reads well below

    down = case_open(
        actor=support,
        account=acme,
        contact=alice,
        subject="Invoice capture stopped after the overnight restart",
        description="Alice called: no invoices captured since 06:10; the capture service will not start.",
        channel="phone",
        severity=1,
        at=ago(hours=3),
    )
    contact_log(
        actor=support,
        case=down,
        kind="phone",
        received_at=ago(hours=3, minutes=1),
        answered_at=ago(hours=3),
        notes="Alice",
    )
    case_note(actor=support, case=down, body="Event log shows the service account password expired.")
    escalation = case_escalate(actor=support, case=down, reason="Production capture down", at=ago(hours=2, minutes=50))
    escalation_acknowledge(actor=tam, escalation=escalation, at=ago(hours=2, minutes=42))
    case_reply(
        actor=tam,
        case=down,
        body="I'm on it: the service account password expired. Resetting it now.",
        at=ago(hours=2, minutes=40),
    )

    waiting = case_open(
        actor=alice,
        account=acme,
        subject="Approval workflow skips the second approver",
        description="Invoices over $10,000 should need two approvals; some pass with one.",
        channel="portal",
        severity=3,
        at=ago(days=2),
    )
    case_reply(
        actor=support,
        case=waiting,
        body="Could you send the workflow export (XML) and two invoice numbers?",
        at=ago(days=1, hours=20),
    )
    case_set_status(actor=support, case=waiting, status="waiting", at=ago(days=1, hours=20))

    voicemail = case_open(
        actor=support,
        account=acme,
        contact=alice,
        subject="Question about the 10.2 release notes",
        description="Voicemail to Terry about the connector changes in 10.2.",
        channel="voicemail",
        severity=4,
        at=ago(minutes=40),
    )
    contact_log(actor=support, case=voicemail, kind="voicemail", received_at=ago(minutes=40), tam=tam)

    case_open(
        actor=bob,
        account=globex,
        subject="Scanner profile missing after upgrade",
        description="The 'AP Batch' scanner profile is gone since yesterday's update.",
        channel="portal",
        severity=2,
        at=ago(hours=5),
    )
    resolved = case_open(
        actor=bob,
        account=globex,
        subject="How do I add a new vendor field?",
        description="We need a 'Cost centre' field on vendor records.",
        channel="email",
        severity=4,
        at=ago(days=6),
    )
    case_reply(
        actor=support,
        case=resolved,
        body="Configuration > Fields > Add; a how-to is attached to the KB.",
        at=ago(days=5),
    )
    case_set_status(actor=support, case=resolved, status="resolved", at=ago(days=5))
    for minutes, answered_after in ((200, 45), (150, 95), (90, 200), (30, 60)):
        contact_log(
            actor=support,
            case=resolved,
            kind="phone",
            received_at=ago(minutes=minutes),
            answered_at=ago(minutes=minutes) + dt.timedelta(seconds=answered_after),
            notes="Bob, follow-up question",
        )
    count = Case.objects.filter(account__in=[acme, globex]).count()
    log(f"  {count} cases with replies, notes, an escalation and calls")
