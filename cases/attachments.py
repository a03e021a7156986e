"""Files on a case: which kinds and sizes are accepted, and storing them with the timeline line they belong to."""

import mimetypes

from core.errors import DomainError

from .models import Attachment, Case, CaseEntry

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".eml": "message/rfc822",
}


def _suffix(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def attachments_check(files) -> None:
    """Refuse a file of a kind not listed above, or larger than 10 MB, naming the file."""
    for upload in files:
        if _suffix(upload.name) not in ALLOWED_ATTACHMENT_TYPES:
            allowed = ", ".join(sorted(ALLOWED_ATTACHMENT_TYPES))
            raise DomainError(f"“{upload.name}”: attach files of these types only: {allowed}.", field="attachments")
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise DomainError(f"“{upload.name}” is larger than 10 MB.", field="attachments")


def attachments_store(case: Case, entry: CaseEntry, files, actor) -> None:
    """Keep checked files with ``entry``: served only to those who may read that line."""
    for upload in files:
        suffix = _suffix(upload.name)
        Attachment.objects.create(
            case=case,
            entry=entry,
            file=upload,
            name=upload.name[:200],
            size=upload.size,
            content_type=ALLOWED_ATTACHMENT_TYPES.get(suffix) or mimetypes.guess_type(upload.name)[0] or "",
            uploaded_by=actor,
            created_at=entry.created_at,
        )
