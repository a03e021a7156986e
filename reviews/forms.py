from django import forms

from accounts.forms import SafeDateTimeField

from .models import FindingLevel, ItemKind, RecommendationPriority, RecommendationStatus, ReleaseKind

PREVIEW_DURATIONS = [(str(minutes), f"{minutes // 60} h {minutes % 60:02d} min") for minutes in (30, 60, 90, 120, 180)]


class _Form(forms.Form):
    """Several of these forms share a page: each gives its inputs ids of its own (the names stay plain)."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local", "step": 900}, format="%Y-%m-%dT%H:%M")


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReleaseForm(_Form):
    id_prefix = "release"
    product = forms.CharField(max_length=80, initial="KwikTag")
    version = forms.CharField(max_length=20, help_text="Numbers with dots, e.g. 10.2.1.")
    kind = forms.ChoiceField(choices=ReleaseKind.choices)
    planned_date = forms.DateField(widget=_date_input())
    actual_date = forms.DateField(widget=_date_input(), required=False, help_text="Leave empty until released.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20000)
    published = forms.BooleanField(required=False, label="Published: every customer sees it")


class ReleaseItemForm(_Form):
    id_prefix = "item"
    kind = forms.ChoiceField(choices=ItemKind.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)
    modules = forms.CharField(
        max_length=300, required=False, help_text="Affected modules, comma-separated, e.g. Capture, GP connector."
    )


class AccountModulesForm(_Form):
    id_prefix = "modules"
    modules = forms.CharField(
        max_length=2000,
        required=False,
        label="Modules this account uses",
        help_text="Comma-separated. Release items naming them are suggested for its previews.",
    )


class PreviewForm(_Form):
    id_prefix = "preview"
    scheduled_at = SafeDateTimeField(label="When", widget=_datetime_input())
    duration_minutes = forms.TypedChoiceField(
        label="Duration", choices=PREVIEW_DURATIONS, coerce=int, initial="60", empty_value=None
    )
    items = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Items to show",
        help_text="Suggested: the items that affect the modules this account uses.",
    )
    uses_replica = forms.BooleanField(required=False, label="Use a replica of the production database")
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)
    coordinate_myself = forms.BooleanField(
        required=False,
        label="I coordinate this preview myself",
        help_text="Otherwise a new preview goes to the TAM acting at that time, and a planned one keeps its TAM.",
    )

    def __init__(self, *args, release=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.release_items = list(release.items.all()) if release is not None else []
        self.fields["items"].choices = [
            (str(item.pk), f"{item.get_kind_display()}: {item.title}" + (f" ({item.modules})" if item.modules else ""))
            for item in self.release_items
        ]

    def chosen_items(self):
        chosen = set(self.cleaned_data["items"])
        return [item for item in self.release_items if str(item.pk) in chosen]


class PreviewHoldForm(_Form):
    id_prefix = "hold"
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000, label="How it went (optional)"
    )


class DeclineForm(_Form):
    id_prefix = "decline"
    reason = forms.CharField(max_length=300, required=False, label="Reason (optional)")


class ScheduleForm(_Form):
    id_prefix = "schedule"
    scheduled_at = SafeDateTimeField(label="Session time", widget=_datetime_input())


class ReviewDetailsForm(_Form):
    id_prefix = "details"
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=8000)
    monitoring_tools = forms.CharField(
        label="Monitoring tools deployed", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )


class FindingForm(_Form):
    id_prefix = "finding"
    source = forms.CharField(max_length=120, help_text="e.g. Application event log, KwikTag capture service.")
    level = forms.ChoiceField(choices=FindingLevel.choices)
    count = forms.IntegerField(min_value=1, max_value=2_000_000_000, initial=1)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class InventoryRowForm(_Form):
    id_prefix = "row"
    extension = forms.CharField(max_length=32, required=False, help_text="e.g. pdf; empty for files without one.")
    file_count = forms.IntegerField(min_value=0, max_value=2**63 - 1, label="Files")
    bytes = forms.IntegerField(min_value=0, max_value=2**63 - 1, label="Bytes")


class InventoryUploadForm(_Form):
    id_prefix = "upload"
    file = forms.FileField(
        label="Inventory CSV",
        help_text="One row per file (path, size) or one per file type (extension, count, bytes), with a header "
        "line. A bad row refuses the whole file.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class RecommendationForm(_Form):
    id_prefix = "recommendation"
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Recommendation")
    priority = forms.ChoiceField(choices=RecommendationPriority.choices, initial="medium")


class RecommendationStatusForm(_Form):
    id_prefix = "status"
    recommendation = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=RecommendationStatus.choices)
