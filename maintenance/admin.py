from django import forms
from django.contrib import admin

from audit.admin import AuditTrailMixin
from core.service_admin import ServiceAdmin

from .ledger import credit_adjust
from .models import CalendarFeed, CreditEntry, MaintenanceEvent, QuarterRollover


class AdjustmentForm(forms.ModelForm):
    """The only way to write to the ledger from here: an adjustment, with a reason (``credit_adjust`` decides)."""

    class Meta:
        model = CreditEntry
        fields = ["account", "available_delta", "reason"]
        labels = {"available_delta": "Credits to add (negative to remove)"}
        widgets = {"reason": forms.TextInput(attrs={"size": 80})}


@admin.register(CreditEntry)
class CreditEntryAdmin(ServiceAdmin):
    """The ledger, read-only: rows are never changed or deleted. "Add" records an adjustment."""

    form = AdjustmentForm
    list_display = [
        "created_at",
        "account",
        "kind",
        "available_delta",
        "reserved_delta",
        "quarter_start",
        "cause",
        "reason",
    ]
    list_filter = ["kind", "cause", "quarter_start"]
    search_fields = ["account__name", "reason"]
    list_select_related = ["account"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["account"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def perform(self, request, form, formsets, change):
        data = form.cleaned_data
        return credit_adjust(
            actor=request.user, account=data["account"], amount=data["available_delta"], reason=data["reason"]
        )


@admin.register(MaintenanceEvent)
class MaintenanceEventAdmin(AuditTrailMixin, admin.ModelAdmin):
    """Events are changed through their lifecycle (pages and API), never edited here."""

    list_display = ["starts_at", "account", "scope", "status", "performing_tam", "critical"]
    list_filter = ["status", "scope", "critical"]
    search_fields = ["account__name", "description"]
    list_select_related = ["account", "performing_tam"]
    date_hierarchy = "starts_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterRollover)
class QuarterRolloverAdmin(admin.ModelAdmin):
    list_display = ["quarter_start", "applied_at", "granted", "forfeited"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["tam", "account", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    exclude = ["token"]

    def has_add_permission(self, request):
        return False
