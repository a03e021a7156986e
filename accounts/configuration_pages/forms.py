"""The configuration pages' forms for tiers, notice periods and limits, people, accounts and contracts. Each reads
types (a number, a date, a choice among rows that exist) and nothing more: what the values may be is the services'
to say, so a page and the API refuse the same input with the same words."""

from django import forms
from django.forms.models import fields_for_model

from core.models import Limits

from ..configuration import LIMIT_FIELDS
from ..models import TIER_FIELDS, Account, BusinessCalendar, Tier, User
from ..roles import Role
from .fields import NumberListField, zone_field

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _model_fields(model, names: list[str]) -> dict[str, forms.Field]:
    """The model's own labels, help texts and input types for ``names``; its rules stay with the services."""
    fields = fields_for_model(model, fields=names)
    for form_field in fields.values():
        form_field.validators = [v for v in form_field.validators if not hasattr(v, "limit_value")]
    return fields


class TierForm(forms.Form):
    """Every benefit of a tier (the FAQ's table), with its name and support calendar."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_model_fields(Tier, TIER_FIELDS))
        self.fields["support_calendar"].queryset = BusinessCalendar.objects.order_by("name")


class LimitsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_model_fields(Limits, [name for name in LIMIT_FIELDS if name != "renewal_reminder_days"]))
        self.fields["renewal_reminder_days"] = NumberListField(
            label=Limits._meta.get_field("renewal_reminder_days").verbose_name.capitalize(),
            required=False,
            help_text="Days before a contract's end, separated by commas, e.g. 90, 60, 30, 7. Empty: no reminders.",
        )


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Name or e-mail", required=False)
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices, ("none", "No role")], required=False)
    inactive = forms.BooleanField(label="Show deactivated people", required=False)


class PersonRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A customer user holds no other role and belongs to one account; staff belong to none.",
    )
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"), required=False)


class PersonDetailsForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    time_zone = zone_field(label="Time zone")


class PersonAccessForm(forms.Form):
    """Deactivate (no more signing in; the history stays) or reactivate."""

    active = forms.TypedChoiceField(
        choices=[("0", "Deactivate"), ("1", "Reactivate")], coerce=lambda value: value == "1"
    )


class AccountForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(label="Address", max_length=80, help_text="Lowercase letters, digits and dashes.")
    calendar = forms.ModelChoiceField(
        queryset=BusinessCalendar.objects.order_by("name"),
        required=False,
        empty_label="The support hours of its tier",
        help_text="Set one for a customer served in another region.",
    )


class TamsForm(forms.Form):
    primary = forms.ModelChoiceField(queryset=User.objects.none(), label="Primary TAM")
    backup = forms.ModelChoiceField(queryset=User.objects.none(), label="Backup TAM")

    def __init__(self, *args, **kwargs):
        """Any active person may be named (the service says who is a TAM); the menus offer the TAMs."""
        super().__init__(*args, **kwargs)
        tams = User.objects.filter(groups__name=Role.TAM.value, is_active=True).order_by("last_name", "first_name")
        for name in ("primary", "backup"):
            self.fields[name].queryset = User.objects.filter(is_active=True)
            self.fields[name].widget.choices = [("", "---------"), *((tam.pk, str(tam)) for tam in tams)]


class ContractForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=Tier.objects.order_by("name"))
    start_date = forms.DateField(widget=DATE_INPUT)
    end_date = forms.DateField(widget=DATE_INPUT, required=False, help_text="Empty: open-ended.")


class ContractEndForm(forms.Form):
    end_date = forms.DateField(label="Last day", widget=DATE_INPUT, required=False)


class ChangeTierForm(forms.Form):
    tier = forms.ModelChoiceField(queryset=Tier.objects.order_by("name"), label="New tier")
    from_date = forms.DateField(label="From", widget=DATE_INPUT)
