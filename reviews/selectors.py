"""Reads that pages elsewhere ask for (the TAM dashboard, the admin overview) and the report's figures.

Each list is fetched in a fixed number of queries, whatever the number of rows.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse

from accounts.models import Account, Contract, User
from accounts.quarters import vendor_today

from .charts import VolumeChart, volume_chart
from .models import (
    AccountModules,
    PreviewSession,
    ProactiveReview,
    Release,
    ReleaseItem,
    ReleaseKind,
    ReviewStatus,
)
from .modules import affects
from .services.rules import may_plan_preview


@dataclass(frozen=True)
class PreviewToPlan:
    """An Enterprise account with no preview yet of an upcoming patch release."""

    release: Release
    account: Account


def upcoming_patch_releases(today: dt.date) -> QuerySet[Release]:
    """Published patch releases not yet released: the ones previews are for."""
    return (
        Release.objects.filter(kind=ReleaseKind.PATCH, published=True, planned_date__gte=today)
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=today))
        .order_by("planned_date", "major", "minor", "patch")
    )


def preview_accounts(day: dt.date) -> QuerySet[Account]:
    """Accounts whose contract on ``day`` includes release previews."""
    contracts = Contract.objects.in_force(on=day).filter(tier__release_previews=True)
    return Account.objects.filter(pk__in=contracts.values("account_id"))


def _looked_after_by(accounts: QuerySet[Account], user: User, all_accounts: bool) -> QuerySet[Account]:
    if all_accounts or (user.is_portal_admin and not user.is_tam_level):
        return accounts
    return accounts.owned_by(user)


def previews_to_plan(user: User, *, today: dt.date | None = None, all_accounts: bool = False) -> list[PreviewToPlan]:
    """(release, account) pairs with no preview yet: every upcoming published patch release times every
    Enterprise account the user looks after as primary or backup TAM (admins, or ``all_accounts``: every one).
    A declined preview counts as answered. Three queries, however many releases and accounts."""
    if not may_plan_preview(user):
        return []
    today = today or vendor_today()
    releases = list(upcoming_patch_releases(today))
    if not releases:
        return []
    accounts = list(_looked_after_by(preview_accounts(today), user, all_accounts).order_by("name"))
    if not accounts:
        return []
    planned = set(
        PreviewSession.objects.filter(release__in=releases, account__in=accounts).values_list(
            "release_id", "account_id"
        )
    )
    return [
        PreviewToPlan(release, account)
        for release in releases
        for account in accounts
        if (release.pk, account.pk) not in planned
    ]


def previews_for(user: User, *, all_accounts: bool = False) -> QuerySet[PreviewSession]:
    """The previews a user sees on the previews page: a customer's own; a TAM's accounts' and their own."""
    previews = PreviewSession.objects.visible_to(user).select_related("release", "account", "tam")
    if user.is_vendor_staff and user.is_tam_level and not all_accounts:
        previews = previews.filter(Q(tam=user) | Q(account__in=Account.objects.owned_by(user).values("pk")))
    return previews.order_by("scheduled_at")


def suggested_items(release: Release, account: Account) -> list[ReleaseItem]:
    """The release's items that affect the modules the account uses (all of them when none are recorded)."""
    used = AccountModules.objects.filter(account=account).values_list("modules", flat=True).first() or ""
    return [item for item in release.items.all() if affects(item.modules, used)]


def overdue_reviews(*, today: dt.date | None = None, user: User | None = None) -> QuerySet[ProactiveReview]:
    """Reviews past their due date and not published, oldest first; with ``user``, those assigned to them or
    of accounts they own. One query (account and TAM joined)."""
    reviews = ProactiveReview.objects.overdue(today or vendor_today()).select_related("account", "tam")
    if user is not None:
        reviews = reviews.filter(Q(tam=user) | Q(account__in=Account.objects.owned_by(user).values("pk")))
    return reviews.order_by("due_date", "account__name")


def reviews_to_do(user: User, *, today: dt.date | None = None, all_accounts: bool = False) -> dict[str, list]:
    """The staff reviews page: due (to schedule), scheduled, held (to publish), overdue and recently published.
    A TAM sees their own (assigned, or of accounts they own) unless ``all_accounts``. One query."""
    today = today or vendor_today()
    reviews = ProactiveReview.objects.visible_to(user).select_related("account", "tam")
    if user.is_tam_level and not all_accounts:
        reviews = reviews.filter(Q(tam=user) | Q(account__in=Account.objects.owned_by(user).values("pk")))
    since = today - dt.timedelta(days=200)
    groups: dict[str, list] = {"overdue": [], "due": [], "scheduled": [], "held": [], "published": []}
    rows = reviews.filter(Q(published_at__isnull=True) | Q(published_at__date__gte=since))
    for review in rows.order_by("due_date", "account__name"):
        if review.status == ReviewStatus.PUBLISHED:
            groups["published"].append(review)
            continue
        groups["overdue" if review.due_date < today else review.status].append(review)
    groups["published"].reverse()
    return groups


@dataclass
class VolumeHistory:
    quarters: list[str]
    types: list[str]
    rows: list[dict]  # per type: label and one (files, bytes) cell per quarter
    chart: VolumeChart


def volume_history(reviews: list[ProactiveReview]) -> VolumeHistory:
    """Repository volume by file type across the given reviews (oldest first; inventory prefetched)."""
    quarters = [review.quarter_label for review in reviews]
    cells: dict[str, list[tuple[int, int] | None]] = {}
    for position, review in enumerate(reviews):
        for row in review.inventory.all():
            cells.setdefault(row.label, [None] * len(reviews))[position] = (row.file_count, row.bytes)
    order = sorted(cells, key=lambda label: (-(cells[label][-1] or (0, 0))[1], label))
    volumes = {label: [(cell or (0, 0))[1] for cell in cells[label]] for label in order}
    rows = [{"label": label, "cells": cells[label]} for label in order]
    return VolumeHistory(quarters=quarters, types=order, rows=rows, chart=volume_chart(quarters, volumes))


def report_history(review: ProactiveReview) -> list[ProactiveReview]:
    """The account's published reviews up to this one, oldest first (this one too, even as a staff draft)."""
    reviews = (
        ProactiveReview.objects.filter(account_id=review.account_id, quarter_start__lte=review.quarter_start)
        .filter(Q(status=ReviewStatus.PUBLISHED) | Q(pk=review.pk))
        .prefetch_related("inventory")
        .order_by("quarter_start")
    )
    return list(reviews)


def current_reviews_by_account(accounts, today: dt.date) -> dict[int, ProactiveReview]:
    """This quarter's review of each account (one query), for the TAM dashboard."""
    from accounts.quarters import Quarter

    quarter = Quarter.of(today)
    # No order: the default one (by account name) would join each review to its account.
    reviews = (
        ProactiveReview.objects.filter(account__in=accounts, quarter_start=quarter.start)
        .order_by()
        .only("id", "account_id", "status", "due_date", "quarter_start")
    )
    return {review.account_id: review for review in reviews}


def sessions_between(*, user: User, start: dt.datetime, end: dt.datetime) -> list:
    """Preview and review sessions of the TAM in a window, for the agenda (two queries)."""
    previews = PreviewSession.objects.filter(tam=user, scheduled_at__gte=start, scheduled_at__lt=end).exclude(
        status="declined"
    )
    reviews = ProactiveReview.objects.filter(tam=user, scheduled_at__gte=start, scheduled_at__lt=end)
    items = [
        {
            "when": p.scheduled_at,
            "label": f"Release preview: {p.account.name}, {p.release}",
            "url": reverse("reviews:preview", args=[p.pk]),
        }
        for p in previews.select_related("account", "release")
    ] + [
        {
            "when": r.scheduled_at,
            "label": f"Proactive review: {r.account.name}, {r.quarter_label}",
            "url": reverse("reviews:review", args=[r.pk]),
        }
        for r in reviews.select_related("account")
    ]
    return sorted(items, key=lambda item: item["when"])


def next_preview(account: Account) -> PreviewSession | None:
    """The account's next planned preview session."""
    from django.utils import timezone

    return (
        PreviewSession.objects.filter(account=account, status="planned", scheduled_at__gte=timezone.now())
        .select_related("release", "tam")
        .order_by("scheduled_at")
        .first()
    )


def latest_published_review(account: Account) -> ProactiveReview | None:
    return (
        ProactiveReview.objects.filter(account=account, status=ReviewStatus.PUBLISHED)
        .order_by("-quarter_start")
        .first()
    )


def quarter_review_figures(account_ids: list[int], quarter_start: dt.date, first: dt.datetime, last: dt.datetime):
    """Per account: the release previews held over [first, last) (release, day, on a replica or not), and the
    proactive review of the quarter starting ``quarter_start``: its status, findings and recommendations with
    their status. Four queries, whatever the number of accounts."""
    from .models import Finding, PreviewStatus, Recommendation

    figures = {pk: {"previews": [], "review": None} for pk in account_ids}
    held = (
        PreviewSession.objects.filter(
            account_id__in=account_ids, status=PreviewStatus.HELD, scheduled_at__gte=first, scheduled_at__lt=last
        )
        .order_by("scheduled_at")
        .values_list("account_id", "release__product", "release__version", "scheduled_at", "uses_replica")
    )
    for account_id, product, version, at, replica in held:
        figures[account_id]["previews"].append({"release": f"{product} {version}", "at": at, "replica": replica})
    reviews = ProactiveReview.objects.filter(account_id__in=account_ids, quarter_start=quarter_start)
    by_review = {}
    for review in reviews.order_by().values("id", "account_id", "status", "held_at", "published_at"):
        by_review[review["id"]] = figures[review["account_id"]]["review"] = {
            "status": review["status"],
            "held_at": review["held_at"],
            "published": review["published_at"] is not None,
            "findings": [],
            "recommendations": [],
        }
    parts = Finding.objects.filter(review_id__in=by_review).order_by("review_id", "id")
    for review_id, level, source, count, summary in parts.values_list(
        "review_id", "level", "source", "count", "summary"
    ):
        by_review[review_id]["findings"].append({"level": level, "source": source, "count": count, "summary": summary})
    advice = Recommendation.objects.filter(review_id__in=by_review).order_by("review_id", "id")
    for review_id, text, priority, status in advice.values_list("review_id", "text", "priority", "status"):
        by_review[review_id]["recommendations"].append({"text": text, "priority": priority, "status": status})
    return figures
