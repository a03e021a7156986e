"""Lines of a case's timeline, written by the services, the SLA clocks and the chaser alike."""

import datetime as dt

from django.utils import timezone

from accounts.quarters import vendor_zone
from core.wording import zone_words

from .models import Case, CaseEntry, EntryKind


def moment_label(moment: dt.datetime) -> str:
    """A moment as the timeline states it: in the vendor's zone, named as every page names a zone."""
    zone = vendor_zone()
    return f"{timezone.localtime(moment, zone):%a %b %-d %H:%M} {zone_words(zone.key)}"


def entry_add(
    case: Case, kind: EntryKind, body: str, *, author=None, public: bool = True, channel: str = "", at=None
) -> CaseEntry:
    """Append one line to the case's timeline (``public`` off: staff only, never shown or sent to customers)."""
    return CaseEntry.objects.create(
        case=case, kind=kind, body=body, author=author, public=public, channel=channel, created_at=at or timezone.now()
    )
