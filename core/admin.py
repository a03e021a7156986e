from django.contrib import admin

from .models import OutboxMessage


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting"), ("sent", "Sent"), ("failed", "Failed")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "failed":
            return queryset.filter(failed_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Mail waiting, sent or given up: read-only, to see what went out, what is being retried and what could
    not be sent, and why. Bodies are shown as stored: set-password links and sign-in codes are withheld."""

    list_display = ["created_at", "to", "subject", "state", "attempts", "sent_at", "failed_at", "last_error"]
    list_filter = [StateFilter]
    search_fields = ["to", "subject", "message_id"]
    fields = [
        "to",
        "subject",
        "body",
        "message_id",
        "created_at",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "failed_at",
        "last_error",
    ]
    readonly_fields = fields

    @admin.display(description="state")
    def state(self, message: OutboxMessage) -> str:
        return message.state

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
