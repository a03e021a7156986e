"""Times and durations on every page, said one way (``core.wording``):

{{ target.duration|duration }}              "1 h 30 min"    {{ span|duration:"business" }}  "2 business hours"
{{ 90|duration }}                           minutes work too
{{ calendar.time_zone|zone_label }}         "Mountain Time (America/Denver)"
{{ event.ends_at|day_marker:event.starts_at }}   "+1 day" when the end falls on the next day, on the reader's clock
{% zone_clock "America/Denver" %}           the zone's name with the reader's own local time beside it
"""

import datetime as dt
import zoneinfo

from django import template
from django.utils import timezone
from django.utils.html import format_html

from core.wording import day_offset, span_words, zone_words

register = template.Library()


@register.filter
def duration(value, clock: str = "") -> str:
    """A timedelta (or a number of minutes) in words; ``"business"`` for a business-time clock."""
    if value in (None, ""):
        return ""
    span = value if isinstance(value, dt.timedelta) else dt.timedelta(minutes=float(value))
    return span_words(span, business=clock == "business")


@register.filter
def zone_label(key: str) -> str:
    return zone_words(str(key or ""))


@register.filter
def day_marker(moment, reference) -> str:
    """ "+1 day" (or "−1 day", "+2 days") beside a time that falls on another day than ``reference`` (a moment or a
    date) on the reader's clock; nothing on the same day."""
    if not isinstance(moment, dt.datetime) or reference in (None, ""):
        return ""
    days = day_offset(moment, reference, timezone.get_current_timezone())
    if not days:
        return ""
    words = f"{'+' if days > 0 else '−'}{abs(days)} day{'s' * (abs(days) != 1)}"
    day = timezone.localtime(moment).strftime("%A %b %-d")
    return format_html('<span class="day-marker" title="{}">{}</span>', day, words)


@register.simple_tag(takes_context=True)
def zone_clock(context, key: str = "") -> str:
    """A zone's name, with the reader's local time now beside it ("Mountain Time (America/Denver), 08:14 now; 09:14
    your time"), or the reader's own zone and its time when no zone is given."""
    now = timezone.now()
    reader = timezone.get_current_timezone()
    reader_key = getattr(reader, "key", str(reader))
    key = key or reader_key
    try:
        there = now.astimezone(zoneinfo.ZoneInfo(key))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return key
    here = now.astimezone(reader)
    if key == reader_key or there.utcoffset() == here.utcoffset():
        return format_html(
            '{} <span class="local-time">· <time datetime="{}">{}</time> now</span>',
            zone_words(key),
            here.isoformat(timespec="minutes"),
            here.strftime("%H:%M"),
        )
    return format_html(
        '{} <span class="local-time">· {} there, <time datetime="{}">{}</time> your time</span>',
        zone_words(key),
        there.strftime("%H:%M"),
        here.isoformat(timespec="minutes"),
        here.strftime("%H:%M"),
    )
