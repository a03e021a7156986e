from django.contrib import admin

from audit.admin import AuditTrailMixin

from .models import Case, Escalation, Milestone, SlaPolicy, SlaTarget


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0
    fields = [
        "name",
        "start_event",
        "meet_event",
        "severity",
        "duration",
        "clock",
        "calendar",
        "paused_while_waiting",
        "is_example",
        "active",
    ]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditTrailMixin, admin.ModelAdmin):
    audit_children = (("cases.slatarget", "policy_id"),)
    """Targets per tier. Editing a target applies to clocks that start afterwards; running ones keep theirs."""

    list_display = ["tier", "warn_at_percent"]
    inlines = [SlaTargetInline]


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
