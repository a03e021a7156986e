"""Form fields of the configuration pages: they read what an admin types (a length in words, a list of numbers, a
time zone picked from a searchable list) into Python values, and decide nothing about them."""

import datetime as dt
import zoneinfo
from functools import lru_cache

from django import forms
from django.utils.html import format_html, format_html_join

from core.wording import zone_common_name, zone_words

from ..durations import parse_duration, short_duration_words

ZONE_LIST_ID = "iana-zones"


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone as (key, label) for the searchable list: the zones with a common name first, by name."""
    keys = sorted(zoneinfo.available_timezones())
    named = sorted((key for key in keys if zone_common_name(key)), key=lambda key: (zone_common_name(key), key))
    return [(key, zone_words(key)) for key in named + [key for key in keys if not zone_common_name(key)]]


class ZoneInput(forms.TextInput):
    """A text input searching the IANA zones as one types (``<input list>`` and its ``<datalist>``, the common names
    first): accessible, and no script. One per page."""

    def __init__(self, attrs=None):
        super().__init__({"list": ZONE_LIST_ID, "autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        options = format_html_join("", '<option value="{}">{}</option>', zone_choices())
        datalist = format_html('<datalist id="{}">{}</datalist>', ZONE_LIST_ID, options)
        return super().render(name, value, attrs, renderer) + datalist


def zone_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        max_length=64,
        widget=ZoneInput(),
        help_text="Type to search, e.g. Denver or Europe/Paris. America/Phoenix keeps UTC-7 all year.",
        **kwargs,
    )


class DurationInput(forms.TextInput):
    def format_value(self, value):
        return short_duration_words(value) if isinstance(value, dt.timedelta) else value


class HumanDurationField(forms.Field):
    """A length typed as people write it: "15 min", "2 h", "1 h 30 min", "1 day", "2 business hours"."""

    widget = DurationInput

    def to_python(self, value):
        if isinstance(value, dt.timedelta):
            return value
        if value in self.empty_values:
            return None
        try:
            return parse_duration(str(value))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class NumberListInput(forms.TextInput):
    def format_value(self, value):
        return ", ".join(str(number) for number in value) if isinstance(value, list | tuple) else value


class NumberListField(forms.Field):
    """Whole numbers separated by commas or spaces: "90, 60, 30, 7"."""

    widget = NumberListInput

    def to_python(self, value):
        if isinstance(value, list):
            return value
        parts = str(value or "").replace(",", " ").split()
        try:
            return [int(part) for part in parts]
        except ValueError as error:
            raise forms.ValidationError("Write whole numbers separated by commas, e.g. 90, 60, 30, 7.") from error


class DateListField(forms.Field):
    """The dates ticked in a list of checkboxes named alike (the template draws them)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return [dt.date.fromisoformat(day) for day in value or []]
        except (TypeError, ValueError) as error:
            raise forms.ValidationError("Tick the dates from the list.") from error
