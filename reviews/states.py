"""The status tables of release previews, proactive reviews and recommendations: the moves each status allows.

A service moves a row with ``<TABLE>.move(row, status)``, which refuses any other move with a ``DomainError`` on the
``status`` field ("A due review cannot become held."). A page asks ``<TABLE>.allows(current, status)`` to offer a
move at all.
"""

from core.states import Transitions

from .models import PreviewStatus, RecommendationStatus, ReviewStatus

PREVIEW_STATES = Transitions(
    {
        PreviewStatus.PLANNED: {PreviewStatus.HELD, PreviewStatus.DECLINED},
        PreviewStatus.HELD: set(),
        PreviewStatus.DECLINED: set(),
    },
    noun="preview",
    # named by value ("a declined preview"): the label of declined says by whom, which reads oddly here
    refusal=lambda current, new: f"A {current} preview cannot become {new}.",
)

REVIEW_STATES = Transitions(
    {
        ReviewStatus.DUE: {ReviewStatus.SCHEDULED},
        ReviewStatus.SCHEDULED: {ReviewStatus.SCHEDULED, ReviewStatus.HELD},  # a session may be moved
        ReviewStatus.HELD: {ReviewStatus.PUBLISHED},
        ReviewStatus.PUBLISHED: set(),
    },
    noun="review",
)

RECOMMENDATION_STATES = Transitions(
    {
        RecommendationStatus.OPEN: {
            RecommendationStatus.ACCEPTED,
            RecommendationStatus.DONE,
            RecommendationStatus.DECLINED,
        },
        RecommendationStatus.ACCEPTED: {RecommendationStatus.DONE, RecommendationStatus.DECLINED},
        RecommendationStatus.DECLINED: {RecommendationStatus.OPEN},
        RecommendationStatus.DONE: set(),
    },
    noun="recommendation",
)
