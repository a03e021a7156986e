"""Configuration pages for admins. Domain writes (contracts, TAM assignments, absences) go through the
services: their admin forms call the service in ``clean`` so a refusal shows on the form."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from audit.admin import AuditTrailMixin

from . import services
from .business_hours import Schedule
from .errors import DomainError
from .models import (
    Account,
    BusinessCalendar,
    Contract,
    Holiday,
    OpenInterval,
    OutboxMessage,
    TamAbsence,
    TamAssignment,
    Tier,
    User,
)
from .quarters import vendor_today
from .roles import Role


class ServiceForm(forms.ModelForm):
    """A model form whose save is a service call, made during validation so refusals become form errors."""

    performed = None

    def perform(self, cleaned_data):  # pragma: no cover - each subclass says what it does
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.performed = self.perform(cleaned)
        except DomainError as error:
            field = error.field if error.field in self.fields else None
            raise ValidationError({field: error.message} if field else error.message) from error
        return cleaned


class ServiceAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        if form.performed is not None:
            form.instance = form.performed
            obj.pk = form.performed.pk
            return
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form


# --- Calendars ------------------------------------------------------------------------------------


class IntervalFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        weekly: dict[int, list] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("opens") is None or data.get("closes") is None:
                continue
            weekly.setdefault(data["weekday"], []).append((data["opens"], data["closes"]))
        try:
            Schedule(tz=self.instance.time_zone or "UTC", weekly=weekly)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class OpenIntervalInline(admin.TabularInline):
    model = OpenInterval
    formset = IntervalFormSet
    extra = 0
    min_num = 1


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0
    ordering = ["date"]


class HolidayImportForm(forms.Form):
    country = forms.CharField(max_length=2, initial="US", help_text="ISO code, e.g. US, CA, GB, IN.")
    subdivision = forms.CharField(max_length=10, required=False, help_text="Optional, e.g. CO for Colorado.")
    year = forms.IntegerField(min_value=1950, max_value=2100)


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditTrailMixin, admin.ModelAdmin):
    audit_children = (("accounts.openinterval", "calendar_id"), ("accounts.holiday", "calendar_id"))
    list_display = ["name", "time_zone", "hours_summary", "holiday_count", "import_link"]
    search_fields = ["name", "time_zone"]
    inlines = [OpenIntervalInline, HolidayInline]
    actions = ["import_holidays_action"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("intervals", "holidays")

    @admin.display(description="Open hours")
    def hours_summary(self, calendar):
        return "; ".join(str(interval) for interval in calendar.intervals.all()) or "closed"

    @admin.display(description="Holidays")
    def holiday_count(self, calendar):
        return len(calendar.holidays.all())

    @admin.display(description="")
    def import_link(self, calendar):
        url = reverse("admin:accounts_businesscalendar_import_holidays", args=[calendar.pk])
        return format_html('<a href="{}">Import public holidays…</a>', url)

    @admin.action(description="Import public holidays into the selected calendar…")
    def import_holidays_action(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one calendar to import holidays into.", messages.WARNING)
            return None
        return redirect("admin:accounts_businesscalendar_import_holidays", queryset.get().pk)

    def get_urls(self):
        extra = [
            path(
                "<int:pk>/import-holidays/",
                self.admin_site.admin_view(self.import_holidays_view),
                name="accounts_businesscalendar_import_holidays",
            )
        ]
        return extra + super().get_urls()

    def import_holidays_view(self, request, pk):
        """Two steps: look up a country's holidays, then save only those the admin ticks after review."""
        if not self.has_change_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        calendar = get_object_or_404(BusinessCalendar, pk=pk)
        form = HolidayImportForm(request.POST or request.GET or None, initial={"year": vendor_today().year + 1})
        found = None
        if request.method == "POST" and "confirm" in request.POST and form.is_valid():
            chosen = set(request.POST.getlist("date"))
            try:
                candidates = services.public_holidays(**form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                picked = [(day, name) for day, name in candidates if day.isoformat() in chosen]
                added = services.calendar_import_holidays(actor=request.user, calendar=calendar, holidays=picked)
                self.message_user(request, f"Added {added} holidays to {calendar.name}.", messages.SUCCESS)
                return redirect("admin:accounts_businesscalendar_change", calendar.pk)
        elif form.is_bound and form.is_valid():
            try:
                candidates = services.public_holidays(**form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                existing = set(calendar.holidays.values_list("date", flat=True))
                found = [(day, name, day in existing) for day, name in candidates]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import public holidays into {calendar.name}",
            "calendar": calendar,
            "form": form,
            "found": found,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/import_holidays.html", context)


# --- Tiers and accounts ---------------------------------------------------------------------------


@admin.register(Tier)
class TierAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "assigned_tam",
        "events_per_quarter",
        "bank_cap",
        "release_previews",
        "proactive_reviews_per_quarter",
        "priority_support",
        "store_discount_percent",
        "support_calendar",
    ]
    list_select_related = ["support_calendar"]
    fieldsets = [
        (None, {"fields": ["name", "support_calendar"]}),
        ("Every tier", {"fields": ["email_phone_support", "software_updates"]}),
        (
            "Enterprise benefits",
            {
                "fields": [
                    "assigned_tam",
                    ("events_per_quarter", "bank_cap"),
                    "release_previews",
                    "proactive_reviews_per_quarter",
                    "priority_support",
                    "store_discount_percent",
                ]
            },
        ),
    ]


class ContractInline(admin.TabularInline):
    model = Contract
    fields = ["tier", "start_date", "end_date", "status", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class TamAssignmentInline(admin.TabularInline):
    model = TamAssignment
    fields = ["primary", "backup", "valid_from", "valid_to", "assigned_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "TAM history"

    def has_add_permission(self, request, obj=None):
        return False


class CustomerUserInline(admin.TabularInline):
    model = User
    fields = ["email", "first_name", "last_name", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Customer users"
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(AuditTrailMixin, admin.ModelAdmin):
    audit_children = (
        ("accounts.contract", "account_id"),
        ("accounts.tamassignment", "account_id"),
        ("accounts.user", "account_id"),
    )
    list_display = ["name", "slug", "tier_today", "primary_tam", "backup_tam", "calendar"]
    search_fields = ["name", "slug"]
    list_filter = ["contracts__tier", "calendar"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ContractInline, TamAssignmentInline, CustomerUserInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("calendar").with_coverage(vendor_today())

    @admin.display(description="Tier today")
    def tier_today(self, account):
        return account.tier_today or "–"

    @admin.display(description="Primary TAM")
    def primary_tam(self, account):
        return account.assignment.primary if account.assignment else "–"

    @admin.display(description="Backup TAM")
    def backup_tam(self, account):
        return account.assignment.backup if account.assignment else "–"


# --- Contracts, coverage, absences (through the services) -----------------------------------------


class ContractForm(ServiceForm):
    class Meta:
        model = Contract
        fields = ["account", "tier", "start_date", "end_date"]

    def perform(self, cleaned):
        if self.instance.pk:
            if cleaned["end_date"] != self.instance.end_date:
                if cleaned["end_date"] is None:
                    raise DomainError("An end date cannot be removed; create a new contract instead.", field="end_date")
                return services.contract_end(actor=self.actor, contract=self.instance, end_date=cleaned["end_date"])
            return self.instance
        return services.contract_create(
            actor=self.actor,
            account=cleaned["account"],
            tier=cleaned["tier"],
            start_date=cleaned["start_date"],
            end_date=cleaned["end_date"],
        )


@admin.register(Contract)
class ContractAdmin(AuditTrailMixin, ServiceAdmin):
    form = ContractForm
    list_display = ["account", "tier", "start_date", "end_date", "status", "created_by"]
    list_filter = ["tier", "status"]
    search_fields = ["account__name"]
    date_hierarchy = "start_date"
    list_select_related = ["account", "tier", "created_by"]
    autocomplete_fields = ["account"]
    actions = ["cancel_contracts"]

    def get_readonly_fields(self, request, obj=None):
        return ["account", "tier", "start_date", "status"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel the selected contracts (entered in error)")
    def cancel_contracts(self, request, queryset):
        for contract in queryset:
            try:
                services.contract_cancel(actor=request.user, contract=contract)
            except DomainError as error:
                self.message_user(request, f"{contract}: {error.message}", messages.WARNING)


class TamAssignmentForm(ServiceForm):
    class Meta:
        model = TamAssignment
        fields = ["account", "primary", "backup"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tams = User.objects.filter(groups__name=Role.TAM.value, is_active=True)
        for name in ("primary", "backup"):
            if name in self.fields:  # a past pair is shown read-only, without its form fields
                self.fields[name].queryset = tams

    def perform(self, cleaned):
        return services.coverage_assign(
            actor=self.actor, account=cleaned["account"], primary=cleaned["primary"], backup=cleaned["backup"]
        )


@admin.register(TamAssignment)
class TamAssignmentAdmin(AuditTrailMixin, ServiceAdmin):
    """Assigning a new pair closes the current one; rows are history and never edited."""

    form = TamAssignmentForm
    list_display = ["account", "primary", "backup", "valid_from", "valid_to"]
    list_filter = [("valid_to", admin.EmptyFieldListFilter), "primary"]
    search_fields = ["account__name", "primary__email", "backup__email"]
    list_select_related = ["account", "primary", "backup"]
    autocomplete_fields = ["account"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class TamAbsenceForm(ServiceForm):
    class Meta:
        model = TamAbsence
        fields = ["tam", "starts_at", "ends_at", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tam" in self.fields:  # read-only once the absence is recorded
            self.fields["tam"].queryset = User.objects.filter(
                groups__name__in=[Role.TAM.value, Role.TAM_LEVEL.value], is_active=True
            ).distinct()

    def perform(self, cleaned):
        if self.instance.pk:
            return services.absence_update(
                actor=self.actor,
                absence=self.instance,
                starts_at=cleaned["starts_at"],
                ends_at=cleaned["ends_at"],
                note=cleaned["note"],
            )
        return services.absence_record(
            actor=self.actor,
            tam=cleaned["tam"],
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["ends_at"],
            note=cleaned["note"],
        )


@admin.register(TamAbsence)
class TamAbsenceAdmin(AuditTrailMixin, ServiceAdmin):
    form = TamAbsenceForm
    list_display = ["tam", "starts_at", "ends_at", "note", "cancelled_at"]
    list_filter = [("cancelled_at", admin.EmptyFieldListFilter), "tam"]
    date_hierarchy = "starts_at"
    list_select_related = ["tam"]
    actions = ["cancel_absences"]

    def get_readonly_fields(self, request, obj=None):
        return ["tam", "cancelled_at"] if obj else ["cancelled_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel the selected absences (customers are told)")
    def cancel_absences(self, request, queryset):
        for absence in queryset:
            try:
                services.absence_cancel(actor=request.user, absence=absence)
            except DomainError as error:
                self.message_user(request, f"{absence}: {error.message}", messages.WARNING)


# --- People ---------------------------------------------------------------------------------------


class UserAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean(self):
        cleaned = super().clean()
        groups = {g.name for g in cleaned.get("groups") or []}
        account = cleaned.get("account")
        if Role.CUSTOMER.value in groups and account is None:
            self.add_error("account", "A customer user belongs to exactly one account: choose it.")
        if Role.CUSTOMER.value in groups and len(groups) > 1:
            self.add_error("groups", "A customer user cannot also hold a vendor staff role.")
        if account is not None and Role.CUSTOMER.value not in groups:
            self.add_error("account", "Only customer users belong to an account.")
        return cleaned


@admin.register(User)
class UserAdmin(AuditTrailMixin, BaseUserAdmin):
    audit_children = (("accounts.user_groups", "user_id"),)
    form = UserAdminForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "account", "is_active"]
    list_filter = ["groups", "is_active", "account"]
    search_fields = ["email", "first_name", "last_name", "account__name"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "time_zone"]}),
        ("Role", {"fields": ["groups", "account", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups"]

    def save_related(self, request, form, formsets, change):
        """Roles go through the same service as invitations, so access to this site follows the Admin role."""
        super().save_related(request, form, formsets, change)
        user = form.instance
        roles = {Role(group.name) for group in user.groups.all() if group.name in Role.values}
        if roles:
            services.user_set_roles(actor=request.user, user=user, roles=roles, account=user.account)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Mail waiting or sent: read-only, to see what went out and what is being retried."""

    list_display = ["created_at", "to", "subject", "attempts", "sent_at", "next_attempt_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
