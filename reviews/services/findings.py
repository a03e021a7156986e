"""A review's event-log findings: where something was seen, how serious, how often."""

from django.db import transaction

from accounts.models import User

from ..models import Finding, FindingLevel, ProactiveReview
from .common import choice, text, whole_number
from .proactive import locked_review, remove_part, require_editable
from .rules import may_work_on_review

__all__ = ["finding_add", "finding_remove"]

MOST_SIGHTINGS = 2_000_000_000


def finding_add(
    *, actor: User, review: ProactiveReview, source: str, level: str, count: int | None, summary: str
) -> Finding:
    """The TAM records an event-log finding of an unpublished review: its source, level, how many times it was
    seen (at least once), and a summary."""
    may_work_on_review.require(actor, review)
    source = text(source, model=Finding, field="source", required="Say where it was seen (e.g. Application event log).")
    choice(level, choices=FindingLevel, field="level", message="Choose information, warning, error or critical.")
    whole_number(
        count,
        field="count",
        low=1,
        high=MOST_SIGHTINGS,
        message="A finding is seen at least once.",
        too_high=f"Count up to {MOST_SIGHTINGS:,} sightings.",
    )
    summary = text(summary, model=Finding, field="summary", required="Summarise the finding.")
    with transaction.atomic():
        review = locked_review(review)
        require_editable(review, "source")
        return Finding.objects.create(review=review, source=source, level=level, count=count, summary=summary)


def finding_remove(*, actor: User, finding: Finding) -> None:
    """The TAM removes a finding from an unpublished review."""
    remove_part(actor=actor, part=finding)
