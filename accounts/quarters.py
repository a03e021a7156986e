"""Calendar quarters reckoned in the vendor's time zone (default America/Denver).

Used by the maintenance credit bank and the quarterly proactive reviews alike.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


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
