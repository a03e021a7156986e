"""Release previews: before each patch release, each Enterprise account's session with its acting TAM, and the
modules an account uses (which suggest the items its preview shows)."""

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.coverage import NoTamAvailable, acting_tam
from accounts.models import Account, Contract, User
from accounts.quarters import vendor_today, vendor_zone
from core.errors import DomainError
from core.events import publish

from .. import notifications
from ..models import AccountModules, PreviewSession, PreviewStatus, Release, ReleaseItem, ReleaseKind
from ..modules import join_modules, split_modules
from ..selectors import suggested_items
from ..states import PREVIEW_STATES
from .common import check_moment, held_now, text, whole_number
from .rules import may_change_preview, may_decline_preview, may_hold_preview, may_plan_preview, may_record_modules

__all__ = [
    "account_modules_set",
    "preview_decline",
    "preview_hold",
    "preview_plan",
    "preview_update",
    "preview_values",
]

PREVIEW_BENEFIT = "Release previews are an Enterprise benefit"
MIN_PREVIEW_MINUTES = 15
MAX_PREVIEW_MINUTES = 240
LARGEST_ID = 2**63 - 1


def account_modules_set(*, actor: User, account: Account, modules: str) -> AccountModules:
    """A TAM records the modules an account uses; release items naming them are suggested for its previews."""
    may_record_modules.require(actor, account)
    names = join_modules(split_modules(modules))
    if len(names) > 2000:
        raise DomainError("Name at most 2000 characters of modules.", field="modules")
    record, _ = AccountModules.objects.update_or_create(account=account, defaults={"modules": names})
    return record


def preview_values(preview: PreviewSession) -> dict:
    """The preview's session as ``preview_update`` takes it: what a change starts from."""
    return {
        "scheduled_at": preview.scheduled_at,
        "duration_minutes": preview.duration_minutes,
        "items": [item.pk for item in preview.items.all()],
        "uses_replica": preview.uses_replica,
        "attendees": preview.attendees,
        "notes": preview.notes,
    }


def _has_previews(account: Account, day: dt.date) -> bool:
    return Contract.objects.in_force(on=day).filter(account=account, tier__release_previews=True).exists()


def _check_time(release: Release, account: Account, scheduled_at: dt.datetime, duration_minutes: int) -> None:
    check_moment(scheduled_at, "scheduled_at")
    whole_number(
        duration_minutes,
        field="duration_minutes",
        low=MIN_PREVIEW_MINUTES,
        high=MAX_PREVIEW_MINUTES,
        message="A preview lasts from 15 minutes to 4 hours.",
    )
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


def _release_items(release: Release, ids: Iterable[int]) -> list[ReleaseItem]:
    """The release's items with these ids; any other id is refused."""
    wanted = set(ids)
    if not all(0 < pk <= LARGEST_ID for pk in wanted):
        raise DomainError(f"Choose items of {release} only.", field="items")
    items = list(ReleaseItem.objects.filter(release=release, pk__in=wanted))
    if len(items) != len(wanted):
        raise DomainError(f"Choose items of {release} only.", field="items")
    return items


def _details(attendees: str, notes: str) -> dict:
    return {
        "attendees": text(attendees, model=PreviewSession, field="attendees"),
        "notes": text(notes, model=PreviewSession, field="notes"),
    }


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
    scheduled_at: dt.datetime | None,
    duration_minutes: int | None = 60,
    items: Iterable[int] | None = None,
    uses_replica: bool = False,
    attendees: str = "",
    notes: str = "",
    coordinate_myself: bool = False,
) -> PreviewSession:
    """A TAM plans an Enterprise account's preview of a published patch release: one per account and release,
    in the future and before the release date, for an account whose tier includes previews on that day. It is
    coordinated by the TAM acting at that time (or the planner, if they say so); the items (ids of the release's
    items) default to those that affect the modules the account uses. The customer's users get a calendar
    invitation."""
    may_plan_preview.require(actor, account)
    if release.kind != ReleaseKind.PATCH:
        raise DomainError("Previews are held before patch releases.", field="release")
    if not release.published:
        raise DomainError("Publish the release before planning its previews.", field="release")
    if release.actual_date and release.actual_date <= vendor_today():
        raise DomainError(f"{release} is already released.", field="release")
    if not _has_previews(account, vendor_today()) and not _has_previews(account, release.planned_date):
        raise DomainError(PREVIEW_BENEFIT + ".", field="account")
    _check_time(release, account, scheduled_at, duration_minutes)
    chosen = suggested_items(release, account) if items is None else _release_items(release, items)
    details = _details(attendees, notes)
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
                created_by=actor,
                **details,
            )
            preview.items.set(chosen)
            notifications.notify_preview_planned(preview)
            publish("preview.scheduled", preview, account_id=account.pk)
    except IntegrityError as error:
        raise DomainError(f"{account.name} already has a preview of {release}.", field="account") from error
    return preview


def _locked(preview: PreviewSession) -> PreviewSession:
    return (
        PreviewSession.objects.select_for_update(of=("self",))
        .select_related("release", "account", "tam")
        .get(pk=preview.pk)
    )


def preview_update(
    *,
    actor: User,
    preview: PreviewSession,
    scheduled_at: dt.datetime | None,
    duration_minutes: int | None,
    items: Iterable[int],
    uses_replica: bool,
    attendees: str = "",
    notes: str = "",
    coordinate_myself: bool = False,
) -> PreviewSession:
    """A TAM changes a planned preview (and may take over coordinating it). A new time follows the same rules
    as planning; a new time or another coordinating TAM sends the customer an updated invitation with the same
    UID and the next SEQUENCE."""
    may_change_preview.require(actor, preview)
    with transaction.atomic():
        preview = _locked(preview)
        if preview.status != PreviewStatus.PLANNED:
            raise DomainError(f"A {preview.status} preview is not changed.", field="status")
        moved = (scheduled_at, duration_minutes) != (preview.scheduled_at, preview.duration_minutes)
        if moved:
            _check_time(preview.release, preview.account, scheduled_at, duration_minutes)
        chosen = _release_items(preview.release, items)
        details = _details(attendees, notes)
        tam = actor if coordinate_myself and actor.is_tam_level else preview.tam
        changed_organizer = tam.pk != preview.tam_id
        preview.scheduled_at, preview.duration_minutes, preview.tam = scheduled_at, duration_minutes, tam
        preview.uses_replica = uses_replica
        preview.attendees, preview.notes = details["attendees"], details["notes"]
        if moved or changed_organizer:
            preview.sequence += 1
        preview.save()
        preview.items.set(chosen)
        if moved or changed_organizer:
            notifications.notify_preview_planned(preview, rescheduled=True)
        if moved:
            publish("preview.scheduled", preview, account_id=preview.account_id, rescheduled=True)
    return preview


def preview_hold(*, actor: User, preview: PreviewSession, notes: str | None = None) -> PreviewSession:
    """The TAM records that a planned preview took place (once its time has come), with notes if any."""
    may_hold_preview.require(actor, preview)
    notes = text(notes, model=PreviewSession, field="notes")
    with transaction.atomic():
        preview = _locked(preview)
        PREVIEW_STATES.move(preview, PreviewStatus.HELD)
        preview.held_at = held_now(preview.scheduled_at, actor, what="The preview is planned")
        preview.notes = notes or preview.notes
        preview.save(update_fields=["status", "held_at", "notes"])
    return preview


def preview_decline(*, actor: User, preview: PreviewSession, reason: str = "") -> PreviewSession:
    """The customer declines a planned preview (their TAM may record it for them). Everyone invited gets a
    calendar cancellation. A declined preview is settled: the account is not chased for that release."""
    may_decline_preview.require(actor, preview)
    reason = text(reason, model=PreviewSession, field="decline_reason", named="reason")
    with transaction.atomic():
        preview = _locked(preview)
        PREVIEW_STATES.move(preview, PreviewStatus.DECLINED)
        preview.declined_at, preview.declined_by, preview.decline_reason = timezone.now(), actor, reason
        preview.sequence += 1
        preview.save(update_fields=["status", "declined_at", "declined_by", "decline_reason", "sequence"])
        notifications.notify_preview_declined(preview)
    return preview
