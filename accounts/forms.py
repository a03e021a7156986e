import datetime as dt
import zoneinfo

from django import forms
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .local_time import EARLIEST_YEAR, LATEST_YEAR, OUT_OF_RANGE, LocalTimeError, from_wall_clock
from .models import Account
from .roles import Role


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the user's own zone (the active one), read by ``accounts.local_time``: a time the
    clocks skip or repeat there is refused with the words the API uses for the same input, and only years 1900
    to 9000 are read (converting to UTC cannot overflow)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            moment = value
        else:
            try:
                moment = parse_datetime(str(value).strip())
            except ValueError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
            if moment is None:
                moment = BaseTemporalField.to_python(self, value)
        if timezone.is_aware(moment):
            if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
                raise forms.ValidationError(OUT_OF_RANGE)
            return moment
        try:
            return from_wall_clock(moment, timezone.get_current_timezone())
        except LocalTimeError as error:
            raise forms.ValidationError(str(error), code=error.code) from error


TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


def offer(field: forms.ModelChoiceField | forms.ChoiceField, choices) -> None:
    """Show only ``choices`` in the field's menu while it still reads any value of its own choices: what the user
    may pick is the service's to decide, so a value the menu did not offer gets the service's answer."""
    empty = [("", field.empty_label)] if isinstance(field, forms.ModelChoiceField) else []
    field.widget.choices = [*empty, *choices]


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices)
    account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False, help_text="Customer users only.")

    def __init__(self, *args, actor, roles: list[Role], accounts, **kwargs):
        """``roles`` and ``accounts`` are what the page offers ``actor`` (the invitation service's own answer)."""
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.visible_to(actor)
        offer(self.fields["role"], [(role.value, role.label) for role in roles])
        offer(self.fields["account"], [(account.pk, str(account)) for account in accounts])


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES, help_text="Every time in the portal is shown in this zone."
    )
    phone = forms.CharField(
        max_length=40, required=False, help_text="The number you call support from, so a call finds your account."
    )


class AbsenceForm(forms.Form):
    """Times are typed in the user's own zone (the active time zone) and stored in UTC. The person away is the
    user unless named (admins record anyone's absence: the page offers them the choice)."""

    tam = forms.ModelChoiceField(queryset=None, required=False, label="TAM")
    starts_at = LocalDateTimeField(
        label="Away from", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = LocalDateTimeField(
        label="Back at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    note = forms.CharField(max_length=200, required=False, help_text="Shown to your customers, e.g. “Conference”.")

    def __init__(self, *args, offer_tams=None, editing=False, **kwargs):
        """``offer_tams``: the people whose absences the page offers to record (None: only one's own)."""
        super().__init__(*args, **kwargs)
        from .models import User

        if editing:
            del self.fields["tam"]
            return
        self.fields["tam"].queryset = User.objects.filter(is_active=True)
        if offer_tams is None:
            self.fields["tam"].widget = forms.HiddenInput()
        else:
            offer(self.fields["tam"], [(person.pk, str(person)) for person in offer_tams])
