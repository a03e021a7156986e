"""P12: the quarterly value reports of every account with an Enterprise contract in the last whole quarter, made by
the report job (``reports_for_quarter``: the figures of the quarter, the comparison with the reports of the quarter
before, the reports written), vs its SQL alone: the very statements the job ran (its reads and the one insert of the
reports), replayed through a cursor with nothing done with their rows, so the ratio is what the job adds to the
database's own work. The statement count of the figures is compared for a few accounts and for all.
As every quarter but the first, the reports of the quarter before are there (made first, not timed). Everything is
written inside a transaction rolled back."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.quarters import Quarter, vendor_today
from bench.measure import timed
from value_reports.gather import quarter_figures
from value_reports.generation import reports_for_quarter
from value_reports.models import ValueReport

REPLAYED = ("SELECT", "WITH", "INSERT")  # not the savepoints


def _replay(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            if cursor.description is not None:
                cursor.fetchall()


def _statements(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [query["sql"] for query in captured.captured_queries]


def p12_value_reports(small: int, repeat: int) -> dict:
    quarter = Quarter.of(vendor_today()).previous()
    now = timezone.now()
    subject_times, baseline_times = [], []
    with transaction.atomic():
        ValueReport.objects.filter(quarter_start=quarter.start).delete()  # the job makes what does not exist
        reports_for_quarter(quarter.previous(), now)
        with transaction.atomic():  # a warm-up whose statements are the baseline
            made = []
            statements = _statements(lambda: made.extend(reports_for_quarter(quarter, now)[0]))
            transaction.set_rollback(True)
        replayed = [sql for sql in statements if sql.lstrip().upper().startswith(REPLAYED)]
        accounts = sorted(report.account_id for report in made)
        for _ in range(repeat):
            with transaction.atomic():
                subject_times.append(timed(lambda: reports_for_quarter(quarter, now)))
                transaction.set_rollback(True)
            with transaction.atomic():
                baseline_times.append(timed(lambda: _replay(replayed)))
                transaction.set_rollback(True)
        few = len(_statements(lambda: quarter_figures(accounts[:small], quarter)))
        every = len(_statements(lambda: quarter_figures(accounts, quarter)))
        transaction.set_rollback(True)
    return {
        "quarter": quarter.label,
        "reports": len(made),
        "statements": len(statements),
        "replayed": len(replayed),
        "baseline_ms": min(baseline_times) * 1000,
        "subject_ms": min(subject_times) * 1000,
        "small_accounts": min(small, len(accounts)),
        "statements_small": few,
        "statements_large": every,
    }
