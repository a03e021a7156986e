"""Forms read types only; what the input means is the services' to say."""

from django import forms

from accounts.models import Tier, User
from accounts.renewals import RenewalState
from accounts.roles import Role


class SubscriptionForm(forms.Form):
    subscribed = forms.BooleanField(required=False, label="E-mail me the value report each quarter, with its PDF")


class RenewalNoticesForm(forms.Form):
    to_contacts = forms.BooleanField(required=False, label="Send the contract renewal reminders to the account's users")


class RenewForm(forms.Form):
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.all(), required=False, empty_label="the same tier", help_text="Renew on another tier."
    )
    end_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for the contract's renewal term.",
    )


class TermsForm(forms.Form):
    renews_automatically = forms.BooleanField(required=False, label="Renews automatically on its end date")
    notice_days = forms.IntegerField(label="Notice period (days)")
    renewal_term_months = forms.IntegerField(label="Renewal term (months)")


class RenewalFilterForm(forms.Form):
    days = forms.IntegerField(required=False, min_value=1, max_value=3650, label="Ending within (days)")
    state = forms.ChoiceField(required=False, choices=[("", "any state")] + [(s, s) for s in RenewalState.CHOICES])
    tier = forms.ModelChoiceField(queryset=Tier.objects.all(), required=False, empty_label="any tier")
    tam = forms.ModelChoiceField(
        queryset=User.objects.filter(groups__name=Role.TAM.value, is_active=True).distinct(),
        required=False,
        empty_label="any TAM",
        label="TAM",
    )
