"""Forms of the case pages. They parse input; the rules (who may, which files, which moves) live in the services."""

from django import forms
from django.db.models import Q

from accounts.forms import SafeDateTimeField
from accounts.models import Account, User
from accounts.roles import Role

from .models import CASE_TRANSITIONS, OPEN_STATUSES, Case, CaseStatus, Channel, ContactKind, Severity
from .services import ALLOWED_ATTACHMENT_TYPES

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
        queryset=Account.objects.none(),
        to_field_name="slug",
        empty_label="Choose the account",
        error_messages={"required": "Choose the customer's account."},
    )
    contact = CustomerChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="No one in particular",
        help_text="The customer user the case is for; they are told by e-mail.",
    )
    channel = forms.ChoiceField(
        choices=[c for c in Channel.choices if c[0] != Channel.API], initial=Channel.PHONE, label="Came in by"
    )
    subject = forms.CharField(max_length=200, error_messages={"required": "Give the case a subject."})
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=20000, label="What happened?", required=False
    )
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int, initial=Severity.MEDIUM)
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
            self.fields["description"].required = True
            self.fields["description"].error_messages["required"] = "Describe the problem."


class CasePageForm(forms.Form):
    """Several forms share the case page: each has its own id prefix, so every label stays tied to its input."""

    id_prefix = "case"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ReplyForm(CasePageForm):
    id_prefix = "reply"
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        label="Reply",
        error_messages={"required": "Write a reply."},
    )
    attachments = MultipleFileField()


class StaffReplyForm(ReplyForm):
    """Staff also record a reply the customer sent by e-mail or phone, so it drives the clocks like a portal one."""

    from_customer = forms.BooleanField(
        required=False, label="This is the customer's own reply, received by e-mail or phone"
    )
    channel = forms.ChoiceField(
        choices=[("portal", "Portal"), ("email", "E-mail"), ("phone", "Phone"), ("voicemail", "Voicemail")],
        initial="portal",
        required=False,
        label="Came in by",
    )


class NoteForm(CasePageForm):
    id_prefix = "note"
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        label="Internal note",
        help_text="Seen by vendor staff only.",
        error_messages={"required": "Write the note."},
    )
    attachments = MultipleFileField(label="Attachments to the note")


class StatusForm(CasePageForm):
    """Any status parses; the select offers the moves allowed from here, and the service says why others fail."""

    id_prefix = "status"

    status = forms.ChoiceField(
        choices=CaseStatus.choices, label="New status", error_messages={"required": "Choose the new status."}
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = CASE_TRANSITIONS[CaseStatus(case.status)] - {CaseStatus.ESCALATED}
        offered = [(s.value, s.label) for s in CaseStatus if s in allowed]
        self.fields["status"].widget.choices = [("", "Choose…"), *offered]


class EscalateForm(CasePageForm):
    id_prefix = "escalate"
    reason = forms.CharField(
        max_length=500, required=False, label="Reason", help_text="Told to the TAM with the escalation."
    )


class ContactForm(CasePageForm):
    """A call, voicemail or e-mail, with times typed in the user's own zone (the active time zone)."""

    id_prefix = "contact"

    kind = forms.ChoiceField(choices=ContactKind.choices, label="What came in")
    received_at = SafeDateTimeField(label="Received at", widget=_datetime_input())
    answered_at = SafeDateTimeField(
        label="Answered at", widget=_datetime_input(), required=False, help_text="Leave empty if not answered yet."
    )
    notes = forms.CharField(max_length=500, required=False)


class AnsweredForm(forms.Form):
    """Mark one unanswered logged contact of the case answered (now, unless a time is given)."""

    contact = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    answered_at = SafeDateTimeField(
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
