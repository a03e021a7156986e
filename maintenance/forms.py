import datetime as dt

from django import forms

from accounts.forms import SafeDateTimeField

from .models import Scope

DURATIONS = [
    (str(minutes), f"{minutes // 60} h{f' {minutes % 60} min' if minutes % 60 else ''}")
    for minutes in range(60, 181, 30)
]


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local", "step": 900}, format="%Y-%m-%dT%H:%M")


class SlotForm(forms.Form):
    starts_at = SafeDateTimeField(label="Start", widget=_datetime_input())
    # A list to pick from, but any whole number of minutes is accepted so that the booking rule itself
    # (1 to 3 hours) gives the message, whichever way the value arrives.
    duration = forms.IntegerField(widget=forms.Select(choices=DURATIONS), initial=120, min_value=1, max_value=24 * 60)

    def clean_duration(self):
        return dt.timedelta(minutes=self.cleaned_data["duration"])


class BookingForm(SlotForm):
    scope = forms.ChoiceField(
        choices=Scope.choices,
        label="What is the event for?",
        help_text="Major system upgrades and complete migrations are not maintenance events: ask your TAM "
        "about a services engagement.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    critical = forms.BooleanField(
        required=False,
        label="Critical: a system integrity, stability or performance issue (shorter notice, the TAM approves)",
    )
    critical_justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label="Why is it critical?"
    )
    field_order = ["scope", "description", "starts_at", "duration", "critical", "critical_justification"]


class ProposeForm(SlotForm):
    note = forms.CharField(max_length=300, required=False, label="Note to the customer")


class CompleteForm(forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label="What was done")
    actual_minutes = forms.IntegerField(min_value=1, max_value=720, label="Actual duration (minutes)")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False)
