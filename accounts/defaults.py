"""The FAQ's tiers and support hours, as data. Used by a data migration and by seed_demo.

Takes model classes as arguments so a migration can pass its historical models.
"""

import datetime as dt
from decimal import Decimal

SUPPORT_HOURS = {
    "name": "Support hours",
    "time_zone": "America/Denver",
    "description": "Monday-Friday 06:00-18:00 Mountain time (the FAQ's 'M-F 6AM to 6PM MST').",
    "weekly": {day: [(dt.time(6), dt.time(18))] for day in range(5)},
}

TIERS = [
    {
        "name": "Standard",
        "email_phone_support": True,
        "software_updates": True,
        "assigned_tam": False,
        "events_per_quarter": 0,
        "bank_cap": 0,
        "release_previews": False,
        "proactive_reviews_per_quarter": 0,
        "priority_support": False,
        "store_discount_percent": Decimal("0"),
    },
    {
        "name": "Enterprise",
        "email_phone_support": True,
        "software_updates": True,
        "assigned_tam": True,
        "events_per_quarter": 1,
        "bank_cap": 2,
        "release_previews": True,
        "proactive_reviews_per_quarter": 1,
        "priority_support": True,
        "store_discount_percent": Decimal("10"),
    },
]


def install_default_tiers(BusinessCalendar, OpenInterval, Tier):
    """Create the support-hours calendar and the two FAQ tiers where missing; never overwrite an admin's edit."""
    calendar, created = BusinessCalendar.objects.get_or_create(
        name=SUPPORT_HOURS["name"],
        defaults={"time_zone": SUPPORT_HOURS["time_zone"], "description": SUPPORT_HOURS["description"]},
    )
    if created:
        OpenInterval.objects.bulk_create(
            OpenInterval(calendar=calendar, weekday=day, opens=opens, closes=closes)
            for day, intervals in SUPPORT_HOURS["weekly"].items()
            for opens, closes in intervals
        )
    existing = set(Tier.objects.filter(name__in=[spec["name"] for spec in TIERS]).values_list("name", flat=True))
    Tier.objects.bulk_create(
        [Tier(**spec, support_calendar=calendar) for spec in TIERS if spec["name"] not in existing],
        ignore_conflicts=True,
    )
    return calendar
