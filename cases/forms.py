"""Forms of the case pages. They parse input (types) and nothing more: whether a value may be empty, who may,
which files and which moves are the services' rules, so a page and the API give the same answers."""

from django import forms
from django.db.models import Q

from accounts.forms import LocalDateTimeField
from accounts.models import Account, User
from accounts.roles import Role

from .attachments import ALLOWED_ATTACHMENT_TYPES
from .models import OPEN_STATUSES, Case, CaseStatus, Channel, ContactKind, Severity

ATTACHMENT_HELP = "PDF, images, text and log files, CSV, ZIP, Word, Excel or e-mail files, up to 10 MB each."


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the service checks their types and sizes."""

    def __init__(self, **kwargs):
        attrs = {"multiple": True, "accept": ",".join(sorted(ALLOWED_ATTACHMENT_TYPES))}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", ATTACHMENT_HELP)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(upload, initial) for upload in files]


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.display_name} ({user.account.name})"


class CaseOpenForm(forms.Form):
    """A customer opens a case for their own account; staff choose the account, contact and channel."""

    account = forms.ModelChoiceField(
        queryset=Account.objects.none(), to_field_name="slug", empty_label="Choose the account", required=False
    )
    contact = CustomerChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="No one in particular",
        help_text="The customer user the case is for; they are told by e-mail.",
    )
    channel = forms.CharField(
        widget=forms.Select(choices=[c for c in Channel.choices if c[0] != Channel.API]),
        initial=Channel.PHONE,
        required=False,
        label="Came in by",
    )
    subject = forms.CharField(max_length=200, required=False)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=20000, label="What happened?", required=False
    )
    severity = forms.IntegerField(
        widget=forms.Select(choices=Severity.choices), initial=Severity.MEDIUM, required=False
    )
    attachments = MultipleFileField()

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if actor.is_vendor_staff:
            accounts = Account.objects.visible_to(actor).order_by("name")
            self.fields["account"].queryset = accounts
            self.fields["contact"].queryset = (
                User.objects.filter(account__in=accounts, is_active=True, groups__name=Role.CUSTOMER)
                .select_related("account")
                .order_by("account__name", "last_name", "first_name")
            )
        else:
            for name in ("account", "contact", "channel"):
                del self.fields[name]

    def clean_severity(self):
        severity = self.cleaned_data["severity"]
        return Severity.MEDIUM if severity is None else severity


class CasePageForm(forms.Form):
    """Several forms share the case page: each has its own id prefix, so every label stays tied to its input."""

    id_prefix = "case"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ReplyForm(CasePageForm):
    """A public reply. Staff also record a reply the customer sent by e-mail or phone, so it drives the clocks like
    a portal one; for customers those two inputs are hidden (the service refuses a customer who sends them)."""

    id_prefix = "reply"
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=20000, label="Reply", required=False)
    attachments = MultipleFileField()
    from_customer = forms.BooleanField(
        required=False, label="This is the customer's own reply, received by e-mail or phone"
    )
    channel = forms.CharField(
        widget=forms.Select(
            choices=[("portal", "Portal"), ("email", "E-mail"), ("phone", "Phone"), ("voicemail", "Voicemail")]
        ),
        initial="portal",
        required=False,
        label="Came in by",
    )

    def __init__(self, *args, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            for name in ("from_customer", "channel"):
                self.fields[name].widget = forms.HiddenInput()
                self.fields[name].initial = ""


class NoteForm(CasePageForm):
    id_prefix = "note"
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        label="Internal note",
        help_text="Seen by vendor staff only.",
        required=False,
    )
    attachments = MultipleFileField(label="Attachments to the note")


class StatusForm(CasePageForm):
    """Any text parses; the select offers the moves the service allows this user, and it says why others fail."""

    id_prefix = "status"

    status = forms.CharField(max_length=20, label="New status", required=False, widget=forms.Select)

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.choices = [("", "Choose…"), *((s.value, s.label) for s in offered)]


class EscalateForm(CasePageForm):
    id_prefix = "escalate"
    reason = forms.CharField(
        max_length=500, required=False, label="Reason", help_text="Told to the TAM with the escalation."
    )


class ContactForm(CasePageForm):
    """A call, voicemail or e-mail, with times typed in the user's own zone (the active time zone)."""

    id_prefix = "contact"

    kind = forms.CharField(widget=forms.Select(choices=ContactKind.choices), label="What came in", required=False)
    received_at = LocalDateTimeField(label="Received at", widget=_datetime_input(), required=False)
    answered_at = LocalDateTimeField(
        label="Answered at", widget=_datetime_input(), required=False, help_text="Leave empty if not answered yet."
    )
    notes = forms.CharField(max_length=500, required=False)


class AnsweredForm(forms.Form):
    """Mark one unanswered logged contact of the case answered (now, unless a time is given)."""

    contact = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    answered_at = LocalDateTimeField(
        label="Answered at", widget=_datetime_input(), required=False, help_text="Empty for now."
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = case.contacts.all()
        # One form per logged contact on the page: distinct ids keep each label tied to its own input.
        contact = str(self["contact"].value() or "")
        self.auto_id = f"id_answered_{contact}_%s" if contact.isdigit() else "id_answered_%s"


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; a value that does not parse is ignored with a note."""

    status = forms.ChoiceField(
        choices=[("", "Any open status")] + [(s.value, s.label) for s in CaseStatus if s in OPEN_STATUSES],
        required=False,
    )
    severity = forms.TypedChoiceField(
        choices=[("", "Any severity"), *Severity.choices], coerce=int, empty_value=None, required=False
    )
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(), to_field_name="slug", required=False, empty_label="Any account"
    )
    mine = forms.BooleanField(required=False, label="Assigned to me")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        # Only accounts with something in the queue (and the one filtered on): a select of every customer would
        # grow with the customer base, not with the queue.
        in_queue = Q(pk__in=Case.objects.open().values("account_id")) | Q(slug=self.data.get("account", ""))
        self.fields["account"].queryset = (
            Account.objects.visible_to(actor).filter(in_queue).order_by("name").only("slug", "name")
        )
