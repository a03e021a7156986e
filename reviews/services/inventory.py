"""A review's repository inventory: files by type (count and volume), typed in a type at a time or uploaded as a
CSV that replaces it."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError

from ..inventory import InventoryRejected, read_inventory_file
from ..models import InventoryRow, ProactiveReview
from .common import whole_number
from .proactive import locked_review, remove_part, require_editable
from .rules import may_work_on_review

__all__ = ["InventoryFileRefused", "inventory_import_csv", "inventory_remove_row", "inventory_set_row"]

LARGEST = 2**63 - 1  # what a row's count and volume hold


class InventoryFileRefused(DomainError):
    """A bad inventory file: the summary, then what is wrong by line number (at most about 20, then "and N
    more"), all on the ``file`` input. ``lines`` holds the lines alone."""

    def __init__(self, rejected: InventoryRejected):
        super().__init__(rejected.summary, errors={"file": [rejected.summary, *rejected.lines]})
        self.lines = rejected.lines


def _normal_extension(extension: str | None) -> str:
    text = (extension or "").strip().lstrip(".").casefold()
    if text in {"(none)", "(no extension)"}:
        return ""
    if len(text) > 32 or any(ch.isspace() or ch in "/\\" or not ch.isprintable() for ch in text):
        raise DomainError("Give a file extension such as pdf or tif (up to 32 characters).", field="extension")
    return text


def inventory_set_row(
    *, actor: User, review: ProactiveReview, extension: str, file_count: int | None, bytes: int | None
) -> InventoryRow:
    """The TAM types in the files of one type (count and bytes) of an unpublished review; a type already listed
    is replaced."""
    may_work_on_review.require(actor, review)
    extension = _normal_extension(extension)
    whole_number(file_count, field="file_count", low=0, high=LARGEST, message="Give the number of files (0 or more).")
    whole_number(bytes, field="bytes", low=0, high=LARGEST, message="Give the volume in bytes (0 or more).")
    with transaction.atomic():
        review = locked_review(review)
        require_editable(review, "extension")
        row, _ = InventoryRow.objects.update_or_create(
            review=review, extension=extension, defaults={"file_count": file_count, "bytes": bytes}
        )
    return row


def inventory_remove_row(*, actor: User, row: InventoryRow) -> None:
    """The TAM removes a file type from an unpublished review's inventory."""
    remove_part(actor=actor, part=row)


def inventory_import_csv(*, actor: User, review: ProactiveReview, upload) -> list[InventoryRow]:
    """The TAM uploads the repository inventory as CSV (one row per file, or one per file type; told apart by
    the header). Every row is validated in one streaming pass; any bad row refuses the whole file, naming the
    lines, and nothing changes. A good file replaces the review's inventory in one transaction."""
    may_work_on_review.require(actor, review)
    require_editable(review, "file")
    if upload is None:
        raise DomainError("Choose the inventory CSV file to upload.", field="file")
    try:
        inventory = read_inventory_file(upload.file)
    except InventoryRejected as rejected:
        raise InventoryFileRefused(rejected) from rejected
    with transaction.atomic():
        review = locked_review(review)
        require_editable(review, "file")
        InventoryRow.objects.filter(review=review).delete()
        rows = InventoryRow.objects.bulk_create(
            InventoryRow(review=review, extension=extension, file_count=files, bytes=size)
            for extension, (files, size) in sorted(inventory.totals.items())
        )
        review.inventory_source = (getattr(upload, "name", "") or "inventory.csv")[:200]
        review.inventory_imported_at = timezone.now()
        review.save(update_fields=["inventory_source", "inventory_imported_at"])
    return rows
