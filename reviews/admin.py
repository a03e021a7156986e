"""Configuration pages. Releases and their items are catalogue data an admin may edit here (the version's
numbers are derived on save, as on the portal pages). Previews and reviews follow their lifecycle on the
portal, so they are read-only here."""

from django.contrib import admin

from .models import (
    AccountModules,
    Finding,
    InventoryRow,
    PreviewChase,
    PreviewSession,
    ProactiveReview,
    Recommendation,
    Release,
    ReleaseItem,
    ReviewQuarter,
)


class ReleaseItemInline(admin.TabularInline):
    model = ReleaseItem
    extra = 1
    fields = ["kind", "title", "modules", "description"]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "planned_date", "actual_date", "published"]
    list_filter = ["kind", "published", "product"]
    search_fields = ["product", "version", "notes"]
    ordering = ["product", "-major", "-minor", "-patch"]
    inlines = [ReleaseItemInline]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.previews.exists()


@admin.register(AccountModules)
class AccountModulesAdmin(admin.ModelAdmin):
    list_display = ["account", "modules", "updated_at"]
    search_fields = ["account__name", "modules"]
    autocomplete_fields = ["account"]


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PreviewSession)
class PreviewSessionAdmin(_ReadOnly, admin.ModelAdmin):
    """Previews are planned, changed, held and declined on the portal, never edited here."""

    list_display = ["scheduled_at", "account", "release", "tam", "status", "uses_replica"]
    list_filter = ["status", "release"]
    search_fields = ["account__name", "notes", "attendees"]
    list_select_related = ["account", "release", "tam"]
    date_hierarchy = "scheduled_at"


class FindingInline(_ReadOnly, admin.TabularInline):
    model = Finding
    extra = 0


class InventoryRowInline(_ReadOnly, admin.TabularInline):
    model = InventoryRow
    extra = 0


class RecommendationInline(_ReadOnly, admin.TabularInline):
    model = Recommendation
    extra = 0
    fields = ["text", "priority", "status", "updated_at"]
    readonly_fields = ["updated_at"]


@admin.register(ProactiveReview)
class ProactiveReviewAdmin(_ReadOnly, admin.ModelAdmin):
    """Reviews are created by the quarterly job and filled in by the TAM on the portal."""

    list_display = ["account", "quarter_start", "due_date", "tam", "status", "scheduled_at", "published_at"]
    list_filter = ["status", "quarter_start"]
    search_fields = ["account__name"]
    list_select_related = ["account", "tam"]
    inlines = [FindingInline, InventoryRowInline, RecommendationInline]


@admin.register(PreviewChase)
class PreviewChaseAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "release", "account", "tam"]
    list_select_related = ["release", "account", "tam"]


@admin.register(ReviewQuarter)
class ReviewQuarterAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["quarter_start", "applied_at", "created"]
