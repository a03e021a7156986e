"""The SLA policy page's form: the policy's warning threshold and its targets, each with its clock kind and its
length typed in words ("2 business hours", "15 min"). It reads types only; ``policy_save`` says what is allowed."""

from django import forms

from accounts.configuration_pages.fields import HumanDurationField
from accounts.models import BusinessCalendar

from .models import ClockKind, MeetEvent, Severity, StartEvent
from .policies import TARGET_FIELDS


class TargetForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=120)
    start_event = forms.ChoiceField(label="The clock starts when", choices=StartEvent.choices)
    meet_event = forms.ChoiceField(label="It is met by", choices=MeetEvent.choices)
    severity = forms.TypedChoiceField(
        label="Cases of severity",
        choices=[("", "Every severity"), *Severity.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    duration = HumanDurationField(label="Within", help_text="e.g. 15 min, 2 hours, 1 h 30 min or 1 day")
    clock = forms.ChoiceField(label="Counted in", choices=ClockKind.choices, initial=ClockKind.BUSINESS)
    calendar = forms.ModelChoiceField(
        queryset=BusinessCalendar.objects.order_by("name"),
        required=False,
        empty_label="No calendar (wall clock)",
        help_text="Whose open hours count, for business time.",
    )
    paused_while_waiting = forms.BooleanField(label="Paused while waiting on the customer", required=False)
    is_example = forms.BooleanField(label="An example value, not a promise", required=False)
    active = forms.BooleanField(label="Active", required=False, initial=True)

    def has_changed(self) -> bool:
        """The blank row for a new target counts as filled in once it has a name or a length: its menus always
        send their first choice, so a page sent as it is must not read as a half-made target."""
        typed = any(str(self.data.get(self.add_prefix(name), "")).strip() for name in ("id", "name", "duration"))
        return typed and super().has_changed()


class BaseTargetFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this target"

    def rows(self) -> list[dict]:
        """The targets as they should be: every existing one not ticked for removal, and each new one filled in."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or self._should_delete_form(form):
                continue
            if data.get("id") is None and not form.has_changed():
                continue
            rows.append({"id": data.get("id"), **{name: data.get(name) for name in TARGET_FIELDS}})
        return rows


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=1, can_delete=True)


class PolicyForm(forms.Form):
    """A policy with its targets (``targets``, a formset, read with it): ``cleaned_data["targets"]`` are the rows
    ``policy_save`` takes."""

    warn_at_percent = forms.IntegerField(
        label="Warn at (% of a target elapsed)",
        help_text="The owner is warned when this share of a target's time has passed, e.g. 75.",
    )

    def __init__(self, data=None, *, targets: list[dict] | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.targets = TargetFormSet(data, initial=targets or [], prefix="targets")

    def clean(self):
        cleaned = super().clean()
        if not self.targets.is_valid():
            raise forms.ValidationError("Correct the targets marked below.")
        cleaned["targets"] = self.targets.rows()
        return cleaned
