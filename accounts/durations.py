"""Lengths of time as people type them, read back: "15 min", "2 hours", "1 h 30 min", "1 day", "2 business hours"
(what ``core.wording.span_words`` writes reads back the same). Pure Python, no Django.

    parse_duration("1 h 30 min")  # timedelta(hours=1, minutes=30)
    short_duration_words(timedelta(minutes=90))  # "1 h 30 min", the value an input shows
"""

import datetime as dt
import re

EXAMPLES = "e.g. 15 min, 2 hours, 1 h 30 min or 1 day"
_MINUTES_IN = {
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "d": 24 * 60,
    "day": 24 * 60,
    "days": 24 * 60,
    "w": 7 * 24 * 60,
    "week": 7 * 24 * 60,
    "weeks": 7 * 24 * 60,
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)")
_CLOCK = re.compile(r"(\d+):([0-5]\d)")
_FILLER = re.compile(r"\b(business|of|and|time)\b|,")


def short_duration_words(span: dt.timedelta) -> str:
    """The form an input shows: "2 h", "15 min", "1 h 30 min", "24 h" (never days, which on a business clock would
    read as calendar days); typed back, it reads the same."""
    minutes = round(span.total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} h"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} min")
    return " ".join(parts)


def parse_duration(text: str) -> dt.timedelta:
    """A length typed as people write it ("15 min", "2 business hours", "1 h 30 min", "1:30", "1.5 hours", "1 day").
    Raises ``ValueError`` with a message for the person when it cannot be read."""
    words = _FILLER.sub(" ", (text or "").strip().lower())
    clock = _CLOCK.fullmatch(words.strip())
    if clock:
        return dt.timedelta(hours=int(clock[1]), minutes=int(clock[2]))
    minutes = 0.0
    position = 0
    for part in _PART.finditer(words):
        if words[position : part.start()].strip():
            break
        unit = _MINUTES_IN.get(part[2])
        if unit is None:
            raise ValueError(f"“{part[2]}” is not a unit of time here: write the length {EXAMPLES}.")
        minutes += float(part[1].replace(",", ".")) * unit
        position = part.end()
    if position == 0 or words[position:].strip():
        raise ValueError(f"Write the length with its unit, {EXAMPLES}.")
    if minutes != round(minutes):
        raise ValueError(f"Give the length to the whole minute, {EXAMPLES}.")
    return dt.timedelta(minutes=round(minutes))


_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 8: "eight"}


def notice_words(days: int) -> str:
    """A notice period as it is said before "notice": "two weeks'", "a week's", "10 days'", "a day's"."""
    if days == 1:
        return "a day's"
    if days == 7:
        return "a week's"
    if days % 7 == 0 and days // 7 in _NUMBER_WORDS:
        return f"{_NUMBER_WORDS[days // 7]} weeks'"
    return f"{days} days'"
