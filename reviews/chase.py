"""Chasing, each message once however often or concurrently the job runs:

* previews: N days (``ESS_PREVIEW_CHASE_DAYS``, default 10) or less before a patch release, the acting TAM
  of each Enterprise account with no preview of it is told once per account and release (a PreviewChase row,
  unique per pair, is the claim);
* reviews: a review due within 14 days and not scheduled reminds its TAM once (``reminded_at`` is the claim).
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.coverage import NoTamAvailable, coverage, coverage_many
from accounts.models import Account, User
from accounts.quarters import vendor_today

from .models import PreviewChase, PreviewSession, ProactiveReview, ReviewStatus
from .notifications import notify_preview_chase, notify_review_reminder
from .selectors import preview_accounts, upcoming_patch_releases

REVIEW_REMINDER_LEAD = dt.timedelta(days=14)
BATCH = 500


@dataclass
class ChaseReport:
    previews: int = 0
    reviews: int = 0


def preview_chase_days() -> int:
    return int(getattr(settings, "ESS_PREVIEW_CHASE_DAYS", 10))


def _acting(accounts: list[Account], now: dt.datetime) -> dict[int, User]:
    try:
        return {pk: cover.acting for pk, cover in coverage_many(accounts, now).items()}
    except NoTamAvailable:
        acting = {}
        for account in accounts:
            try:
                acting[account.pk] = coverage(account, now).acting
            except NoTamAvailable:
                continue  # nobody to tell now; the next run tries again
        return acting


def previews_chase(*, now: dt.datetime | None = None) -> int:
    """Tell the acting TAM, once per account and release, about Enterprise accounts with no preview (planned,
    held or declined) of a patch release due within the chase window. Returns the number of pairs chased."""
    now = now or timezone.now()
    today = vendor_today(now)
    releases = list(
        upcoming_patch_releases(today).filter(planned_date__lte=today + dt.timedelta(days=preview_chase_days()))
    )
    if not releases:
        return 0
    accounts = list(preview_accounts(today).order_by("pk"))
    if not accounts:
        return 0
    answered = set(
        PreviewSession.objects.filter(release__in=releases, account__in=accounts).values_list(
            "release_id", "account_id"
        )
    )
    answered |= set(
        PreviewChase.objects.filter(release__in=releases, account__in=accounts).values_list("release_id", "account_id")
    )
    pending = [(r, a) for r in releases for a in accounts if (r.pk, a.pk) not in answered]
    if not pending:
        return 0
    acting = _acting(list({a.pk: a for _, a in pending}.values()), now)
    run = uuid.uuid4()
    with transaction.atomic():
        PreviewChase.objects.bulk_create(
            [
                PreviewChase(release=release, account=account, tam=acting[account.pk], run=run, created_at=now)
                for release, account in pending
                if account.pk in acting
            ],
            ignore_conflicts=True,
        )
        # Only the rows this run inserted: another run that got there first keeps its own.
        claimed = list(PreviewChase.objects.filter(run=run).select_related("release", "account", "tam"))
        by_tam_release: dict[tuple[int, int], list[PreviewChase]] = defaultdict(list)
        for chase in claimed:
            by_tam_release[(chase.tam_id, chase.release_id)].append(chase)
        for chases in by_tam_release.values():
            notify_preview_chase(chases[0].tam, chases[0].release, sorted((c.account for c in chases), key=str))
    return len(claimed)


def reviews_remind(*, now: dt.datetime | None = None) -> int:
    """Claim reviews still due (not scheduled) whose due date is within 14 days and that were never reminded
    (skipping rows another run holds), mark them, and remind the assigned TAM (or the acting one) after
    commit. Returns how many were reminded."""
    now = now or timezone.now()
    horizon = vendor_today(now) + REVIEW_REMINDER_LEAD
    reminded = 0
    while True:
        with transaction.atomic():
            due = list(
                ProactiveReview.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=ReviewStatus.DUE, reminded_at__isnull=True, due_date__lte=horizon)
                .select_related("account", "tam")
                .order_by("due_date")[:BATCH]
            )
            claimed = ProactiveReview.objects.filter(
                pk__in=[review.pk for review in due], reminded_at__isnull=True
            ).update(reminded_at=now)
            unassigned = [review.account for review in due if review.tam is None]
            acting = _acting(unassigned, now) if unassigned else {}
            for review in due:
                tam = review.tam or acting.get(review.account_id)
                if tam is not None:
                    notify_review_reminder(review, tam)
        reminded += claimed
        if len(due) < BATCH:
            return reminded


def chase(*, now: dt.datetime | None = None) -> ChaseReport:
    """The hourly job: previews and reviews both."""
    now = now or timezone.now()
    return ChaseReport(previews=previews_chase(now=now), reviews=reviews_remind(now=now))
