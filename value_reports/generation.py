"""The quarterly job: at each quarter's end, one value report per account that had an Enterprise contract in the
quarter, with its figures computed then and kept, and e-mailed (with its PDF) to the account's users who asked.

Quarters are caught up by ``accounts.quarters.catch_up_quarters``: the job applies each quarter start once, under
its lock, and a quarter start makes the reports of the quarter that just ended; a run after downtime makes every
missed quarter's reports in order (so each can be compared with the one before). Rows are unique per account and
quarter and inserted with ``ignore_conflicts``: a second or concurrent run creates and mails nothing more. A
contract entered later for a past quarter gets its report at the next run.
"""

import datetime as dt
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import Contract
from accounts.notifications import email_users_at_once
from accounts.quarters import Quarter, catch_up_quarters
from accounts.renewals import ENTERPRISE

from .figures import comparison
from .gather import quarter_figures, quarter_headlines
from .models import ReportSubscription, ValueReport, ValueReportRun
from .pdf import report_pdf

# The same lock id for every run of this job: two catch-ups never interleave.
_REPORTS_LOCK = 0x455353_56


@dataclass
class GenerationReport:
    quarters: list[Quarter] = field(default_factory=list)  # the quarters reported on
    created: int = 0
    mailed: int = 0
    seconds: float = 0.0


def _enterprise_accounts(quarter: Quarter, *, without_report: bool) -> dict[int, str]:
    """Accounts with an Enterprise contract on some day of the quarter, with the tier of their latest such
    contract in it (one query)."""
    contracts = Contract.objects.in_force_during(quarter.start, quarter.end).filter(ENTERPRISE)
    if without_report:
        done = ValueReport.objects.filter(account=OuterRef("account"), quarter_start=quarter.start)
        contracts = contracts.exclude(Exists(done))
    tiers: dict[int, str] = {}
    for account_id, tier in contracts.order_by("account_id", "start_date").values_list("account_id", "tier__name"):
        tiers[account_id] = tier
    return tiers


def _previous_headlines(account_ids: list[int], quarter: Quarter) -> dict[int, dict]:
    """The headline of the quarter before, from its report, else computed when the account was Enterprise then."""
    before = quarter.previous()
    rows = ValueReport.objects.filter(account_id__in=account_ids, quarter_start=before.start)
    stored = dict(rows.values_list("account_id", "figures__headline"))
    enterprise_then = _enterprise_accounts(before, without_report=False)
    missing = [pk for pk in account_ids if pk not in stored and pk in enterprise_then]
    if missing:
        stored.update(quarter_headlines(missing, before))
    return stored


def reports_for_quarter(quarter: Quarter, now: dt.datetime) -> tuple[list[ValueReport], int]:
    """Make the reports of ``quarter`` that do not exist yet and mail them. Returns the reports this call made and
    the number of messages."""
    started = time.perf_counter()
    tiers = _enterprise_accounts(quarter, without_report=True)
    if not tiers:
        return [], 0
    ids = sorted(tiers)
    figures = quarter_figures(ids, quarter)
    before = _previous_headlines(ids, quarter)
    for pk in ids:
        figures[pk]["previous"] = before.get(pk)
        figures[pk]["comparison"] = comparison(figures[pk]["headline"], before.get(pk))
    elapsed_ms = round(1000 * (time.perf_counter() - started) / len(ids))
    run = uuid.uuid4()
    with transaction.atomic():
        ValueReport.objects.bulk_create(
            [
                ValueReport(
                    account_id=pk,
                    quarter_start=quarter.start,
                    tier_name=tiers[pk],
                    figures=figures[pk],
                    generated_at=now,
                    generation_ms=elapsed_ms,
                    run=run,
                )
                for pk in ids
            ],
            ignore_conflicts=True,
        )
        made = list(
            ValueReport.objects.filter(run=run).defer("figures").select_related("account").order_by("account__name")
        )
        for report in made:
            report.figures = figures[report.account_id]  # as just written: not read back
        mailed = _mail(made)
    return made, mailed


def _mail(reports: list[ValueReport]) -> int:
    """Each new report to its account's users who asked for it, with the PDF rendered once per time zone."""
    subscribers = defaultdict(list)
    asked = ReportSubscription.objects.filter(
        user__account_id__in=[report.account_id for report in reports], user__is_active=True
    ).select_related("user")
    for subscription in asked:
        subscribers[subscription.user.account_id].append(subscription.user)
    letters = []
    for report in reports:
        pdfs: dict[str, bytes] = {}
        for user in subscribers.get(report.account_id, []):
            if user.time_zone not in pdfs:
                pdfs[user.time_zone] = report_pdf(report, zone=user.time_zone)
            subject = f"{report.account.name}: your ESS value report for {report.quarter.label}"
            attachment = (pdf_filename(report), pdfs[user.time_zone], "application/pdf")
            letters.append((user, subject, "value_reports/email/report.txt", {"report": report}, [attachment]))
    return email_users_at_once(letters) if letters else 0


def pdf_filename(report: ValueReport) -> str:
    return f"ess-value-report-{report.account.slug}-{report.quarter.year}-q{report.quarter.number}.pdf"


def reports_generate(*, as_of: dt.date | None = None, since: Quarter | None = None) -> GenerationReport:
    """Make every value report due up to ``as_of`` (default: today in the vendor zone): for each quarter start
    not yet applied, in order, the reports of the quarter before it. ``since`` replays from a quarter start (the
    reports of the quarter before it first). Idempotent and safe to run concurrently."""
    result = GenerationReport()
    started = time.perf_counter()

    def apply(quarter: Quarter, through: dt.date, now: dt.datetime) -> dict[str, int]:
        made, mailed = reports_for_quarter(quarter.previous(), now)
        result.created += len(made)
        result.mailed += mailed
        return {"created": len(made)}

    applied = catch_up_quarters(applied=ValueReportRun, lock=_REPORTS_LOCK, apply=apply, as_of=as_of, since=since)
    result.quarters = [quarter.previous() for quarter in applied]
    result.seconds = time.perf_counter() - started
    return result
