"""A proactive review's lifecycle: one per Enterprise account and quarter (the quarterly job creates it), its
session scheduled and held, its summary written, its report published to the customer.

Its parts have modules of their own (``findings``, ``inventory``, ``recommendations``); they lock the review and
refuse changes to a published report through ``locked_review`` and ``require_editable`` here.
"""

import datetime as dt

from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.quarters import vendor_zone
from core.errors import DomainError
from core.events import publish

from .. import notifications
from ..models import ProactiveReview, ReviewStatus
from ..states import REVIEW_STATES
from .common import check_moment, held_now, text
from .rules import may_work_on_review

__all__ = [
    "review_hold",
    "review_is_editable",
    "review_publish",
    "review_schedule",
    "review_update",
]


def locked_review(review: ProactiveReview) -> ProactiveReview:
    return ProactiveReview.objects.select_for_update(of=("self",)).select_related("account", "tam").get(pk=review.pk)


def review_is_editable(review: ProactiveReview) -> bool:
    """Until it is published, a review's report (summary, findings, inventory, recommendations) may change."""
    return review.status != ReviewStatus.PUBLISHED


def require_editable(review: ProactiveReview, field: str | None = None) -> None:
    if not review_is_editable(review):
        raise DomainError("The review is published: its report no longer changes.", field=field)


def remove_part(*, actor: User, part: models.Model) -> None:
    """A TAM removes a part (a finding, an inventory row) of an unpublished review."""
    may_work_on_review.require(actor, part)
    with transaction.atomic():
        require_editable(locked_review(part.review))
        part.delete()


def review_schedule(*, actor: User, review: ProactiveReview, scheduled_at: dt.datetime | None) -> ProactiveReview:
    """The TAM schedules (or moves) the review's remote session: any time from the quarter's start (so a
    session already held can be recorded too) to a year after it. An unassigned review is assigned to the TAM
    who schedules it."""
    may_work_on_review.require(actor, review)
    check_moment(scheduled_at, "scheduled_at")
    quarter_starts = dt.datetime.combine(review.quarter_start, dt.time(0), tzinfo=vendor_zone())
    if scheduled_at < quarter_starts:
        raise DomainError(
            f"The {review.quarter_label} review takes place from {review.quarter_start:%b %-d, %Y} on.",
            field="scheduled_at",
        )
    if scheduled_at >= quarter_starts + dt.timedelta(days=366):
        raise DomainError("Schedule the session within a year of the quarter's start.", field="scheduled_at")
    with transaction.atomic():
        review = locked_review(review)
        REVIEW_STATES.move(review, ReviewStatus.SCHEDULED)
        review.scheduled_at = scheduled_at
        review.tam = review.tam or actor
        review.save(update_fields=["status", "scheduled_at", "tam"])
    return review


def review_update(*, actor: User, review: ProactiveReview, summary: str, monitoring_tools: str) -> ProactiveReview:
    """The TAM writes the review's summary and the monitoring tools deployed, until it is published."""
    may_work_on_review.require(actor, review)
    summary = text(summary, model=ProactiveReview, field="summary")
    monitoring_tools = text(monitoring_tools, model=ProactiveReview, field="monitoring_tools")
    with transaction.atomic():
        review = locked_review(review)
        require_editable(review, "summary")
        review.summary, review.monitoring_tools = summary, monitoring_tools
        review.save(update_fields=["summary", "monitoring_tools"])
    return review


def review_hold(*, actor: User, review: ProactiveReview) -> ProactiveReview:
    """The TAM records that the scheduled session took place (once its time has come)."""
    may_work_on_review.require(actor, review)
    with transaction.atomic():
        review = locked_review(review)
        REVIEW_STATES.move(review, ReviewStatus.HELD)
        review.held_at = held_now(review.scheduled_at, actor, what="The session is scheduled")
        review.save(update_fields=["status", "held_at"])
    return review


def review_publish(*, actor: User, review: ProactiveReview) -> ProactiveReview:
    """The TAM publishes a held review with something to report (findings, inventory or recommendations):
    the customer's users can read it from then on and are told by e-mail. A published report is final."""
    may_work_on_review.require(actor, review)
    with transaction.atomic():
        review = locked_review(review)
        REVIEW_STATES.move(review, ReviewStatus.PUBLISHED)
        has_content = review.findings.exists() or review.inventory.exists() or review.recommendations.exists()
        if not has_content:
            raise DomainError("Record findings, the inventory or recommendations before publishing.", field="status")
        review.published_at, review.published_by = timezone.now(), actor
        review.save(update_fields=["status", "published_at", "published_by"])
        notifications.notify_review_published(review)
        publish("review.completed", review, account_id=review.account_id)
    return review
