"""P5: the SLA chaser with a million closed clocks vs only the due ones."""

import datetime as dt
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.chaser import sla_chase
from cases.models import Case, Milestone, SlaTarget


def _due_milestones(count: int, now: dt.datetime) -> None:
    """``count`` running clocks on open cases: half past their warning time, half past their due time."""
    cases = list(Case.objects.open().order_by("-created_at").values_list("id", flat=True)[:count])
    target = SlaTarget.objects.order_by("id").first()
    rows = []
    for n in range(count):
        breach = n % 2 == 1
        rows.append(
            Milestone(
                case_id=cases[n % len(cases)],
                target=target,
                name=target.name,
                meet_event=target.meet_event,
                duration=dt.timedelta(hours=2),
                clock="wall",
                warn_at_percent=75,
                started_at=now - dt.timedelta(hours=3 if breach else 1, minutes=40),
                due_at=now - dt.timedelta(minutes=40) if breach else now + dt.timedelta(minutes=20),
                warn_at=now - dt.timedelta(hours=1, minutes=10) if breach else now - dt.timedelta(minutes=10),
                warned_at=now - dt.timedelta(hours=1) if breach else None,
            )
        )
    Milestone.objects.bulk_create(rows)


def p5_chaser(due: int, only_due: bool, repeat: int) -> dict:
    times, plans, report, selects = [], [], None, []
    with transaction.atomic():
        now = timezone.now()
        if only_due:
            # The baseline database holds nothing but the due clocks.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("DELETE FROM cases_milestone")
                cursor.execute("SET LOCAL session_replication_role = origin")
        sla_chase(now=now)  # whatever fell due since the seed, so that only the clocks added below are due
        closed = Milestone.objects.filter(met_at__isnull=False).count()
        for attempt in range(repeat + 1):
            with transaction.atomic():
                _due_milestones(due, now)
                if attempt == 0:  # a warm-up run, whose statements are kept for EXPLAIN
                    with CaptureQueriesContext(connection) as captured:
                        sla_chase(now=now)
                    selects = [q["sql"] for q in captured.captured_queries if "SKIP LOCKED" in q["sql"]][:2]
                else:
                    if not plans:
                        with connection.cursor() as cursor:
                            for sql in selects:
                                cursor.execute("EXPLAIN " + sql)
                                plans.append("\n".join(row[0] for row in cursor.fetchall()))
                    began = time.perf_counter()
                    report = sla_chase(now=now)
                    times.append(time.perf_counter() - began)
                transaction.set_rollback(True)
        transaction.set_rollback(True)
    return {
        "ms": min(times) * 1000,
        "due": due,
        "closed_milestones": closed,
        "warned": report.warned,
        "breached": report.breached,
        "plans": plans,
    }
