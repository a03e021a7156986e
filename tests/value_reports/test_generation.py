"""The quarterly value report: made once per account that had an Enterprise contract in the quarter, however often
or concurrently the job runs, catching up missed quarters in order; its figures equal the underlying data, which
this test recomputes on its own from the ledger, the events, the milestones and the cases; e-mailed with its PDF
to the account's users who asked for it, through the outbox."""

import datetime as dt
import statistics
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Contract, TamAbsence
from accounts.quarters import Quarter
from accounts.services import contract_create, contract_end, coverage_assign
from cases.models import Case, Milestone, SlaTarget
from core.models import OutboxMessage
from core.outbox import outbox_deliver
from maintenance.models import CreditEntry, MaintenanceEvent
from tests.factories import AccountFactory, customer_user, tier
from tests.races import at_once
from value_reports.gather import quarter_figures
from value_reports.generation import reports_for_quarter, reports_generate
from value_reports.models import ReportSubscription, ValueReport, ValueReportRun

from .conftest import NOW, ON_THE_FIXED_CLOCK, Q2_FIRST, Q2_LAST, _case, _clock, denver

pytestmark = ON_THE_FIXED_CLOCK
Q2 = Quarter(2026, 2)


def report_of(account, quarter=Q2) -> ValueReport:
    return ValueReport.objects.get(account=account, quarter_start=quarter.start)


def in_q2(moment) -> bool:
    return Q2_FIRST <= moment < Q2_LAST


def test_the_figures_equal_the_data_recomputed_on_their_own(quarter):
    reports_generate()
    figures = report_of(quarter).figures
    # The credits, from the ledger and the events, one row at a time.
    ledger = list(CreditEntry.objects.filter(account=quarter))
    held = [e for e in MaintenanceEvent.objects.filter(account=quarter) if in_q2(e.starts_at)]
    held = [e for e in held if e.status == "completed" or e.no_show]
    assert [(x["at"], x["no_show"]) for x in figures["events"]["held"]] == [
        (e.starts_at.astimezone(dt.UTC).isoformat(), e.no_show) for e in sorted(held, key=lambda e: e.starts_at)
    ]
    assert len(held) == 2
    assert figures["events"]["credits_used"] == sum(1 for r in ledger if r.kind == "consume" and in_q2(r.created_at))
    forfeited = [r for r in ledger if r.kind == "forfeit" and in_q2(r.created_at)]
    assert [(f["at"], f["credits"]) for f in figures["events"]["forfeits"]] == [
        (r.created_at.astimezone(dt.UTC).isoformat(), -r.available_delta) for r in forfeited
    ]
    granted = [r for r in ledger if r.kind == "grant" and in_q2(r.created_at)]
    assert sum(g["credits"] for g in figures["events"]["grants"]) == sum(r.available_delta for r in granted) == 1
    assert figures["events"]["banked_at_start"] == sum(r.available_delta for r in ledger if r.created_at < Q2_FIRST)
    assert figures["events"]["banked_at_end"] == sum(r.available_delta for r in ledger if r.created_at < Q2_LAST)
    assert figures["events"]["banked_at_end"] == 2  # 2 on Apr 1, +1 goodwill, -1 over the bank
    # Each target's compliance, from the milestones.
    clocks = [m for m in Milestone.objects.filter(case__account=quarter) if in_q2(m.started_at)]
    expected = {}
    for name in {m.name for m in clocks}:
        mine = [m for m in clocks if m.name == name]
        late = [m for m in mine if m.breached_at or (m.met_at and m.met_at > m.due_at)]
        responses = [(m.met_at - m.started_at).total_seconds() for m in mine if m.met_at]
        expected[name] = {
            "met": sum(1 for m in mine if m.met_at and m not in late),
            "breached": len(late),
            "median_seconds": round(statistics.median(responses)) if responses else None,
            "worst_seconds": round(max(responses)) if responses else None,
        }
    got = {
        t["target"]: {k: t[k] for k in ("met", "breached", "median_seconds", "worst_seconds")} for t in figures["sla"]
    }
    assert got == expected
    # The cases, by severity and channel.
    cases = [c for c in Case.objects.filter(account=quarter) if in_q2(c.created_at)]
    assert figures["cases"]["opened"] == len(cases) == 4
    assert figures["cases"]["by_severity"] == {str(k): v for k, v in Counter(c.severity for c in cases).items()}
    assert figures["cases"]["by_channel"] == dict(Counter(c.channel for c in cases))


def test_previews_review_and_coverage(quarter):
    reports_generate()
    figures = report_of(quarter).figures
    assert [p["release"] for p in figures["previews"]] == ["KwikTag 10.2.1"]
    review = figures["review"]
    assert review["status"] == "published"
    assert [(f["level"], f["count"]) for f in review["findings"]] == [("warning", 3), ("error", 1)]
    assert [(r["text"], r["status"]) for r in review["recommendations"]] == [
        ("Archive 2019 images", "done"),
        ("Add a second capture server", "open"),
    ]
    coverage = figures["coverage"]
    assert (coverage["primary"], coverage["backup"]) == ("Terry Tamsin", "Bianca Backup")
    assert [(a["tam"], a["covered_by"], a["days"]) for a in coverage["absences"]] == [
        ("Terry Tamsin", "Bianca Backup", 3.0)
    ]
    assert figures["headline"] == {
        "events_used": 2,
        "credits_forfeited": 1,
        "banked_at_end": 2,
        "cases_opened": 4,
        "sla_met_percent": 60.0,
        "previews_held": 1,
        "findings": 4,
        "recommendations_done": 1,
        "absence_days_covered": 3.0,
    }


def test_one_report_per_account_and_quarter_however_often_the_job_runs(quarter, standard, time_machine):
    first = reports_generate()
    assert (first.created, [str(q) for q in first.quarters]) == (1, ["Q2 2026"])
    for hour in range(3):
        time_machine.move_to(NOW + dt.timedelta(hours=hour), tick=False)
        assert reports_generate().created == 0
    # Globex is on Standard: no value report.
    assert list(ValueReport.objects.values_list("account__slug", flat=True)) == ["acme"]


def test_missed_quarters_are_caught_up_in_order_and_compared(quarter, time_machine):
    reports_generate()  # Q2 2026
    time_machine.move_to(dt.datetime(2027, 1, 20, 12, tzinfo=NOW.tzinfo), tick=False)  # Oct 1 and Jan 1 missed
    done = reports_generate()
    # The quarter start applied last (Jul 1) is looked at again, finding its Q2 reports made; then Oct 1 and Jan 1.
    assert [str(q) for q in done.quarters] == ["Q2 2026", "Q3 2026", "Q4 2026"]
    assert done.created == 2
    q3 = report_of(quarter, Quarter(2026, 3)).figures
    assert q3["previous"] == report_of(quarter).figures["headline"]
    change = {row["key"]: row for row in q3["comparison"]}
    assert change["cases_opened"]["before"] == 4 and change["cases_opened"]["now"] == 1
    assert change["cases_opened"]["change"] == -3
    assert ValueReportRun.objects.count() == 3


def test_who_had_an_enterprise_contract_in_the_quarter(ess, standard, tam, backup_tam):
    """A contract that ended in the quarter, one that started in it, and a Standard account."""
    late = AccountFactory(name="Initech", slug="initech")
    coverage_assign(actor=None, account=late, primary=tam, backup=backup_tam)
    contract_create(actor=None, account=late, tier=tier("Enterprise"), start_date=dt.date(2026, 6, 30))
    contract_end(actor=None, contract=Contract.objects.get(account=ess), end_date=dt.date(2026, 4, 1))
    reports_generate()
    assert sorted(ValueReport.objects.values_list("account__slug", "tier_name")) == [
        ("acme", "Enterprise"),
        ("initech", "Enterprise"),
    ]


def test_the_report_goes_by_mail_with_its_pdf_to_who_asked(quarter, people, time_machine):
    carol = customer_user(quarter, email="carol@acme.example", first_name="Carol", time_zone="Europe/Paris")
    ReportSubscription.objects.create(user=people["alice"])
    ReportSubscription.objects.create(user=carol)
    mail.outbox.clear()
    result = reports_generate()
    assert result.mailed == 2
    outbox_deliver()
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.example", "carol@acme.example"]
    message = mail.outbox[0]
    assert message.subject == "Acme Manufacturing: your ESS value report for Q2 2026"
    ((name, content, kind),) = message.attachments
    assert (name, kind) == ("ess-value-report-acme-2026-q2.pdf", "application/pdf")
    assert content[:5] == b"%PDF-"
    reports_generate()
    outbox_deliver()
    assert len(mail.outbox) == 2  # a second run mails nothing


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_report_jobs_at_once_make_one_report_and_one_mail(quarter, people):
    ReportSubscription.objects.create(user=people["alice"])
    outcomes = at_once(2, lambda n: reports_generate().created)
    assert not outcomes.errors
    assert sorted(outcomes.results) == [0, 1]
    assert ValueReport.objects.count() == 1
    assert OutboxMessage.objects.filter(to="alice@acme.example").count() == 1


def test_generation_time_is_recorded(quarter):
    reports_generate()
    assert report_of(quarter).generation_ms >= 0
    assert report_of(quarter).generated_at == NOW


def test_the_job_takes_the_same_queries_for_more_accounts(ess, people, time_machine):
    """Set-based: the figures of every account at once; the PDF of each report is drawn without a query."""
    TamAbsence.objects.create(tam=people["tam"], starts_at=denver(5, 4, 8), ends_at=denver(5, 6, 8))

    def queries_for(count: int, quarter: Quarter) -> int:
        for _ in range(count):
            account = AccountFactory()
            coverage_assign(
                actor=None, account=account, primary=people["tam"], backup=people["backup"], at=denver(1, 1)
            )
            contract_create(actor=None, account=account, tier=tier("Enterprise"), start_date=quarter.start)
            ReportSubscription.objects.create(user=customer_user(account))
        ValueReport.objects.all().delete()
        Contract.objects.filter(account=ess).update(status="cancelled")
        with CaptureQueriesContext(connection) as queries:
            made, mailed = reports_for_quarter(quarter, NOW)
        assert (len(made), mailed) == (ValueReport.objects.count(), ValueReport.objects.count())
        return len(queries)

    few = queries_for(2, Q2)
    assert queries_for(6, Q2) == few
    # More absences in the quarter take no more queries: who covered each is decided from the rows read once.
    for day in (11, 18, 25):
        TamAbsence.objects.create(tam=people["tam"], starts_at=denver(5, day, 8), ends_at=denver(5, day + 1, 8))
    TamAbsence.objects.create(tam=people["backup"], starts_at=denver(6, 1, 8), ends_at=denver(6, 3, 8))
    assert queries_for(0, Q2) == few
    absences = ValueReport.objects.order_by("pk").first().figures["coverage"]["absences"]
    assert [(a["tam"], a["covered_by"], a["days"]) for a in absences] == [
        *[(people["tam"].display_name, people["backup"].display_name, days) for days in (2.0, 1.0, 1.0, 1.0)],
        (people["backup"].display_name, people["tam"].display_name, 2.0),
    ]


@pytest.mark.parametrize("hours", [[1, 2, 3, 10], [5, 1, 3], [7], []], ids=["even", "odd", "one", "none"])
def test_a_targets_median_and_worst_response_are_those_of_all_its_clocks(ess, people, hours):
    """The database hands over only the middle one or two responses and the worst; the median is that of all."""
    target = SlaTarget.objects.filter(policy__tier__name="Enterprise", meet_event="first_response").first()
    case = _case(ess, people, denver(5, 4), 2, "portal")
    for day, taken in enumerate(hours, start=4):
        _clock(case, target, denver(5, day), after=dt.timedelta(hours=taken, seconds=1), due_in=dt.timedelta(hours=6))
    _clock(case, target, denver(5, 20))  # still running: no response
    _clock(case, target, denver(5, 21), breached=True)  # breached, never met

    (summary,) = quarter_figures([ess.pk], Q2)[ess.pk]["sla"]

    seconds = [h * 3600 + 1 for h in hours]
    assert summary["median_seconds"] == (round(statistics.median(seconds)) if seconds else None)
    assert summary["worst_seconds"] == (max(seconds) if seconds else None)
    late = sum(1 for h in hours if h >= 6)
    expected = (len(hours) - late, late + 1, 1)
    assert (summary["met"], summary["breached"], summary["running"]) == expected
