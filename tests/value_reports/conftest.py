"""A quarter of service to report on: Acme (Enterprise, Terry with Bianca as backup) through Q2 2026, with rows of
every kind the value report counts, some just inside the quarter's edges (local midnight in Denver) and some just
outside. The clock stands on Thursday, Jul 2, 2026, noon in Denver (Q3), unless a test moves it."""

import datetime as dt
import zoneinfo

import pytest

from accounts.models import TamAbsence
from cases.models import Case, Milestone, SlaTarget
from maintenance.credits import quarter_roll_over
from maintenance.models import CreditEntry, MaintenanceEvent
from reviews.models import Finding, PreviewSession, ProactiveReview, Recommendation, Release

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = dt.datetime(2026, 7, 2, 12, tzinfo=DENVER)
ON_THE_FIXED_CLOCK = pytest.mark.time_machine(NOW, tick=False)
Q2_FIRST = dt.datetime(2026, 4, 1, tzinfo=DENVER)  # 06:00 UTC
Q2_LAST = dt.datetime(2026, 7, 1, tzinfo=DENVER)


def denver(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=DENVER)


def _event(account, people, starts_at, **fields):
    return MaintenanceEvent.objects.create(
        account=account,
        requested_by=people["alice"],
        performing_tam=people["tam"],
        scope=fields.pop("scope", "maintenance_release"),
        description="Apply the maintenance release.",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        **fields,
    )


def _case(account, people, created_at, severity, channel):
    return Case.objects.create(
        account=account,
        contact=people["alice"],
        subject=f"{channel} case of severity {severity}",
        channel=channel,
        severity=severity,
        status="open",
        opened_by=people["support"],
        created_at=created_at,
    )


def _clock(case, target, started_at, *, after=None, due_in=dt.timedelta(hours=4), breached=False):
    due = started_at + due_in
    return Milestone.objects.create(
        case=case,
        target=target,
        name=target.name,
        meet_event=target.meet_event,
        duration=target.duration,
        clock="wall",
        started_at=started_at,
        due_at=due,
        warn_at=started_at + due_in * 3 / 4,
        met_at=started_at + after if after is not None else None,
        breached_at=due if breached else None,
    )


def build_quarter(account, people, clock) -> None:
    """Q2 2026 for ``account``: credits, events, cases and clocks, a preview, the review, an absence. The quarterly
    credit job runs at each quarter start (``clock``: time-machine's fixture), then the clock comes back to NOW."""
    for moment in (denver(1, 1, 1), denver(4, 1, 1), denver(7, 1, 1)):
        clock.move_to(moment, tick=False)
        quarter_roll_over()  # one credit each quarter: two banked from Apr 1, capped at two on Jul 1
    clock.move_to(NOW, tick=False)
    # Events: one held in May, one no-show in June, one held on Mar 31 late evening (Q1) and one on Jul 1 (Q3).
    _event(account, people, denver(5, 16, 19), status="completed", completed_at=denver(5, 16, 21))
    _event(account, people, denver(6, 20, 19), status="cancelled", no_show=True, cancelled_at=denver(6, 20, 20))
    _event(account, people, denver(3, 31, 23), status="completed")
    _event(account, people, denver(7, 1, 0, 30), status="completed")
    _event(account, people, denver(6, 6, 19), status="cancelled", cancelled_at=denver(6, 1))  # not held
    CreditEntry.objects.create(
        account=account, kind="consume", available_delta=0, reserved_delta=0, created_at=denver(5, 16, 21)
    )
    CreditEntry.objects.create(
        account=account,
        kind="forfeit",
        available_delta=-1,
        cause="release_cap",
        reason="Released credit over the bank limit",
        created_at=denver(6, 2),
    )
    CreditEntry.objects.create(
        account=account, kind="adjustment", available_delta=1, reason="Goodwill", created_at=denver(6, 1)
    )
    # Cases: severities and channels; one just before the quarter (Mar 31 23:30) and one just after.
    ess_targets = SlaTarget.objects.filter(policy__tier__name="Enterprise")
    first_response = ess_targets.filter(meet_event="first_response").first()
    phone = ess_targets.get(meet_event="call_answered")
    inside = [
        (denver(4, 1, 0, 30), 1, "phone"),
        (denver(4, 15), 2, "email"),
        (denver(5, 3), 2, "portal"),
        (denver(6, 30, 23, 30), 3, "portal"),
    ]
    cases = [_case(account, people, *spec) for spec in inside]
    _case(account, people, denver(3, 31, 23, 30), 4, "email")
    _case(account, people, denver(7, 1, 0, 10), 4, "voicemail")
    _clock(cases[0], phone, cases[0].created_at, after=dt.timedelta(seconds=50), due_in=dt.timedelta(minutes=2))
    _clock(cases[0], first_response, cases[0].created_at, after=dt.timedelta(minutes=20))
    _clock(cases[1], first_response, cases[1].created_at, after=dt.timedelta(hours=1))
    _clock(cases[2], first_response, cases[2].created_at, after=dt.timedelta(hours=6))  # met late
    _clock(cases[3], first_response, cases[3].created_at, breached=True)
    _clock(cases[3], phone, denver(3, 31, 23, 59), after=dt.timedelta(minutes=5), due_in=dt.timedelta(minutes=2))
    # A release preview held in May, one planned in June (not held), the Q2 review with its parts.
    release = Release.objects.create(version="10.2.1", kind="patch", planned_date=dt.date(2026, 5, 26), published=True)
    later = Release.objects.create(version="10.2.2", kind="patch", planned_date=dt.date(2026, 6, 26), published=True)
    PreviewSession.objects.create(
        release=release,
        account=account,
        tam=people["tam"],
        scheduled_at=denver(5, 20, 9),
        status="held",
        uses_replica=True,
        created_by=people["tam"],
    )
    PreviewSession.objects.create(
        release=later, account=account, tam=people["tam"], scheduled_at=denver(6, 22, 9), created_by=people["tam"]
    )
    review = ProactiveReview.objects.create(
        account=account,
        quarter_start=dt.date(2026, 4, 1),
        due_date=dt.date(2026, 6, 30),
        tam=people["tam"],
        status="published",
        held_at=denver(6, 10),
        published_at=denver(6, 12),
    )
    Finding.objects.create(
        review=review, source="Application event log", level="warning", count=3, summary="Disk 91% full"
    )
    Finding.objects.create(review=review, source="Capture service", level="error", count=1, summary="OCR timeout")
    Recommendation.objects.create(review=review, text="Archive 2019 images", priority="high", status="done")
    Recommendation.objects.create(review=review, text="Add a second capture server", priority="medium")
    # Terry is away for three days in June: Bianca covers.
    TamAbsence.objects.create(tam=people["tam"], starts_at=denver(6, 8, 8), ends_at=denver(6, 11, 8), note="Summit")


@pytest.fixture
def people(alice, tam, backup_tam, support, admin_user):
    return {"alice": alice, "tam": tam, "backup": backup_tam, "support": support, "admin": admin_user}


@pytest.fixture
def quarter(ess, people, time_machine):
    """Acme's Q2 2026, built as history."""
    build_quarter(ess, people, time_machine)
    return ess
