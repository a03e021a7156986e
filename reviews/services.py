"""Every write of releases, release previews and proactive reviews goes through these functions."""

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.coverage import NoTamAvailable, acting_tam
from accounts.errors import DomainError
from accounts.models import Account, Contract, User
from accounts.quarters import vendor_today, vendor_zone

from . import notifications
from .inventory import InventoryRejected, read_inventory_file
from .models import (
    PREVIEW_TRANSITIONS,
    RECOMMENDATION_TRANSITIONS,
    REVIEW_TRANSITIONS,
    AccountModules,
    Finding,
    FindingLevel,
    InventoryRow,
    ItemKind,
    PreviewSession,
    PreviewStatus,
    ProactiveReview,
    Recommendation,
    RecommendationPriority,
    RecommendationStatus,
    Release,
    ReleaseItem,
    ReleaseKind,
    ReviewStatus,
)
from .modules import join_modules, split_modules
from .selectors import suggested_items
from .versions import parse_version

PREVIEW_BENEFIT = "Release previews are an Enterprise benefit"
MIN_PREVIEW_MINUTES = 15
MAX_PREVIEW_MINUTES = 240


class InventoryFileRefused(DomainError):
    """A bad inventory file: ``lines`` say what is wrong, by line number (at most about 20, then "and N more")."""

    def __init__(self, rejected: InventoryRejected):
        super().__init__(rejected.summary, field="file")
        self.lines = rejected.lines


def _check_moment(moment: dt.datetime | None, field: str) -> None:
    if moment is None or timezone.is_naive(moment):
        raise DomainError("Give the time with its time zone.", field=field)
    if not 1900 <= moment.year <= 9000:
        raise DomainError("Give a time between the years 1900 and 9000.", field=field)


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%a %b %-d, %Y %H:%M")


def _is_staff(actor: User) -> bool:
    return actor.is_vendor_staff


# --- Releases -------------------------------------------------------------------------------------


def _release_fields(*, product: str, version: str, kind: str, planned_date: dt.date, actual_date, notes: str) -> dict:
    if not _clean(product):
        raise DomainError("Name the product.", field="product")
    try:
        parse_version(version)
    except ValueError as error:
        raise DomainError(str(error), field="version") from error
    if kind not in ReleaseKind.values:
        raise DomainError("Choose patch, minor or major.", field="kind")
    if planned_date is None:
        raise DomainError("Give the planned release date.", field="planned_date")
    return {
        "product": _clean(product)[:80],
        "version": version.strip(),
        "kind": kind,
        "planned_date": planned_date,
        "actual_date": actual_date,
        "notes": (notes or "").strip(),
    }


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _save_release(release: Release) -> Release:
    try:
        with transaction.atomic():
            release.save()
    except IntegrityError as error:
        raise DomainError(f"{release.product} {release.version} already exists.", field="version") from error
    return release


def release_create(
    *,
    actor: User,
    version: str,
    kind: str,
    planned_date: dt.date,
    product: str = "KwikTag",
    actual_date: dt.date | None = None,
    notes: str = "",
    published: bool = False,
) -> Release:
    """Vendor staff add a release: a version unique per product (compared as numbers), a kind and a planned
    date. It starts as a draft unless published at once; only published releases are shown to customers."""
    if not _is_staff(actor):
        raise DomainError("Only vendor staff add releases.", field="version")
    fields = _release_fields(
        product=product, version=version, kind=kind, planned_date=planned_date, actual_date=actual_date, notes=notes
    )
    return _save_release(Release(**fields, published=published))


def release_update(
    *,
    actor: User,
    release: Release,
    version: str,
    kind: str,
    planned_date: dt.date,
    product: str = "KwikTag",
    actual_date: dt.date | None = None,
    notes: str = "",
    published: bool = False,
) -> Release:
    """Vendor staff change a release. A release that has previews stays a patch release and stays published
    (its customers have seen it)."""
    if not _is_staff(actor):
        raise DomainError("Only vendor staff change releases.", field="version")
    fields = _release_fields(
        product=product, version=version, kind=kind, planned_date=planned_date, actual_date=actual_date, notes=notes
    )
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.previews.exists():
            if not published:
                raise DomainError("This release has previews: it cannot go back to draft.", field="published")
            if kind != ReleaseKind.PATCH:
                raise DomainError("This release has previews: it stays a patch release.", field="kind")
        for name, value in fields.items():
            setattr(release, name, value)
        release.published = published
        return _save_release(release)


def release_publish(*, actor: User, release: Release) -> Release:
    """Vendor staff publish a draft: every customer sees it, and a patch release asks for previews."""
    if not _is_staff(actor):
        raise DomainError("Only vendor staff publish releases.", field="published")
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.published:
            raise DomainError("The release is already published.", field="published")
        release.published = True
        release.save(update_fields=["published", "updated_at"])
    return release


def _item_fields(*, kind: str, title: str, description: str, modules: str) -> dict:
    if kind not in ItemKind.values:
        raise DomainError("Choose feature or fix.", field="kind")
    if not _clean(title):
        raise DomainError("Give the item a title.", field="title")
    modules = join_modules(split_modules(modules))
    if len(modules) > 300:
        raise DomainError("Name at most 300 characters of modules.", field="modules")
    return {"kind": kind, "title": _clean(title)[:200], "description": _clean(description), "modules": modules}


def release_item_add(
    *, actor: User, release: Release, kind: str, title: str, description: str = "", modules: str = ""
) -> ReleaseItem:
    """Vendor staff add a feature or fix to a release, with the modules it affects (comma-separated)."""
    if not _is_staff(actor):
        raise DomainError("Only vendor staff change releases.", field="title")
    fields = _item_fields(kind=kind, title=title, description=description, modules=modules)
    return ReleaseItem.objects.create(release=release, **fields)


def release_item_update(
    *, actor: User, item: ReleaseItem, kind: str, title: str, description: str = "", modules: str = ""
) -> ReleaseItem:
    """Vendor staff correct an item of a release."""
    if not _is_staff(actor):
        raise DomainError("Only vendor staff change releases.", field="title")
    for name, value in _item_fields(kind=kind, title=title, description=description, modules=modules).items():
        setattr(item, name, value)
    item.save()
    return item


def release_item_remove(*, actor: User, item: ReleaseItem) -> None:
    """Vendor staff remove an item; previews that showed it no longer list it."""
    if not _is_staff(actor):
        raise DomainError("Only vendor staff change releases.", field="title")
    item.delete()


def account_modules_set(*, actor: User, account: Account, modules: str) -> AccountModules:
    """A TAM records the modules an account uses; release items naming them are suggested for its previews."""
    if not actor.acts_as_tam:
        raise DomainError("Only TAMs record the modules an account uses.", field="modules")
    text = join_modules(split_modules(modules))
    if len(text) > 2000:
        raise DomainError("Name at most 2000 characters of modules.", field="modules")
    record, _ = AccountModules.objects.update_or_create(account=account, defaults={"modules": text})
    return record


# --- Release previews -----------------------------------------------------------------------------


def _has_previews(account: Account, day: dt.date) -> bool:
    return Contract.objects.active_on(day).filter(account=account, tier__release_previews=True).exists()


def _check_preview_time(release: Release, account: Account, scheduled_at: dt.datetime, duration_minutes: int) -> None:
    _check_moment(scheduled_at, "scheduled_at")
    if not MIN_PREVIEW_MINUTES <= duration_minutes <= MAX_PREVIEW_MINUTES:
        raise DomainError("A preview lasts from 15 minutes to 4 hours.", field="duration_minutes")
    if scheduled_at <= timezone.now():
        raise DomainError("The preview time is in the past.", field="scheduled_at")
    release_starts = dt.datetime.combine(release.planned_date, dt.time(0), tzinfo=vendor_zone())
    if scheduled_at + dt.timedelta(minutes=duration_minutes) > release_starts:
        raise DomainError(
            f"A preview takes place before the release, planned for {release.planned_date:%b %-d, %Y}: "
            "choose an earlier time.",
            field="scheduled_at",
        )
    day = scheduled_at.astimezone(vendor_zone()).date()
    if not _has_previews(account, day):
        raise DomainError(f"{PREVIEW_BENEFIT}: {account.name} has none on {day:%b %-d, %Y}.", field="account")


def _check_items(release: Release, items: Iterable[ReleaseItem]) -> list[ReleaseItem]:
    items = list(items)
    if any(item.release_id != release.pk for item in items):
        raise DomainError(f"Choose items of {release} only.", field="items")
    return items


def _coordinator(account: Account, scheduled_at: dt.datetime) -> User:
    try:
        return acting_tam(account, scheduled_at)
    except NoTamAvailable as error:
        raise DomainError("No TAM is available at that time; choose another time.", field="scheduled_at") from error


def preview_plan(
    *,
    actor: User,
    release: Release,
    account: Account,
    scheduled_at: dt.datetime,
    duration_minutes: int = 60,
    items: Iterable[ReleaseItem] | None = None,
    uses_replica: bool = False,
    attendees: str = "",
    notes: str = "",
    coordinate_myself: bool = False,
) -> PreviewSession:
    """A TAM plans an Enterprise account's preview of a published patch release: one per account and release,
    in the future and before the release date, for an account whose tier includes previews on that day. It is
    coordinated by the TAM acting at that time (or the planner, if they say so); the items default to those
    that affect the modules the account uses. The customer's users get a calendar invitation."""
    if not actor.acts_as_tam:
        raise DomainError("Only TAMs plan release previews.", field="account")
    if release.kind != ReleaseKind.PATCH:
        raise DomainError("Previews are held before patch releases.", field="release")
    if not release.published:
        raise DomainError("Publish the release before planning its previews.", field="release")
    if release.actual_date and release.actual_date <= vendor_today():
        raise DomainError(f"{release} is already released.", field="release")
    if not _has_previews(account, vendor_today()) and not _has_previews(account, release.planned_date):
        raise DomainError(PREVIEW_BENEFIT + ".", field="account")
    _check_preview_time(release, account, scheduled_at, duration_minutes)
    items = suggested_items(release, account) if items is None else _check_items(release, items)
    tam = actor if coordinate_myself and actor.is_tam_level else _coordinator(account, scheduled_at)
    try:
        with transaction.atomic():
            preview = PreviewSession.objects.create(
                release=release,
                account=account,
                tam=tam,
                scheduled_at=scheduled_at,
                duration_minutes=duration_minutes,
                uses_replica=uses_replica,
                attendees=_clean(attendees)[:1000],
                notes=_clean(notes)[:4000],
                created_by=actor,
            )
            preview.items.set(items)
            notifications.notify_preview_planned(preview)
    except IntegrityError as error:
        raise DomainError(f"{account.name} already has a preview of {release}.", field="account") from error
    return preview


def _locked_preview(preview: PreviewSession) -> PreviewSession:
    return (
        PreviewSession.objects.select_for_update(of=("self",))
        .select_related("release", "account", "tam")
        .get(pk=preview.pk)
    )


def _move_preview(preview: PreviewSession, status: PreviewStatus) -> None:
    if status not in PREVIEW_TRANSITIONS[PreviewStatus(preview.status)]:
        raise DomainError(f"A {preview.status} preview cannot become {status.value}.", field="status")
    preview.status = status


def preview_update(
    *,
    actor: User,
    preview: PreviewSession,
    scheduled_at: dt.datetime,
    duration_minutes: int,
    items: Iterable[ReleaseItem],
    uses_replica: bool,
    attendees: str = "",
    notes: str = "",
    coordinate_myself: bool = False,
) -> PreviewSession:
    """A TAM changes a planned preview (and may take over coordinating it). A new time follows the same rules
    as planning; a new time or another coordinating TAM sends the customer an updated invitation with the same
    UID and the next SEQUENCE."""
    if not actor.acts_as_tam:
        raise DomainError("Only TAMs change release previews.", field="scheduled_at")
    with transaction.atomic():
        preview = _locked_preview(preview)
        if preview.status != PreviewStatus.PLANNED:
            raise DomainError(f"A {preview.status} preview is not changed.", field="status")
        if (scheduled_at, duration_minutes) != (preview.scheduled_at, preview.duration_minutes):
            _check_preview_time(preview.release, preview.account, scheduled_at, duration_minutes)
        items = _check_items(preview.release, items)
        moved = (scheduled_at, duration_minutes) != (preview.scheduled_at, preview.duration_minutes)
        tam = actor if coordinate_myself and actor.is_tam_level else preview.tam
        changed_organizer = tam.pk != preview.tam_id
        preview.scheduled_at, preview.duration_minutes, preview.tam = scheduled_at, duration_minutes, tam
        preview.uses_replica = uses_replica
        preview.attendees, preview.notes = _clean(attendees)[:1000], _clean(notes)[:4000]
        if moved or changed_organizer:
            preview.sequence += 1
        preview.save()
        preview.items.set(items)
        if moved or changed_organizer:
            notifications.notify_preview_planned(preview, rescheduled=True)
    return preview


def preview_hold(*, actor: User, preview: PreviewSession, notes: str | None = None) -> PreviewSession:
    """The TAM records that a planned preview took place (once its time has come), with notes if any."""
    if not actor.acts_as_tam:
        raise DomainError("Only TAMs record a preview as held.", field="status")
    with transaction.atomic():
        preview = _locked_preview(preview)
        _move_preview(preview, PreviewStatus.HELD)
        if preview.scheduled_at > timezone.now():
            raise DomainError(
                f"The preview is planned for {_fmt(preview.scheduled_at)}: record it as held once it has taken place.",
                field="status",
            )
        preview.held_at = timezone.now()
        if notes is not None and _clean(notes):
            preview.notes = _clean(notes)[:4000]
        preview.save(update_fields=["status", "held_at", "notes"])
    return preview


def preview_decline(*, actor: User, preview: PreviewSession, reason: str = "") -> PreviewSession:
    """The customer declines a planned preview (their TAM may record it for them). Everyone invited gets a
    calendar cancellation. A declined preview is settled: the account is not chased for that release."""
    own_customer = actor.is_customer_user and actor.account_id == preview.account_id
    if not (own_customer or actor.acts_as_tam):
        raise DomainError("Only the customer declines a preview.", field="status")
    with transaction.atomic():
        preview = _locked_preview(preview)
        _move_preview(preview, PreviewStatus.DECLINED)
        preview.declined_at, preview.declined_by = timezone.now(), actor
        preview.decline_reason = _clean(reason)[:300]
        preview.sequence += 1
        preview.save(update_fields=["status", "declined_at", "declined_by", "decline_reason", "sequence"])
        notifications.notify_preview_declined(preview)
    return preview


# --- Proactive reviews ----------------------------------------------------------------------------


def _locked_review(review: ProactiveReview) -> ProactiveReview:
    return ProactiveReview.objects.select_for_update(of=("self",)).select_related("account", "tam").get(pk=review.pk)


def _move_review(review: ProactiveReview, status: ReviewStatus) -> None:
    if status not in REVIEW_TRANSITIONS[ReviewStatus(review.status)]:
        raise DomainError(
            f"A {review.get_status_display().lower()} review cannot become {status.label.lower()}.", field="status"
        )
    review.status = status


def _tam_only(actor: User, what: str, field: str | None = None) -> None:
    if not actor.acts_as_tam:
        raise DomainError(f"Only TAMs {what}.", field=field)


def _editable(review: ProactiveReview, field: str | None = None) -> None:
    if review.status == ReviewStatus.PUBLISHED:
        raise DomainError("The review is published: its report no longer changes.", field=field)


def review_schedule(*, actor: User, review: ProactiveReview, scheduled_at: dt.datetime) -> ProactiveReview:
    """The TAM schedules (or moves) the review's remote session: any time from the quarter's start (so a
    session already held can be recorded too) to a year after it. An unassigned review is assigned to the TAM
    who schedules it."""
    _tam_only(actor, "schedule reviews", "scheduled_at")
    _check_moment(scheduled_at, "scheduled_at")
    quarter_starts = dt.datetime.combine(review.quarter_start, dt.time(0), tzinfo=vendor_zone())
    if scheduled_at < quarter_starts:
        raise DomainError(
            f"The {review.quarter_label} review takes place from {review.quarter_start:%b %-d, %Y} on.",
            field="scheduled_at",
        )
    if scheduled_at >= quarter_starts + dt.timedelta(days=366):
        raise DomainError("Schedule the session within a year of the quarter's start.", field="scheduled_at")
    with transaction.atomic():
        review = _locked_review(review)
        _move_review(review, ReviewStatus.SCHEDULED)
        review.scheduled_at = scheduled_at
        review.tam = review.tam or actor
        review.save(update_fields=["status", "scheduled_at", "tam"])
    return review


def review_update(*, actor: User, review: ProactiveReview, summary: str, monitoring_tools: str) -> ProactiveReview:
    """The TAM writes the review's summary and the monitoring tools deployed, until it is published."""
    _tam_only(actor, "write reviews", "summary")
    with transaction.atomic():
        review = _locked_review(review)
        _editable(review, "summary")
        review.summary, review.monitoring_tools = _clean(summary)[:8000], _clean(monitoring_tools)[:4000]
        review.save(update_fields=["summary", "monitoring_tools"])
    return review


def finding_add(*, actor: User, review: ProactiveReview, source: str, level: str, count: int, summary: str) -> Finding:
    """The TAM records an event-log finding: its source, level, how many times it was seen, and a summary."""
    _tam_only(actor, "record findings", "source")
    if not _clean(source):
        raise DomainError("Say where it was seen (e.g. Application event log).", field="source")
    if level not in FindingLevel.values:
        raise DomainError("Choose information, warning, error or critical.", field="level")
    if count is None or count < 1:
        raise DomainError("A finding is seen at least once.", field="count")
    if not _clean(summary):
        raise DomainError("Summarise the finding.", field="summary")
    with transaction.atomic():
        review = _locked_review(review)
        _editable(review, "source")
        return Finding.objects.create(
            review=review, source=_clean(source)[:120], level=level, count=count, summary=_clean(summary)[:2000]
        )


def finding_remove(*, actor: User, finding: Finding) -> None:
    """The TAM removes a finding from an unpublished review."""
    _tam_only(actor, "remove findings")
    with transaction.atomic():
        _editable(_locked_review(finding.review))
        finding.delete()


def _normal_extension(extension: str) -> str:
    text = _clean(extension).lstrip(".").casefold()
    if text in {"(none)", "(no extension)"}:
        return ""
    if len(text) > 32 or any(ch.isspace() or ch in "/\\" or not ch.isprintable() for ch in text):
        raise DomainError("Give a file extension such as pdf or tif (up to 32 characters).", field="extension")
    return text


def inventory_set_row(
    *, actor: User, review: ProactiveReview, extension: str, file_count: int, bytes: int
) -> InventoryRow:
    """The TAM types in the files of one type (count and bytes); a type already listed is replaced."""
    _tam_only(actor, "record the inventory", "extension")
    extension = _normal_extension(extension)
    if file_count is None or file_count < 0:
        raise DomainError("Give the number of files (0 or more).", field="file_count")
    if bytes is None or bytes < 0:
        raise DomainError("Give the volume in bytes (0 or more).", field="bytes")
    with transaction.atomic():
        review = _locked_review(review)
        _editable(review, "extension")
        row, _ = InventoryRow.objects.update_or_create(
            review=review, extension=extension, defaults={"file_count": file_count, "bytes": bytes}
        )
    return row


def inventory_remove_row(*, actor: User, row: InventoryRow) -> None:
    """The TAM removes a file type from an unpublished review's inventory."""
    _tam_only(actor, "change the inventory")
    with transaction.atomic():
        _editable(_locked_review(row.review))
        row.delete()


def inventory_import_csv(*, actor: User, review: ProactiveReview, upload) -> list[InventoryRow]:
    """The TAM uploads the repository inventory as CSV (one row per file, or one per file type; told apart by
    the header). Every row is validated in one streaming pass; any bad row refuses the whole file, naming the
    lines, and nothing changes. A good file replaces the review's inventory in one transaction."""
    _tam_only(actor, "import the inventory", "file")
    _editable(review, "file")
    try:
        inventory = read_inventory_file(upload.file)
    except InventoryRejected as rejected:
        raise InventoryFileRefused(rejected) from rejected
    with transaction.atomic():
        review = _locked_review(review)
        _editable(review, "file")
        InventoryRow.objects.filter(review=review).delete()
        rows = InventoryRow.objects.bulk_create(
            InventoryRow(review=review, extension=extension, file_count=files, bytes=size)
            for extension, (files, size) in sorted(inventory.totals.items())
        )
        review.inventory_source = (getattr(upload, "name", "") or "inventory.csv")[:200]
        review.inventory_imported_at = timezone.now()
        review.save(update_fields=["inventory_source", "inventory_imported_at"])
    return rows


def recommendation_add(*, actor: User, review: ProactiveReview, text: str, priority: str) -> Recommendation:
    """The TAM adds a recommendation with its priority; it starts open."""
    _tam_only(actor, "make recommendations", "text")
    if not _clean(text):
        raise DomainError("Write the recommendation.", field="text")
    if priority not in RecommendationPriority.values:
        raise DomainError("Choose high, medium or low.", field="priority")
    with transaction.atomic():
        review = _locked_review(review)
        _editable(review, "text")
        return Recommendation.objects.create(review=review, text=_clean(text)[:2000], priority=priority)


def recommendation_set_status(*, actor: User, recommendation: Recommendation, status: str) -> Recommendation:
    """The TAM tracks a recommendation, also after publication: open -> accepted, done or declined; accepted
    -> done or declined; declined -> open again. Done is final."""
    _tam_only(actor, "track recommendations", "status")
    if status not in RecommendationStatus.values:
        raise DomainError("Choose open, accepted, done or declined.", field="status")
    with transaction.atomic():
        recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        target = RecommendationStatus(status)
        if target not in RECOMMENDATION_TRANSITIONS[RecommendationStatus(recommendation.status)]:
            raise DomainError(
                f"A {recommendation.get_status_display().lower()} recommendation cannot become {target.label.lower()}.",
                field="status",
            )
        recommendation.status = target
        recommendation.save(update_fields=["status", "updated_at"])
    return recommendation


def review_hold(*, actor: User, review: ProactiveReview) -> ProactiveReview:
    """The TAM records that the scheduled session took place (once its time has come)."""
    _tam_only(actor, "record reviews as held", "status")
    with transaction.atomic():
        review = _locked_review(review)
        _move_review(review, ReviewStatus.HELD)
        if review.scheduled_at > timezone.now():
            raise DomainError(
                f"The session is scheduled for {_fmt(review.scheduled_at)}: record it once it has taken place.",
                field="status",
            )
        review.held_at = timezone.now()
        review.save(update_fields=["status", "held_at"])
    return review


def review_publish(*, actor: User, review: ProactiveReview) -> ProactiveReview:
    """The TAM publishes a held review with something to report (findings, inventory or recommendations):
    the customer's users can read it from then on and are told by e-mail. A published report is final."""
    _tam_only(actor, "publish reviews", "status")
    with transaction.atomic():
        review = _locked_review(review)
        _move_review(review, ReviewStatus.PUBLISHED)
        has_content = review.findings.exists() or review.inventory.exists() or review.recommendations.exists()
        if not has_content:
            raise DomainError("Record findings, the inventory or recommendations before publishing.", field="status")
        review.published_at, review.published_by = timezone.now(), actor
        review.save(update_fields=["status", "published_at", "published_by"])
        notifications.notify_review_published(review)
    return review
