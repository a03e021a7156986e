"""The quarterly proactive reviews, created set-based: one per Enterprise account and quarter.

The same quarter logic as the maintenance credit bank (``accounts.quarters``): an account is due a review for
a quarter when a contract whose tier includes reviews is active on some day from the quarter start up to
today (a contract starting mid-quarter gets that quarter's review the day it starts). Rows are inserted with
``bulk_create(ignore_conflicts=True)`` over the unique (account, quarter_start), so a second run, or two
runs at once, creates nothing more.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.coverage import NoTamAvailable, coverage, coverage_many
from accounts.models import Account, Contract, User
from accounts.quarters import Quarter, quarters_between, vendor_today

from .models import ProactiveReview, ReviewQuarter


@dataclass
class QuarterlyReport:
    quarters: list[Quarter] = field(default_factory=list)
    created: int = 0


def _due_accounts(quarter: Quarter, through: dt.date) -> list[Account]:
    """Accounts with a reviewing contract on some day of [quarter start, through] and no review yet: one query."""
    contracts = Contract.objects.filter(
        account=OuterRef("pk"),
        status="active",
        start_date__lte=through,
        tier__proactive_reviews_per_quarter__gt=0,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=quarter.start))
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
    quarters are caught up in order, from the last quarter applied (the current one on a first run, or
    ``since``). Idempotent and safe to run concurrently (the unique constraint drops duplicates)."""
    as_of = as_of or vendor_today()
    now = timezone.now()
    current = Quarter.of(as_of)
    if since is None:
        last = ReviewQuarter.objects.order_by("-quarter_start").first()
        since = Quarter.of(last.quarter_start) if last else current
    report = QuarterlyReport()
    for quarter in quarters_between(min(since, current), current):
        through = min(as_of, quarter.end)
        with transaction.atomic():
            accounts = _due_accounts(quarter, through)
            tams = _acting_tams(accounts, now) if accounts else {}
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
            created = ProactiveReview.objects.filter(quarter_start=quarter.start, created_at=now).count()
            marker, made = ReviewQuarter.objects.get_or_create(
                quarter_start=quarter.start, defaults={"applied_at": now, "created": created}
            )
            if not made and created:
                ReviewQuarter.objects.filter(pk=marker.pk).update(created=F("created") + created)
        report.created += created
        report.quarters.append(quarter)
    return report
