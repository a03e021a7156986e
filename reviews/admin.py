"""Configuration pages. Releases and the modules an account uses may be added and changed here, through the same
services as the portal's pages (a release's items are changed on its portal page). Previews and reviews follow
their lifecycle on the portal, so they are read-only here."""

from django import forms
from django.contrib import admin

from core.service_admin import ServiceAdmin

from . import services
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


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReleaseForm(forms.ModelForm):
    class Meta:
        model = Release
        fields = ["product", "version", "kind", "planned_date", "actual_date", "published", "notes"]


class ReleaseItemInline(_ReadOnly, admin.TabularInline):
    model = ReleaseItem
    extra = 0
    fields = ["kind", "title", "modules", "description"]


@admin.register(Release)
class ReleaseAdmin(ServiceAdmin):
    form = ReleaseForm
    list_display = ["__str__", "kind", "planned_date", "actual_date", "published"]
    list_filter = ["kind", "published", "product"]
    search_fields = ["product", "version", "notes"]
    ordering = ["product", "-major", "-minor", "-patch"]
    inlines = [ReleaseItemInline]

    def perform(self, request, form, formsets, change):
        values = {name: form.cleaned_data.get(name) for name in ReleaseForm.Meta.fields}
        if not change:
            return services.release_create(actor=request.user, **values)
        return services.release_update(actor=request.user, release=form.instance, **values)


@admin.register(AccountModules)
class AccountModulesAdmin(ServiceAdmin):
    list_display = ["account", "modules", "updated_at"]
    search_fields = ["account__name", "modules"]
    autocomplete_fields = ["account"]

    def perform(self, request, form, formsets, change):
        data = form.cleaned_data
        return services.account_modules_set(actor=request.user, account=data["account"], modules=data["modules"])


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
