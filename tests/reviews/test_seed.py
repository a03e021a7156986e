"""The demo data: believable, and a second run changes nothing."""

import pytest

from accounts.seed import seed_coverage, seed_people
from reviews.models import (
    AccountModules,
    Finding,
    InventoryRow,
    PreviewSession,
    ProactiveReview,
    Recommendation,
    Release,
    ReleaseItem,
)
from reviews.seed import seed_reviews


def _snapshot():
    return {
        "releases": sorted(Release.objects.values_list("version", "kind", "planned_date", "actual_date", "published")),
        "items": ReleaseItem.objects.count(),
        "modules": list(AccountModules.objects.values_list("account__slug", "modules", "updated_at")),
        "previews": sorted(PreviewSession.objects.values_list("account__slug", "release__version", "scheduled_at")),
        "reviews": sorted(
            ProactiveReview.objects.values_list("account__slug", "quarter_start", "status", "published_at")
        ),
        "findings": Finding.objects.count(),
        "inventory": sorted(InventoryRow.objects.values_list("review__quarter_start", "extension", "bytes")),
        "recommendations": sorted(Recommendation.objects.values_list("text", "status", "review__quarter_start")),
    }


@pytest.mark.django_db
def test_seed_reviews_is_believable_and_idempotent():
    log = lambda line: None  # noqa: E731
    users = seed_people(log)
    seed_coverage(log, users)
    seed_reviews(log, users)
    first = _snapshot()
    seed_reviews(log, users)
    assert _snapshot() == first

    assert len(first["releases"]) == 4
    assert [r[0] for r in first["releases"] if not r[4]] == ["11.0.0"]  # one draft
    reviews = ProactiveReview.objects.filter(account__slug="acme").order_by("quarter_start")
    assert [r.status for r in reviews] == ["published", "published", "published", "due"]
    assert not ProactiveReview.objects.filter(account__slug="globex").exists()
    pdf = [size for _, extension, size in first["inventory"] if extension == "pdf"]
    assert pdf == sorted(pdf) and len(pdf) == 3  # the volume grows quarter by quarter
    assert {status for _, status, _ in first["recommendations"]} >= {"open", "accepted", "done", "declined"}
    patch = Release.objects.get(version="10.2.1")
    assert patch.items.count() == 4 and patch.published
    preview = PreviewSession.objects.get()
    assert preview.items.count() == 3  # the items for Capture, Approval workflow and GP connector
