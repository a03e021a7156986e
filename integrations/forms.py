"""The integrations pages' forms read their fields only; the services say what the input may be. A menu offers
what the service accepts, while the field reads any value of its kind, so the service answers an unoffered one."""

from django import forms
from django.conf import settings

from accounts.models import Account
from accounts.roles import Role
from core.events import EVENT_TYPES

from .models import Scope
from .tokens import PERSONAL_SCOPES, SERVICE_ROLES

EVENT_CHOICES = [(kind, f"{kind}: {text}") for kind, text in EVENT_TYPES.items()]


class TokenForm(forms.Form):
    name = forms.CharField(required=False, max_length=200, help_text="Where the token is used, e.g. “CI reports”.")
    days = forms.IntegerField(
        required=False,
        initial=settings.API_TOKEN_DEFAULT_DAYS,
        label="Expires after (days)",
        help_text=f"{settings.API_TOKEN_DEFAULT_DAYS} days unless you say; a year at most.",
    )
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, initial=[Scope.READ, Scope.WRITE], required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].widget.choices = [(scope.value, scope.label) for scope in PERSONAL_SCOPES]


class ServiceTokenForm(forms.Form):
    name = forms.CharField(required=False, max_length=200, help_text="The system it is for, e.g. “Phone system”.")
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices], required=False)
    account = forms.ModelChoiceField(
        queryset=Account.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="No account (a staff service)",
        help_text="A customer's system only: its account.",
    )
    scopes = forms.MultipleChoiceField(choices=Scope.choices, required=False, widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(required=False, initial=settings.API_TOKEN_DEFAULT_DAYS, label="Expires after (days)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].widget.choices = [("", "Choose a role"), *((r.value, r.label) for r in SERVICE_ROLES)]
        self.fields["role"].initial = Role.SUPPORT.value


class EndpointForm(forms.Form):
    name = forms.CharField(required=False, max_length=200)
    url = forms.CharField(required=False, max_length=600, label="URL", help_text="https://… on the public internet.")
    event_types = forms.MultipleChoiceField(
        choices=EVENT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple, label="Events"
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Every account",
        help_text="Only this account's events.",
    )
    secret = forms.CharField(
        required=False,
        max_length=200,
        help_text="Leave empty and the portal makes one (shown on the endpoint's page).",
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["secret"]
