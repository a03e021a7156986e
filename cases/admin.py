from django.contrib import admin

from audit.admin import AuditTrailMixin
from core.service_admin import ServiceAdmin, kept_rows

from .models import Case, Escalation, Milestone, SlaPolicy, SlaTarget
from .policies import TARGET_FIELDS, policy_save


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0
    fields = TARGET_FIELDS


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditTrailMixin, ServiceAdmin):
    """Targets per tier. Editing a target applies to clocks that start afterwards; running ones keep theirs.
    Saved through ``policy_save``."""

    audit_children = (("cases.slatarget", "policy_id"),)
    list_display = ["tier", "warn_at_percent"]
    inlines = [SlaTargetInline]

    def perform(self, request, form, formsets, change):
        rows = [{**row, "id": row["id"].pk if row.get("id") else None} for row in kept_rows(formsets, SlaTarget)]
        return policy_save(
            actor=request.user,
            policy=form.instance if change else None,
            tier=form.cleaned_data["tier"],
            warn_at_percent=form.cleaned_data["warn_at_percent"],
            targets=rows,
        )


@admin.register(Case)
class CaseAdmin(AuditTrailMixin, admin.ModelAdmin):
    audit_children = (("cases.milestone", "case_id"), ("cases.escalation", "case_id"))
    """Cases are worked in the portal; here they can be looked up."""

    list_display = ["id", "subject", "account", "severity", "status", "assignee", "created_at"]
    list_filter = ["status", "severity", "channel"]
    search_fields = ["subject", "account__name"]
    list_select_related = ["account", "assignee"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Milestone)
class MilestoneAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["case", "name", "started_at", "due_at", "met_at", "breached_at", "warned_at"]
    list_filter = ["meet_event", "clock", ("met_at", admin.EmptyFieldListFilter)]
    list_select_related = ["case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["case", "escalated_to", "escalated_at", "acknowledged_at", "superseded_at"]
    list_select_related = ["case", "escalated_to"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
