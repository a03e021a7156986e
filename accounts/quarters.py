"""Calendar quarters reckoned in the vendor's time zone (default America/Denver).

Used by the maintenance credit bank and the quarterly proactive reviews alike.
"""

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.vendor_sql import advisory_xact_lock


def vendor_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.ESS_VENDOR_TIME_ZONE)


def vendor_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date where the vendor is (quarters turn at local midnight there)."""
    return (now or timezone.now()).astimezone(vendor_zone()).date()


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1-4

    @classmethod
    def of(cls, day: dt.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def starts_at(self) -> dt.datetime:
        """The moment the quarter begins: local midnight in the vendor zone."""
        return dt.datetime.combine(self.start, dt.time(0), tzinfo=vendor_zone())

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    def __str__(self) -> str:
        return self.label


def quarters_between(first: Quarter, last: Quarter) -> Iterator[Quarter]:
    """Every quarter from ``first`` to ``last``, both included, in order."""
    quarter = first
    while quarter <= last:
        yield quarter
        quarter = quarter.next()


def catch_up_quarters(
    *,
    applied,
    lock: int,
    apply: Callable[[Quarter, dt.date, dt.datetime], dict[str, int]],
    as_of: dt.date | None = None,
    since: Quarter | None = None,
) -> list[Quarter]:
    """Run a quarterly job for every quarter up to ``as_of`` (default: today in the vendor zone) that it has not
    applied yet, in order, each in its own transaction under the job's lock.

    ``applied`` is the job's marker model (``quarter_start``, ``applied_at`` and counters); ``apply(quarter,
    through, now)`` does one quarter's work set-based, from the quarter start up to ``through`` (today for the
    current quarter), and returns the counters it adds. The job starts after the last quarter applied (the
    current one on a first run), or at ``since`` to replay. A quarter earlier than one already applied is left
    as it is: a run that waited for the lock behind another would otherwise judge it against later rows.
    A second or concurrent run finds its quarters done and adds nothing.
    """
    as_of = as_of or vendor_today()
    now = timezone.now()
    current = Quarter.of(as_of)
    if since is None:
        last = applied.objects.order_by("-quarter_start").first()
        since = Quarter.of(last.quarter_start) if last else current
    done = []
    for quarter in quarters_between(min(since, current), current):
        with transaction.atomic():
            advisory_xact_lock(lock)
            if applied.objects.filter(quarter_start__gt=quarter.start).exists():
                continue
            counters = apply(quarter, min(as_of, quarter.end), now)
            marker, made = applied.objects.get_or_create(
                quarter_start=quarter.start, defaults={"applied_at": now, **counters}
            )
            added = {name: F(name) + value for name, value in counters.items() if value}
            if not made and added:
                applied.objects.filter(pk=marker.pk).update(**added)
        done.append(quarter)
    return done
