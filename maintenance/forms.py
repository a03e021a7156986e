"""The maintenance pages' forms parse input into types and nothing more: every rule (the scope, the durations, a
reason when the vendor cancels) is the services', so a refusal reads the same on a page and in the API."""

import datetime as dt

from django import forms

from accounts.forms import LocalDateTimeField

from .models import OnBehalfOf, Scope

DURATIONS = [
    (str(minutes), f"{minutes // 60} h{f' {minutes % 60} min' if minutes % 60 else ''}")
    for minutes in range(60, 181, 30)
]
# Parsing limits only (a whole number of minutes that fits a duration); the services say what is allowed.
MOST_MINUTES = 7 * 24 * 60


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local", "step": 900}, format="%Y-%m-%dT%H:%M")


class MinutesField(forms.IntegerField):
    """A whole number of minutes, as a duration."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MOST_MINUTES, **kwargs)

    def clean(self, value):
        minutes = super().clean(value)
        return None if minutes is None else dt.timedelta(minutes=minutes)


class ScopeField(forms.CharField):
    """What the event is for, offered from the allowed scopes; any value is passed on, so that the service refuses
    a major upgrade or a migration with its own message (not "Select a valid choice")."""

    widget = forms.Select(choices=[("", "---------"), *Scope.choices])


class SlotForm(forms.Form):
    starts_at = LocalDateTimeField(label="Start", widget=_datetime_input())
    # A list to pick from, but any whole number of minutes is accepted so that the booking rule itself
    # (1 to 3 hours) gives the message, whichever way the value arrives.
    duration = MinutesField(widget=forms.Select(choices=DURATIONS), initial=120)


class BookingForm(SlotForm):
    scope = ScopeField(
        label="What is the event for?",
        required=False,
        help_text="Major system upgrades and complete migrations are not maintenance events: ask your TAM "
        "about a services engagement.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)
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
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False, label="What was done"
    )
    actual_duration = MinutesField(label="Actual duration (minutes)")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)


class CancelForm(forms.Form):
    """Staff say on whose behalf they cancel; a customer's cancellation is always at the customer's request."""

    on_behalf_of = forms.CharField(
        widget=forms.RadioSelect(choices=OnBehalfOf.choices),
        label="On whose behalf",
        initial=OnBehalfOf.CUSTOMER,
        required=False,  # the service says it is needed, in the API's words too
    )
    reason = forms.CharField(max_length=300, required=False, help_text="Required when the vendor cancels.")

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            customer = [(OnBehalfOf.CUSTOMER.value, OnBehalfOf.CUSTOMER.label)]
            self.fields["on_behalf_of"].widget = forms.RadioSelect(choices=customer)
            self.fields["reason"].help_text = ""


class NoShowForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False, label="Note")
