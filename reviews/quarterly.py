"""The quarterly proactive reviews, created set-based: one per Enterprise account and quarter.

The same quarter logic as the maintenance credit bank (``accounts.quarters``): an account is due a review for
a quarter when a contract whose tier includes reviews is active on some day from the quarter start up to
today (a contract starting mid-quarter gets that quarter's review the day it starts). Rows are inserted with
``bulk_create(ignore_conflicts=True)`` over the unique (account, quarter_start), so a second run, or two
runs at once, creates nothing more.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from accounts.coverage import NoTamAvailable, coverage, coverage_many
from accounts.models import Account, Contract, User
from accounts.quarters import Quarter, catch_up_quarters

from .models import ProactiveReview, ReviewQuarter

# The same lock id for every run of this job: two catch-ups never interleave.
_REVIEWS_LOCK = 0x455353_52


@dataclass
class QuarterlyReport:
    quarters: list[Quarter] = field(default_factory=list)
    created: int = 0


def _due_accounts(quarter: Quarter, through: dt.date) -> list[Account]:
    """Accounts with a reviewing contract on some day of [quarter start, through] and no review yet: one query."""
    contracts = Contract.objects.in_force_during(quarter.start, through).filter(
        account=OuterRef("pk"), tier__proactive_reviews_per_quarter__gt=0
    )
    existing = ProactiveReview.objects.filter(account=OuterRef("pk"), quarter_start=quarter.start)
    return list(Account.objects.filter(Exists(contracts)).exclude(Exists(existing)).order_by("pk"))


def _acting_tams(accounts: list[Account], at: dt.datetime) -> dict[int, User | None]:
    """Who acts for each account at ``at``, in one pass; an account nobody can cover is left unassigned."""
    try:
        return {pk: cover.acting for pk, cover in coverage_many(accounts, at).items()}
    except NoTamAvailable:
        tams: dict[int, User | None] = {}
        for account in accounts:
            try:
                tams[account.pk] = coverage(account, at).acting
            except NoTamAvailable:
                tams[account.pk] = None
        return tams


def reviews_create_quarterly(*, as_of: dt.date | None = None, since: Quarter | None = None) -> QuarterlyReport:
    """Create every review due up to ``as_of`` (default: today in the vendor zone) that does not exist yet: one
    per eligible account and quarter, due on the quarter's last day, assigned to the TAM acting now. Missed
    quarters are caught up in order by ``catch_up_quarters`` (under the job's lock, from the last quarter
    applied, the current one on a first run, or ``since``). Idempotent and safe to run concurrently (the unique
    constraint drops duplicates)."""
    report = QuarterlyReport()

    def apply(quarter: Quarter, through: dt.date, now: dt.datetime) -> dict[str, int]:
        accounts = _due_accounts(quarter, through)
        tams = _acting_tams(accounts, now) if accounts else {}
        reviews = ProactiveReview.objects.filter(quarter_start=quarter.start)
        before = reviews.count()
        ProactiveReview.objects.bulk_create(
            [
                ProactiveReview(
                    account=account,
                    quarter_start=quarter.start,
                    due_date=quarter.end,
                    tam=tams.get(account.pk),
                    created_at=now,
                )
                for account in accounts
            ],
            ignore_conflicts=True,
        )
        created = reviews.count() - before  # under the job's lock: nobody else adds reviews meanwhile
        report.created += created
        return {"created": created}

    report.quarters = catch_up_quarters(
        applied=ReviewQuarter, lock=_REVIEWS_LOCK, apply=apply, as_of=as_of, since=since
    )
    return report
