import zoneinfo

from django import forms

from .models import Account
from .roles import Role

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
