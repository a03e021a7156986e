import zoneinfo

from django import forms

from .models import Account
from .roles import Role


class SafeDateTimeField(forms.DateTimeField):
    """A date and time that can be converted to UTC and compared without overflowing (years 1900 to 9000)."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is not None and not 1900 <= moment.year <= 9000:
            raise forms.ValidationError("Enter a date and time between the years 1900 and 9000.")
        return moment


TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices)
    account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False, help_text="Customer users only.")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.managed_by(actor)
        if not actor.is_portal_admin:
            self.fields["role"].choices = [(Role.CUSTOMER.value, Role.CUSTOMER.label)]


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES, help_text="Every time in the portal is shown in this zone."
    )


class AbsenceForm(forms.Form):
    """Times are typed in the user's own zone (the active time zone) and stored in UTC."""

    tam = forms.ModelChoiceField(queryset=None, required=False, label="TAM", help_text="Admins only.")
    starts_at = SafeDateTimeField(
        label="Away from", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = SafeDateTimeField(
        label="Back at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    note = forms.CharField(max_length=200, required=False, help_text="Shown to your customers, e.g. “Conference”.")

    def __init__(self, *args, actor, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import User
        from .roles import Role

        if actor.is_portal_admin and not editing:
            self.fields["tam"].queryset = User.objects.filter(
                groups__name__in=[Role.TAM.value, Role.TAM_LEVEL.value], is_active=True
            ).distinct()
            self.fields["tam"].required = True
        else:
            del self.fields["tam"]
