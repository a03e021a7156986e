from celery import shared_task

from .chase import chase as chase_all
from .quarterly import reviews_create_quarterly


@shared_task(name="reviews.create_quarterly_reviews")
def create_quarterly_reviews() -> dict:
    """Create the quarter's proactive reviews; runs hourly so a missed or late run catches up."""
    report = reviews_create_quarterly()
    return {"quarters": [str(q) for q in report.quarters], "created": report.created}


@shared_task(name="reviews.chase")
def chase() -> dict:
    """Chase previews not planned close to a patch release, and reviews due soon and not scheduled."""
    report = chase_all()
    return {"previews": report.previews, "reviews": report.reviews}
