"""Times and lengths of time in the words people read: pure Python, the one source of the template filters in
``core.templatetags.ess_format`` (and of any message that says a duration).

- ``span_words``: "15 min", "1 h", "1 h 30 min", "2 days 3 h"; on a business clock "2 business hours",
  "45 business minutes".
- ``zone_words``: one way to name a zone, the name people use and the IANA key, "Mountain Time (America/Denver)".
  The name is read from the zone's own abbreviations (MST and MDT are Mountain Time; MST alone all year is Mountain
  Standard Time), so every zone of a region is named alike; a zone known by no such name is shown by its key.
- ``day_offset``: how many days a moment falls after (or before) the day a row is about, on the reader's clock.
"""

import datetime as dt
import math
import zoneinfo
from functools import lru_cache

# North American abbreviations: a letter (or two) and S/D T for standard and daylight time.
_AMERICAN = {"E": "Eastern", "C": "Central", "M": "Mountain", "P": "Pacific", "A": "Atlantic", "N": "Newfoundland"}
_AMERICAN.update({"AK": "Alaska", "H": "Hawaii", "HA": "Hawaii"})
# Elsewhere, the abbreviations of a zone's standard and summer time, as the tz database writes them.
_NAMED = {
    frozenset({"GMT", "BST"}): "UK Time",
    frozenset({"GMT", "IST"}): "Irish Time",
    frozenset({"WET", "WEST"}): "Western European Time",
    frozenset({"CET", "CEST"}): "Central European Time",
    frozenset({"EET", "EEST"}): "Eastern European Time",
    frozenset({"IST"}): "India Standard Time",
    frozenset({"CST"}): "China Standard Time",
    frozenset({"HKT"}): "Hong Kong Time",
    frozenset({"JST"}): "Japan Time",
    frozenset({"KST"}): "Korea Time",
    frozenset({"AEST", "AEDT"}): "Eastern Australia Time",
    frozenset({"AEST"}): "Eastern Australia Time, no daylight saving",
    frozenset({"ACST", "ACDT"}): "Central Australia Time",
    frozenset({"AWST"}): "Western Australia Time",
    frozenset({"NZST", "NZDT"}): "New Zealand Time",
    frozenset({"SAST"}): "South Africa Time",
    frozenset({"UTC"}): "Coordinated Universal Time",
}
# A zone with both a North American reading and another (China's CST is not Central Time).
_NOT_AMERICAN = ("Asia/", "Australia/", "Europe/", "Africa/")


def span_words(span: dt.timedelta, *, business: bool = False) -> str:
    """``span`` to the minute (rounded up), in the units people say: "15 min", "1 h 30 min", "2 days 3 h"; on a
    business clock "2 business hours", "1 business hour 30 min", "45 business minutes"."""
    minutes = max(0, math.ceil(span.total_seconds() / 60 - 1e-9))
    hours, rest = divmod(minutes, 60)
    if business:
        if not hours:
            return f"{rest} business minute{'s' * (rest != 1)}"
        head = f"{hours} business hour{'s' * (hours != 1)}"
        return f"{head} {rest} min" if rest else head
    days, hours = divmod(hours, 24)
    parts = [f"{days} day{'s' * (days != 1)}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{rest} min"] if rest or not parts else []
    return " ".join(parts[:2]) if days else " ".join(parts)


@lru_cache(maxsize=512)
def _abbreviations(key: str) -> frozenset[str]:
    zone = zoneinfo.ZoneInfo(key)
    year = dt.date.today().year
    moments = (dt.datetime(year, 1, 15, 12, tzinfo=dt.UTC), dt.datetime(year, 7, 15, 12, tzinfo=dt.UTC))
    return frozenset(moment.astimezone(zone).tzname() or "" for moment in moments)


def _american(names: frozenset[str]) -> str | None:
    stems = {name[:-2] for name in names if len(name) >= 3 and name[-2:] in ("ST", "DT")}
    if len(stems) != 1 or len(names) > 2:
        return None
    region = _AMERICAN.get(stems.pop())
    if region is None:
        return None
    return f"{region} Time" if len(names) == 2 else f"{region} Standard Time"


@lru_cache(maxsize=512)
def zone_common_name(key: str) -> str | None:
    """The name people use for the zone ("Mountain Time"), or None when it has none here."""
    try:
        names = _abbreviations(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    if not key.startswith(_NOT_AMERICAN):
        american = _american(names)
        if american:
            return american
    return _NAMED.get(names)


def zone_words(key: str) -> str:
    """ "Mountain Time (America/Denver)"; the key alone for a zone known by no common name."""
    name = zone_common_name(key or "")
    return f"{name} ({key})" if name else (key or "")


def day_offset(moment: dt.datetime, day: dt.date | dt.datetime, zone: dt.tzinfo) -> int:
    """Days between the day a row is about and the local day of ``moment`` in ``zone`` (1 for "+1 day")."""
    if isinstance(day, dt.datetime):
        day = day.astimezone(zone).date()
    return (moment.astimezone(zone).date() - day).days
