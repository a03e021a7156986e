"""Demo releases, a planned preview and a year of proactive reviews for `seed_demo`. Idempotent: a second run
changes nothing.

Four KwikTag releases (two shipped, a patch three weeks ahead with a preview planned for Acme, a major one
still in draft); Acme's reviews of the last three quarters are published, with findings, an inventory that
grows quarter by quarter and recommendations at every stage; this quarter's review is due, not scheduled.
"""

import datetime as dt

from django.utils import timezone

from accounts.models import Account, User
from accounts.quarters import Quarter, vendor_today, vendor_zone

from . import services
from .charts import format_bytes
from .models import AccountModules, PreviewSession, ProactiveReview, Release, ReviewStatus
from .quarterly import reviews_create_quarterly

ACME_MODULES = "Capture, Approval workflow, GP connector"

RELEASES = [
    {
        "version": "10.1.4",
        "kind": "patch",
        "days": -75,
        "released": True,
        "published": True,
        "notes": "Maintenance release: capture and approval fixes. Apply at your convenience.",
        "items": [
            ("fix", "Capture service restarts cleanly after its account password changes", "Capture"),
            ("fix", "Approval reminders are no longer sent twice", "Approval workflow"),
        ],
    },
    {
        "version": "10.2.0",
        "kind": "minor",
        "days": -40,
        "released": True,
        "published": True,
        "notes": "Bulk re-routing in approvals, Dynamics GP 2013 R2 support and per-vendor OCR zones.",
        "items": [
            ("feature", "Bulk re-route of invoices waiting for approval", "Approval workflow"),
            ("feature", "Dynamics GP 2013 R2 support", "GP connector"),
            ("feature", "OCR zones per vendor template", "Capture"),
            ("feature", "Saved searches in the archive", "Archive"),
        ],
    },
    {
        "version": "10.2.1",
        "kind": "patch",
        "days": 21,
        "released": False,
        "published": True,
        "notes": "Patch release: GP posting, TIFF import and archive search fixes; delegation while absent.",
        "items": [
            ("fix", "Multi-currency invoices post to GP with the right exchange rate", "GP connector"),
            ("fix", "TIFF pages keep their rotation on import", "Capture"),
            ("fix", "Archive search by PO number no longer times out", "Archive"),
            ("feature", "Approvers delegate while they are absent", "Approval workflow"),
        ],
    },
    {
        "version": "11.0.0",
        "kind": "major",
        "days": 180,
        "released": False,
        "published": False,
        "notes": "Draft: the new web client and a redesigned approval inbox.",
        "items": [
            ("feature", "New web client", "Web client"),
            ("feature", "Redesigned approval inbox", "Approval workflow, Web client"),
        ],
    },
]

# (extension, files, bytes) at the oldest seeded quarter; each later quarter grows by about 12 %.
INVENTORY = [
    ("pdf", 182_400, 61_800_000_000),
    ("tif", 96_300, 48_200_000_000),
    ("docx", 21_700, 3_900_000_000),
    ("xlsx", 8_900, 1_400_000_000),
    ("msg", 31_200, 5_600_000_000),
    ("jpg", 4_100, 2_100_000_000),
    ("", 650, 90_000_000),
]
FINDINGS = [
    ("Application event log", "warning", 42, "The capture service logged OCR timeouts on large multi-page TIFFs."),
    ("KwikTag approval service", "error", 6, "Approval e-mails failed while the SMTP relay was being patched."),
    ("System event log", "info", 3, "Scheduled restarts ran as planned after Windows updates."),
]
RECOMMENDATIONS = [
    ("high", "Move the repository to the new SAN volume before it passes 85 % full.", ["accepted", "done"]),
    ("medium", "Split TIFF batches over 200 pages at the scanner.", ["accepted"]),
    ("low", "Archive closed fiscal years to the cold-storage library.", ["declined"]),
    ("medium", "Add the approval service to the SCOM service-health checks.", []),
]


def _release(spec: dict, admin: User, today: dt.date) -> Release:
    release = Release.objects.filter(product="KwikTag", version=spec["version"]).first()
    if release is not None:
        return release
    planned = today + dt.timedelta(days=spec["days"])
    release = services.release_create(
        actor=admin,
        version=spec["version"],
        kind=spec["kind"],
        planned_date=planned,
        actual_date=planned if spec["released"] else None,
        notes=spec["notes"],
        published=spec["published"],
    )
    for kind, title, modules in spec["items"]:
        services.release_item_add(actor=admin, release=release, kind=kind, title=title, modules=modules)
    return release


def _weekday_at(day: dt.date, hour: int) -> dt.datetime:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=vendor_zone())


def _fill_published(review: ProactiveReview, tam: User, age: int) -> None:
    """A past quarter's review, written as history: session mid-quarter, published a few days later."""
    quarter = Quarter.of(review.quarter_start)
    session = _weekday_at(quarter.start + dt.timedelta(days=45), 10)
    services.review_schedule(actor=tam, review=review, scheduled_at=session)
    growth = 1.12 ** (2 - age)
    for extension, files, size in INVENTORY:
        services.inventory_set_row(
            actor=tam, review=review, extension=extension, file_count=round(files * growth), bytes=round(size * growth)
        )
    for source, level, count, summary in FINDINGS[: 3 - (age % 2)]:
        services.finding_add(
            actor=tam, review=review, source=source, level=level, count=count + 7 * age, summary=summary
        )
    for priority, text, moves in RECOMMENDATIONS[: 2 + (2 - age)]:
        recommendation = services.recommendation_add(actor=tam, review=review, text=text, priority=priority)
        for status in moves if age else moves[:1]:  # older quarters' recommendations have moved further
            services.recommendation_set_status(actor=tam, recommendation=recommendation, status=status)
    total = sum(round(size * growth) for _, _, size in INVENTORY)
    services.review_update(
        actor=tam,
        review=review,
        summary=f"The system is healthy. The repository holds {format_bytes(total)}; OCR timeouts on large TIFF "
        "batches are the main thing to address.",
        monitoring_tools="SCOM agent on the KwikTag servers; KwikTag health dashboard; SQL Server agent alerts.",
    )
    ProactiveReview.objects.filter(pk=review.pk).update(
        status=ReviewStatus.PUBLISHED,
        held_at=session + dt.timedelta(hours=2),
        published_at=session + dt.timedelta(days=3),
        published_by=tam,
    )


def seed_reviews(log, users: dict[str, User]) -> None:
    today = vendor_today()
    admin, tam = users["admin@ess.example"], users["tam@ess.example"]
    acme = Account.objects.get(slug="acme")

    releases = {spec["version"]: _release(spec, admin, today) for spec in RELEASES}
    log(f"  releases: {', '.join(str(r) for r in sorted(releases.values(), key=lambda r: r.version_key))}")

    if not AccountModules.objects.filter(account=acme).exists():
        services.account_modules_set(actor=tam, account=acme, modules=ACME_MODULES)
    patch = releases["10.2.1"]
    if (
        patch.published
        and not patch.actual_date
        and not PreviewSession.objects.filter(release=patch, account=acme).exists()
    ):
        scheduled = _weekday_at(today + dt.timedelta(days=7), 10)
        if scheduled > timezone.now() and scheduled.date() < patch.planned_date:
            preview = services.preview_plan(
                actor=tam,
                release=patch,
                account=acme,
                scheduled_at=scheduled,
                uses_replica=True,
                attendees="Alice Anders (AP lead), Acme IT on call",
                notes="Walk through the GP posting fix on last month's invoices.",
            )
            log(f"  preview of {patch} for Acme planned for {preview.scheduled_at:%Y-%m-%d %H:%M} ({preview.tam})")

    current = Quarter.of(today)
    first = current.previous().previous().previous()
    report = reviews_create_quarterly(as_of=today, since=first)
    for age, quarter in enumerate([current.previous(), current.previous().previous(), first]):
        review = ProactiveReview.objects.filter(account=acme, quarter_start=quarter.start).first()
        if review is not None and review.status == ReviewStatus.DUE and not review.findings.exists():
            _fill_published(review, tam, age)
    log(f"  reviews: {report.created} created; Acme's last three quarters published, {current} due")
