import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, AppliedQuarter

from .modules import split_modules
from .querysets import (
    PreviewSessionQuerySet,
    ProactiveReviewQuerySet,
    ReleaseItemQuerySet,
    ReleaseQuerySet,
    ReviewPartQuerySet,
)
from .versions import format_version, parse_version

# --- Releases -------------------------------------------------------------------------------------


class ReleaseKind(models.TextChoices):
    PATCH = "patch", "Patch"
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"


class Release(models.Model):
    """A product release. Every tier sees published releases and their notes; drafts are for staff only.

    The version is kept as typed and as three numbers (``major``, ``minor``, ``patch``, derived on save),
    so lists sort 10.10.0 after 10.9.3.
    """

    product = models.CharField(max_length=80, default="KwikTag")
    version = models.CharField(max_length=20, help_text="Numbers with dots, e.g. 10.2.1.")
    major = models.PositiveIntegerField(editable=False)
    minor = models.PositiveIntegerField(editable=False)
    patch = models.PositiveIntegerField(editable=False)
    kind = models.CharField(max_length=8, choices=ReleaseKind.choices)
    planned_date = models.DateField()
    actual_date = models.DateField(null=True, blank=True, help_text="The day it was released; empty until then.")
    published = models.BooleanField(default=False, help_text="Drafts are seen by vendor staff only.")
    notes = models.TextField(blank=True, max_length=20000, help_text="Release notes, shown to every customer.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["product", "-major", "-minor", "-patch"]
        constraints = [
            models.UniqueConstraint(fields=["product", "major", "minor", "patch"], name="release_one_per_version"),
        ]
        indexes = [
            # Previews to plan and the chase read published patch releases by date.
            models.Index(fields=["planned_date"], condition=Q(kind="patch", published=True), name="release_patch_date"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.version}"

    def save(self, *args, **kwargs):
        self.major, self.minor, self.patch = parse_version(self.version)
        self.version = format_version(self.version_key)
        super().save(*args, **kwargs)

    @property
    def version_key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    @property
    def release_date(self) -> dt.date:
        return self.actual_date or self.planned_date


class ItemKind(models.TextChoices):
    FEATURE = "feature", "Feature"
    FIX = "fix", "Fix"


class ReleaseItem(models.Model):
    """A feature or a fix in a release, with the modules it affects (comma-separated names)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    modules = models.CharField(
        max_length=300, blank=True, help_text="Affected modules, comma-separated, e.g. Capture, GP connector."
    )

    objects = ReleaseItemQuerySet.as_manager()

    class Meta:
        ordering = ["release", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def module_list(self) -> list[str]:
        return split_modules(self.modules)


class AccountModules(models.Model):
    """The product modules an account uses: release items naming them are suggested for its previews."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="used_modules")
    modules = models.TextField(blank=True, max_length=2000, help_text="Module names, comma-separated.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "modules used by an account"
        verbose_name_plural = "modules used by accounts"

    def __str__(self) -> str:
        return f"{self.account}: {self.modules}"

    @property
    def module_list(self) -> list[str]:
        return split_modules(self.modules)


# --- Release previews -----------------------------------------------------------------------------


class PreviewStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    DECLINED = "declined", "Declined by the customer"


class PreviewSession(models.Model):
    """An Enterprise account's preview of a patch release before it ships, coordinated by its acting TAM."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="previews")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="release_previews")
    tam = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coordinated_previews", verbose_name="TAM"
    )
    scheduled_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    items = models.ManyToManyField(ReleaseItem, blank=True, related_name="previews")
    uses_replica = models.BooleanField(
        "uses a replica of the production database", default=False, help_text="Previewed on a copy of production."
    )
    attendees = models.TextField(blank=True, max_length=1000)
    notes = models.TextField(blank=True, max_length=4000)
    status = models.CharField(max_length=10, choices=PreviewStatus.choices, default=PreviewStatus.PLANNED)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on every reschedule.")
    decline_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    held_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PreviewSessionQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at"]
        constraints = [
            models.UniqueConstraint(fields=["release", "account"], name="preview_one_per_account_and_release"),
        ]
        indexes = [models.Index(fields=["account", "scheduled_at"], name="preview_account_time")]

    def __str__(self) -> str:
        return f"{self.account} · preview of {self.release} · {self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.scheduled_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_planned(self) -> bool:
        return self.status == PreviewStatus.PLANNED


class PreviewChase(models.Model):
    """The chase sent to the acting TAM about an account with no preview of a release: at most one per pair."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="chases")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    tam = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="TAM")
    run = models.UUIDField(help_text="The chase run that claimed this row.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["release", "account"], name="chase_once_per_account_release")]

    def __str__(self) -> str:
        return f"Chased {self.tam} about {self.account} for {self.release}"


# --- Proactive system reviews ---------------------------------------------------------------------


class ReviewStatus(models.TextChoices):
    DUE = "due", "Due"
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    PUBLISHED = "published", "Published"


class ProactiveReview(models.Model):
    """An Enterprise account's proactive system review of one quarter, due by the quarter's end.

    Customers see it once published; until then it is the TAM's working copy.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="proactive_reviews")
    quarter_start = models.DateField()
    due_date = models.DateField(help_text="The last day of the quarter.")
    tam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_reviews",
        verbose_name="assigned TAM",
    )
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DUE)
    scheduled_at = models.DateTimeField(null=True, blank=True, help_text="The remote session.")
    summary = models.TextField(blank=True, max_length=8000)
    monitoring_tools = models.TextField("monitoring tools deployed", blank=True, max_length=4000)
    inventory_source = models.CharField(max_length=200, blank=True, help_text="The file the inventory came from.")
    inventory_imported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    held_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="When the TAM was reminded to schedule it.")

    objects = ProactiveReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter_start", "account__name"]
        constraints = [
            # The quarterly job creates one review per account and quarter, however often or concurrently it runs.
            models.UniqueConstraint(fields=["account", "quarter_start"], name="review_one_per_account_quarter"),
            models.CheckConstraint(condition=Q(due_date__gte=models.F("quarter_start")), name="review_due_in_quarter"),
        ]
        indexes = [
            # The reminder job reads due reviews never reminded, by due date.
            models.Index(
                fields=["due_date"], condition=Q(status="due", reminded_at__isnull=True), name="review_reminder_due"
            ),
            # Overdue reviews: not published, by due date.
            models.Index(fields=["due_date"], condition=~Q(status="published"), name="review_unpublished_due"),
        ]

    def __str__(self) -> str:
        return f"{self.account} · review of {self.quarter_label}"

    @property
    def quarter_label(self) -> str:
        return f"Q{(self.quarter_start.month - 1) // 3 + 1} {self.quarter_start.year}"

    @property
    def is_published(self) -> bool:
        return self.status == ReviewStatus.PUBLISHED


class FindingLevel(models.TextChoices):
    INFO = "info", "Information"
    WARNING = "warning", "Warning"
    ERROR = "error", "Error"
    CRITICAL = "critical", "Critical"


class Finding(models.Model):
    """An event-log finding of a review: where it was seen, how serious, how often."""

    review = models.ForeignKey(ProactiveReview, on_delete=models.CASCADE, related_name="findings")
    source = models.CharField(max_length=120, help_text="e.g. Application event log, KwikTag capture service.")
    level = models.CharField(max_length=10, choices=FindingLevel.choices)
    count = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    summary = models.TextField(max_length=2000)

    objects = ReviewPartQuerySet.as_manager()

    class Meta:
        ordering = ["review", "id"]
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="finding_counts_at_least_once")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} × {self.count}: {self.source}"


class InventoryRow(models.Model):
    """The repository's files of one type at review time: how many and how many bytes."""

    review = models.ForeignKey(ProactiveReview, on_delete=models.CASCADE, related_name="inventory")
    extension = models.CharField(max_length=32, help_text="Lower case without the dot; empty for no extension.")
    file_count = models.PositiveBigIntegerField()
    bytes = models.PositiveBigIntegerField()

    objects = ReviewPartQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-bytes", "extension"]
        constraints = [models.UniqueConstraint(fields=["review", "extension"], name="inventory_one_row_per_type")]

    def __str__(self) -> str:
        return f"{self.label}: {self.file_count} files, {self.bytes} bytes"

    @property
    def label(self) -> str:
        return f".{self.extension}" if self.extension else "(no extension)"


class RecommendationPriority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class RecommendationStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


class Recommendation(models.Model):
    """What the TAM recommends after a review, and where it stands."""

    review = models.ForeignKey(ProactiveReview, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField(max_length=2000)
    priority = models.CharField(max_length=8, choices=RecommendationPriority.choices)
    status = models.CharField(max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewPartQuerySet.as_manager()

    class Meta:
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.text[:60]}"


class ReviewQuarter(AppliedQuarter):
    """A quarter whose start the review job has applied (the job catches up from the last one)."""

    created = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Reviews for the quarter starting {self.quarter_start:%Y-%m-%d}"
