"""The business calendar's forms: its name and zone, the week as a grid of labelled time pickers, and its holidays
(added by hand, removed, or looked up by country and region in the ``holidays`` package and imported)."""

import datetime as dt
import re
from functools import lru_cache

from django import forms

from ..models import Weekday
from .fields import DateListField, zone_field

DAYS = list(Weekday)
_SLOT_KEY = re.compile(r"^(?:opens|closes)_\d_(\d+)$")


class CalendarDetailsForm(forms.Form):
    name = forms.CharField(max_length=100)
    time_zone = zone_field(label="Time zone")
    description = forms.CharField(max_length=200, required=False)


def _time_input(label: str) -> forms.TimeField:
    return forms.TimeField(
        required=False,
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
    )


class WeekHoursForm(forms.Form):
    """The week as a grid: each weekday has ``slots`` intervals, each two labelled time pickers ("Monday, interval
    1, opens"). A row left blank is no interval; a closing time of 00:00 is midnight. ``cleaned_data["weekly"]`` is
    every weekday's intervals (an empty list for a closed day), as the calendar services take them."""

    def __init__(self, *args, slots: int = 2, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = max(slots, self.slots_in(self.data))
        for day in DAYS:
            for slot in range(self.slots):
                self.fields[f"opens_{day.value}_{slot}"] = _time_input(f"{day.label}, interval {slot + 1}, opens")
                self.fields[f"closes_{day.value}_{slot}"] = _time_input(f"{day.label}, interval {slot + 1}, closes")

    @staticmethod
    def slots_in(data) -> int:
        """How many intervals a day the posted grid had (the page may have shown more than the default)."""
        found = [int(match[1]) for key in data or {} if (match := _SLOT_KEY.match(key))]
        return max(found) + 1 if found else 0

    @staticmethod
    def initial_for(weekly: dict[int, list[tuple[dt.time, dt.time]]]) -> tuple[dict, int]:
        """The grid's initial values for a week of intervals, and how many rows a day it needs (one spare)."""
        initial = {}
        for day, intervals in weekly.items():
            for slot, (opens, closes) in enumerate(sorted(intervals)):
                initial[f"opens_{day}_{slot}"], initial[f"closes_{day}_{slot}"] = opens, closes
        longest = max((len(intervals) for intervals in weekly.values()), default=0)
        return initial, max(2, longest + 1)

    @property
    def slot_numbers(self) -> range:
        return range(1, self.slots + 1)

    def rows(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        """For the template: each weekday with its (opens, closes) pairs of fields."""
        return [
            (day.label, [(self[f"opens_{day.value}_{n}"], self[f"closes_{day.value}_{n}"]) for n in range(self.slots)])
            for day in DAYS
        ]

    def clean(self):
        cleaned = super().clean()
        weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for day in DAYS:
            weekly[day.value] = []
            for slot in range(self.slots):
                opens_key, closes_key = f"opens_{day.value}_{slot}", f"closes_{day.value}_{slot}"
                if opens_key in self.errors or closes_key in self.errors:
                    continue
                opens, closes = cleaned.get(opens_key), cleaned.get(closes_key)
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None:
                    self.add_error(opens_key if opens is None else closes_key, "Give both times, or neither.")
                    continue
                weekly[day.value].append((opens, closes))
        cleaned["weekly"] = weekly
        return cleaned


class NewCalendarForm(CalendarDetailsForm, WeekHoursForm):
    """A new calendar: its name and zone, and its week, saved together."""


class HolidayForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    name = forms.CharField(max_length=120, help_text="e.g. Company day off")


class HolidayRemoveForm(forms.Form):
    date = forms.DateField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose a holiday of the list to remove.",
            "invalid": "Choose a holiday of the list to remove.",
        },
    )


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    """Every country the ``holidays`` package knows, by name."""
    from holidays.registry import COUNTRIES

    named = {codes[1]: key.replace("_", " ").title() for key, codes in COUNTRIES.items()}
    return sorted(named.items(), key=lambda choice: choice[1])


@lru_cache(maxsize=64)
def subdivision_choices(country: str) -> list[tuple[str, str]]:
    """A country's regions (states, provinces) the ``holidays`` package knows: (code, name)."""
    import holidays

    try:
        aliases = holidays.country_holidays(country).get_subdivision_aliases()
    except (NotImplementedError, KeyError, AttributeError):
        return []
    return [(code, ", ".join(names) or code) for code, names in sorted(aliases.items())]


class HolidayLookupForm(forms.Form):
    country = forms.ChoiceField(choices=country_choices, initial="US")
    subdivision = forms.CharField(
        label="Region",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"list": "holiday-regions", "autocomplete": "off"}),
        help_text="Optional: a state or province code, e.g. CO for Colorado.",
    )
    year = forms.IntegerField(min_value=1950, max_value=2100)


class HolidayImportForm(HolidayLookupForm):
    """The holidays looked up, with the dates ticked to import."""

    date = DateListField(required=False)
