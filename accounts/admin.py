"""Configuration pages for admins. Every save calls the services (``core.service_admin``): a page parses the
form, the service decides, and its refusal shows on the form. Rows are history or belong to their services, so
nothing is deleted from here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from audit.admin import AuditTrailMixin
from core.errors import DomainError
from core.service_admin import ServiceAdmin, ServiceAdminMixin, kept_rows, row_action

from . import services
from .models import (
    ENTERPRISE_BENEFITS,
    EVERY_TIER_BENEFITS,
    TIER_FIELDS,
    Account,
    BusinessCalendar,
    Contract,
    Holiday,
    OpenInterval,
    TamAbsence,
    TamAssignment,
    Tier,
    User,
)
from .quarters import vendor_today
from .roles import Role


class HistoryInline(admin.TabularInline):
    """A read-only list of an object's parts, each changed through its own page."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


# --- Calendars ------------------------------------------------------------------------------------


class OpenIntervalInline(admin.TabularInline):
    model = OpenInterval
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
class BusinessCalendarAdmin(AuditTrailMixin, ServiceAdmin):
    audit_children = (("accounts.openinterval", "calendar_id"), ("accounts.holiday", "calendar_id"))
    list_display = ["name", "time_zone", "hours_summary", "holiday_count", "import_link"]
    search_fields = ["name", "time_zone"]
    inlines = [OpenIntervalInline, HolidayInline]
    actions = ["import_holidays_action"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("intervals", "holidays")

    def perform(self, request, form, formsets, change):
        data = form.cleaned_data
        calendar = services.calendar_save(
            actor=request.user,
            calendar=form.instance if change else None,
            name=data["name"],
            time_zone=data["time_zone"],
            description=data["description"],
        )
        weekly: dict[int, list] = {}
        for row in kept_rows(formsets, OpenInterval):
            weekly.setdefault(row["weekday"], []).append((row["opens"], row["closes"]))
        services.calendar_set_hours(actor=request.user, calendar=calendar, weekly=weekly)
        holidays = [(row["date"], row["name"]) for row in kept_rows(formsets, Holiday)]
        services.calendar_set_holidays(actor=request.user, calendar=calendar, holidays=holidays)
        return calendar

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
            raise PermissionDenied
        calendar = get_object_or_404(BusinessCalendar, pk=pk)
        form = HolidayImportForm(request.POST or request.GET or None, initial={"year": vendor_today().year + 1})
        found = None
        if form.is_bound and form.is_valid():
            try:
                candidates = services.public_holidays(**form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                if request.method == "POST" and "confirm" in request.POST:
                    picked = services.public_holidays_ticked(**form.cleaned_data, dates=request.POST.getlist("date"))
                    added = services.calendar_import_holidays(actor=request.user, calendar=calendar, holidays=picked)
                    self.message_user(request, f"Added {added} holidays to {calendar.name}.", messages.SUCCESS)
                    return redirect("admin:accounts_businesscalendar_change", calendar.pk)
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
class TierAdmin(AuditTrailMixin, ServiceAdmin):
    list_display = ["name", *ENTERPRISE_BENEFITS, "support_calendar"]
    list_select_related = ["support_calendar"]
    fieldsets = [
        (None, {"fields": ["name", "support_calendar"]}),
        ("Every tier", {"fields": EVERY_TIER_BENEFITS}),
        ("Enterprise benefits", {"fields": ENTERPRISE_BENEFITS}),
    ]

    def perform(self, request, form, formsets, change):
        values = {name: form.cleaned_data[name] for name in TIER_FIELDS}
        return services.tier_save(actor=request.user, tier=form.instance if change else None, values=values)


class ContractInline(HistoryInline):
    model = Contract
    fields = ["tier", "start_date", "end_date", "status", "created_by"]
    show_change_link = True


class TamAssignmentInline(HistoryInline):
    model = TamAssignment
    fields = ["primary", "backup", "valid_from", "valid_to", "assigned_by"]
    verbose_name_plural = "TAM history"


class CustomerUserInline(HistoryInline):
    model = User
    fields = ["email", "first_name", "last_name", "is_active"]
    verbose_name_plural = "Customer users"
    show_change_link = True


@admin.register(Account)
class AccountAdmin(AuditTrailMixin, ServiceAdmin):
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

    def perform(self, request, form, formsets, change):
        data = form.cleaned_data
        return services.account_save(
            actor=request.user,
            account=form.instance if change else None,
            name=data["name"],
            slug=data["slug"],
            calendar=data["calendar"],
        )

    @admin.display(description="Tier today")
    def tier_today(self, account):
        return account.tier_today or "–"

    @admin.display(description="Primary TAM")
    def primary_tam(self, account):
        return account.assignment.primary if account.assignment else "–"

    @admin.display(description="Backup TAM")
    def backup_tam(self, account):
        return account.assignment.backup if account.assignment else "–"


# --- Contracts, coverage, absences ----------------------------------------------------------------


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["account", "tier", "start_date", "end_date"]


@admin.register(Contract)
class ContractAdmin(AuditTrailMixin, ServiceAdmin):
    form = ContractForm
    list_display = ["account", "tier", "start_date", "end_date", "status", "created_by"]
    list_filter = ["tier", "status"]
    search_fields = ["account__name"]
    date_hierarchy = "start_date"
    list_select_related = ["account", "tier", "created_by"]
    autocomplete_fields = ["account"]
    actions = [row_action(services.contract_cancel, "contract", "Cancel the selected contracts (entered in error)")]

    def get_readonly_fields(self, request, obj=None):
        return ["account", "tier", "start_date", "status"] if obj else []

    def perform(self, request, form, formsets, change):
        data = form.cleaned_data
        if not change:
            return services.contract_create(
                actor=request.user,
                account=data["account"],
                tier=data["tier"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        if "end_date" in form.changed_data:
            return services.contract_end(actor=request.user, contract=form.instance, end_date=data["end_date"])
        return form.instance


class TamAssignmentForm(forms.ModelForm):
    class Meta:
        model = TamAssignment
        fields = ["account", "primary", "backup"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tams = User.objects.filter(groups__name=Role.TAM.value, is_active=True)
        for name in ("primary", "backup"):
            if name in self.fields:  # a past pair is shown read-only, without its form fields
                self.fields[name].queryset = tams


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

    def perform(self, request, form, formsets, change):
        data = form.cleaned_data
        return services.coverage_assign(
            actor=request.user, account=data["account"], primary=data["primary"], backup=data["backup"]
        )


class TamAbsenceForm(forms.ModelForm):
    class Meta:
        model = TamAbsence
        fields = ["tam", "starts_at", "ends_at", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tam" in self.fields:  # read-only once the absence is recorded
            self.fields["tam"].queryset = User.objects.filter(
                groups__name__in=[Role.TAM.value, Role.TAM_LEVEL.value], is_active=True
            ).distinct()


@admin.register(TamAbsence)
class TamAbsenceAdmin(AuditTrailMixin, ServiceAdmin):
    form = TamAbsenceForm
    list_display = ["tam", "starts_at", "ends_at", "note", "cancelled_at"]
    list_filter = [("cancelled_at", admin.EmptyFieldListFilter), "tam"]
    date_hierarchy = "starts_at"
    list_select_related = ["tam"]
    actions = [row_action(services.absence_cancel, "absence", "Cancel the selected absences (customers are told)")]

    def get_readonly_fields(self, request, obj=None):
        return ["tam", "cancelled_at"] if obj else ["cancelled_at"]

    def perform(self, request, form, formsets, change):
        data = form.cleaned_data
        times = {"starts_at": data["starts_at"], "ends_at": data["ends_at"], "note": data["note"]}
        if change:
            return services.absence_update(actor=request.user, absence=form.instance, **times)
        return services.absence_record(actor=request.user, tam=data["tam"], **times)


# --- People ---------------------------------------------------------------------------------------


class InvitationAdminForm(forms.ModelForm):
    """Adding a person here is an invitation, as on the portal's page: they choose their own password."""

    role = forms.ChoiceField(choices=Role.choices)

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "account"]


class UserAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(AuditTrailMixin, ServiceAdminMixin, BaseUserAdmin):
    audit_children = (("accounts.user_groups", "user_id"),)
    form = UserAdminForm
    add_form = InvitationAdminForm
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
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "role", "account"]})]
    filter_horizontal = ["groups"]

    def get_readonly_fields(self, request, obj=None):
        # A person changes their own address, proving the new one (accounts.emails).
        return ["email", "last_login", "date_joined"] if obj else []

    def perform(self, request, form, formsets, change):
        data = form.cleaned_data
        if not change:
            return services.user_invite(
                actor=request.user,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=Role(data["role"]),
                account=data["account"],
            )
        user = form.instance
        services.user_update(
            actor=request.user,
            user=user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            time_zone=data["time_zone"],
            is_active=data["is_active"],
        )
        roles = {Role(group.name) for group in data["groups"] if group.name in Role.values}
        return services.user_set_roles(actor=request.user, user=user, roles=roles, account=data["account"])
