"""A review's recommendations, and where each stands: tracked after publication too."""

from django.db import transaction

from accounts.models import User

from ..models import ProactiveReview, Recommendation, RecommendationPriority, RecommendationStatus
from ..states import RECOMMENDATION_STATES
from . import common
from .proactive import locked_review, require_editable
from .rules import may_work_on_review

__all__ = ["recommendation_add", "recommendation_set_status"]


def recommendation_add(*, actor: User, review: ProactiveReview, text: str, priority: str) -> Recommendation:
    """The TAM adds a recommendation with its priority to an unpublished review; it starts open."""
    may_work_on_review.require(actor, review)
    text = common.text(text, model=Recommendation, field="text", required="Write the recommendation.")
    common.choice(priority, choices=RecommendationPriority, field="priority", message="Choose high, medium or low.")
    with transaction.atomic():
        review = locked_review(review)
        require_editable(review, "text")
        return Recommendation.objects.create(review=review, text=text, priority=priority)


def recommendation_set_status(*, actor: User, recommendation: Recommendation, status: str) -> Recommendation:
    """The TAM tracks a recommendation, also after publication: open -> accepted, done or declined; accepted
    -> done or declined; declined -> open again. Done is final."""
    may_work_on_review.require(actor, recommendation)
    common.choice(
        status, choices=RecommendationStatus, field="status", message="Choose open, accepted, done or declined."
    )
    with transaction.atomic():
        recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        RECOMMENDATION_STATES.move(recommendation, RecommendationStatus(status))
        recommendation.save(update_fields=["status", "updated_at"])
    return recommendation
