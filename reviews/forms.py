"""The pages' forms. They parse what was posted (text, whole numbers, dates, ticked ids) and nothing more: what a
value may be is the service's to say, with the same words the API answers."""

from django import forms

from accounts.forms import LocalDateTimeField

from .models import FindingLevel, ItemKind, RecommendationPriority, ReleaseKind

PREVIEW_DURATIONS = [(minutes, f"{minutes // 60} h {minutes % 60:02d} min") for minutes in (30, 60, 90, 120, 180)]


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


def _text(rows: int = 0, **kwargs) -> forms.CharField:
    """Text, possibly empty: the service says when it must be given and how long it may be."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(required=False, widget=widget, **kwargs)


def _one_of(choices, **kwargs) -> forms.CharField:
    """One of ``choices``, offered in a list; the service refuses anything else."""
    return forms.CharField(required=False, widget=forms.Select(choices=choices), **kwargs)


def _whole_number(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(required=False, **kwargs)


class TickedIds(forms.MultipleChoiceField):
    """The ids of the choices ticked. Any whole numbers parse; which ones may be chosen is the service's to say."""

    def to_python(self, value):
        ids = super().to_python(value)
        try:
            if all(v.isascii() and v.isdigit() for v in ids):
                return [int(v) for v in ids]
        except ValueError:  # more digits than a number may have
            pass
        raise forms.ValidationError("Enter whole numbers.", code="invalid")

    def validate(self, value):
        """Nothing to check: the ids parse, and the service knows which items may be chosen."""


class ReleaseForm(_Form):
    id_prefix = "release"
    product = _text(initial="KwikTag")
    version = _text(help_text="Numbers with dots, e.g. 10.2.1.")
    kind = _one_of(ReleaseKind.choices)
    planned_date = forms.DateField(widget=_date_input(), required=False)
    actual_date = forms.DateField(widget=_date_input(), required=False, help_text="Leave empty until released.")
    notes = _text(rows=5)
    published = forms.BooleanField(required=False, label="Published: every customer sees it")


class ReleaseItemForm(_Form):
    id_prefix = "item"
    kind = _one_of(ItemKind.choices)
    title = _text()
    description = _text(rows=2)
    modules = _text(help_text="Affected modules, comma-separated, e.g. Capture, GP connector.")


class AccountModulesForm(_Form):
    id_prefix = "modules"
    modules = _text(
        label="Modules this account uses",
        help_text="Comma-separated. Release items naming them are suggested for its previews.",
    )


class PreviewForm(_Form):
    id_prefix = "preview"
    scheduled_at = LocalDateTimeField(label="When", widget=_datetime_input(), required=False)
    duration_minutes = _whole_number(label="Duration", widget=forms.Select(choices=PREVIEW_DURATIONS), initial=60)
    items = TickedIds(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Items to show",
        help_text="Suggested: the items that affect the modules this account uses.",
    )
    uses_replica = forms.BooleanField(required=False, label="Use a replica of the production database")
    attendees = _text(rows=2)
    notes = _text(rows=3)
    coordinate_myself = forms.BooleanField(
        required=False,
        label="I coordinate this preview myself",
        help_text="Otherwise a new preview goes to the TAM acting at that time, and a planned one keeps its TAM.",
    )

    def __init__(self, *args, release=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = release.items.all() if release is not None else []
        self.fields["items"].choices = [
            (item.pk, f"{item.get_kind_display()}: {item.title}" + (f" ({item.modules})" if item.modules else ""))
            for item in items
        ]


class PreviewHoldForm(_Form):
    id_prefix = "hold"
    notes = _text(rows=2, label="How it went (optional)")


class DeclineForm(_Form):
    id_prefix = "decline"
    reason = _text(label="Reason (optional)")


class ScheduleForm(_Form):
    id_prefix = "schedule"
    scheduled_at = LocalDateTimeField(label="Session time", widget=_datetime_input(), required=False)


class ReviewDetailsForm(_Form):
    id_prefix = "details"
    summary = _text(rows=4)
    monitoring_tools = _text(rows=3, label="Monitoring tools deployed")


class FindingForm(_Form):
    id_prefix = "finding"
    source = _text(help_text="e.g. Application event log, KwikTag capture service.")
    level = _one_of(FindingLevel.choices)
    count = _whole_number(initial=1)
    summary = _text(rows=2)


class InventoryRowForm(_Form):
    id_prefix = "row"
    extension = _text(help_text="e.g. pdf; empty for files without one.")
    file_count = _whole_number(label="Files")
    bytes = _whole_number(label="Bytes")


class InventoryUploadForm(_Form):
    """A refused file is named above the form, line by line (the service's refusal names ``file``, the API's
    input, which this form does not have)."""

    id_prefix = "upload"
    upload = forms.FileField(
        required=False,
        label="Inventory CSV",
        help_text="One row per file (path, size) or one per file type (extension, count, bytes), with a header "
        "line. A bad row refuses the whole file.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class RecommendationForm(_Form):
    id_prefix = "recommendation"
    text = _text(rows=2, label="Recommendation")
    priority = _one_of(RecommendationPriority.choices, initial="medium")
