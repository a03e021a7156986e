"""Releases with their items, a preview per recent patch release for half the Enterprise accounts, and a proactive
review per Enterprise account and quarter with its findings, inventory and recommendations."""

import datetime as dt
import random
import uuid

from accounts.quarters import Quarter
from bench.seed.accounts import Vendor
from bench.seed.base import HISTORY, Copier, Seeding, flush_all
from reviews.models import (
    Finding,
    InventoryRow,
    PreviewSession,
    ProactiveReview,
    Recommendation,
    Release,
    ReleaseItem,
    ReviewQuarter,
)

PREVIEW_FIELDS = [
    "uid",
    "release",
    "account",
    "tam",
    "scheduled_at",
    "duration_minutes",
    "uses_replica",
    "attendees",
    "notes",
    "status",
    "sequence",
    "decline_reason",
    "created_by",
    "created_at",
    "held_at",
]
REVIEW_FIELDS = [
    "id",
    "account",
    "quarter_start",
    "due_date",
    "tam",
    "status",
    "scheduled_at",
    "summary",
    "monitoring_tools",
    "inventory_source",
    "created_at",
    "held_at",
    "published_at",
    "published_by",
]


def load_releases_and_reviews(seeding: Seeding, vendor: Vendor) -> None:
    rng = seeding.stream(3)
    releases = _releases(seeding, rng)
    previews = _previews(seeding, vendor, rng, releases)
    reviews, details = _reviews(seeding, vendor, rng)
    seeding.log(
        f"{len(releases)} releases, {previews:,} previews, {reviews:,} reviews with "
        f"{details:,} findings, inventory rows and recommendations"
    )


def _releases(seeding: Seeding, rng: random.Random) -> list[Release]:
    """Patch releases, every fourth a minor one and every thirteenth a major one, over the history and 60 days
    ahead; five items each."""
    count = seeding.options["releases"]
    releases = []
    minor, patch = 0, 0
    for n in range(count):
        kind = "major" if n % 13 == 12 else "minor" if n % 4 == 3 else "patch"
        if kind == "minor":
            minor, patch = minor + 1, 0
        elif kind == "patch":
            patch += 1
        major = 10 + sum(1 for m in range(n + 1) if m % 13 == 12)
        if kind == "major":
            minor, patch = 0, 0
        planned = seeding.today - HISTORY + (HISTORY + dt.timedelta(days=60)) * n / count
        release = Release(
            version=f"{major}.{minor}.{patch}",
            kind=kind,
            planned_date=planned,
            actual_date=planned if planned <= seeding.today else None,
            published=True,
            notes="Fixes and improvements.",
        )
        release.save()
        releases.append(release)
    ReleaseItem.objects.bulk_create(
        ReleaseItem(release=r, kind=rng.choice(("feature", "fix")), title=f"Item {i} of {r.version}", modules="Capture")
        for r in releases
        for i in range(5)
    )
    return releases


def _previews(seeding: Seeding, vendor: Vendor, rng: random.Random, releases: list[Release]) -> int:
    """A preview a week before each patch release of the last 120 days, for every other Enterprise account."""
    previews = Copier(PreviewSession, PREVIEW_FIELDS)
    recent = [r for r in releases if r.kind == "patch" and seeding.today - dt.timedelta(days=120) <= r.planned_date]
    for release in recent:
        for account in vendor.ess[::2]:
            tam = vendor.primary_of[account.pk]
            at = dt.datetime.combine(release.planned_date - dt.timedelta(days=7), dt.time(10), tzinfo=seeding.zone)
            held = at < seeding.now
            previews.add(
                uuid.UUID(int=rng.getrandbits(128), version=4),
                release.pk,
                account.pk,
                tam.pk,
                at,
                60,
                False,
                "",
                "",
                "held" if held else "planned",
                0,
                "",
                tam.pk,
                at - dt.timedelta(days=10),
                at + dt.timedelta(hours=1) if held else None,
            )
    previews.flush()
    return previews.written


def _reviews(seeding: Seeding, vendor: Vendor, rng: random.Random) -> tuple[int, int]:
    """A review per Enterprise account for each past quarter (published, with findings, inventory and
    recommendations) and for this one (due or scheduled). Returns the reviews and their details written."""
    current = Quarter.of(seeding.today)
    quarters = [current]
    for _ in range(seeding.options["quarters"]):
        quarters.insert(0, quarters[0].previous())
    review_id = 0
    reviews = Copier(ProactiveReview, REVIEW_FIELDS)
    findings = Copier(Finding, ["review", "source", "level", "count", "summary"])
    inventory = Copier(InventoryRow, ["review", "extension", "file_count", "bytes"])
    advice = Copier(Recommendation, ["review", "text", "priority", "status", "created_at", "updated_at"])
    for quarter in quarters:
        past = quarter != current
        for account in vendor.ess:
            review_id += 1
            tam = vendor.primary_of[account.pk]
            at = quarter.starts_at() + dt.timedelta(days=rng.randrange(20, 70), hours=10)
            scheduled = at if past or rng.random() < 0.5 else None
            reviews.add(
                review_id,
                account.pk,
                quarter.start,
                quarter.end,
                tam.pk,
                "published" if past else "scheduled" if scheduled else "due",
                scheduled,
                "System healthy; two recommendations." if past else "",
                "Event log forwarding" if past else "",
                "",
                quarter.starts_at(),
                at + dt.timedelta(hours=2) if past else None,
                at + dt.timedelta(days=2) if past else None,
                tam.pk if past else None,
            )
            if not past:
                continue
            findings.add(review_id, "Application event log", "warning", rng.randrange(1, 40), "Capture retries")
            findings.add(review_id, "KwikTag capture service", "info", 1, "Service restarted weekly")
            for extension in ("pdf", "tif", "docx", "msg"):
                inventory.add(review_id, extension, rng.randrange(1000, 90000), rng.randrange(10**8, 10**11))
            advice.add(review_id, "Archive documents older than seven years.", "medium", "open", at, at)
            advice.add(review_id, "Move the repository to faster storage.", "high", "accepted", at, at)
    flush_all(
        reviews,
        findings,
        inventory,
        advice,
        models=(ProactiveReview, Finding, InventoryRow, Recommendation, PreviewSession),
    )
    ReviewQuarter.objects.bulk_create(
        ReviewQuarter(quarter_start=q.start, applied_at=q.starts_at(), created=len(vendor.ess)) for q in quarters
    )
    return reviews.written, findings.written + inventory.written + advice.written
