"""The triage page's forms read their fields only; the services say what the input may be."""

from django import forms

from accounts.models import Account
from cases.models import Severity


class AssignForm(forms.Form):
    account = forms.CharField(required=False, widget=forms.Select, label="Account it belongs to")
    severity = forms.IntegerField(
        required=False, initial=Severity.MEDIUM, widget=forms.Select(choices=Severity.choices)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = Account.objects.order_by("name").values_list("slug", "name")
        self.fields["account"].widget.choices = [("", "Choose an account"), *accounts]


class DiscardForm(forms.Form):
    note = forms.CharField(required=False, max_length=300, label="Why (optional)")
