"""The audit trail in the configuration site: a filterable list of every change, and each audited object's
own trail behind its "History" button."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from .models import AuditEvent

OBJECT_TRAIL_LIMIT = 500


def changes_table(event: AuditEvent):
    rows = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
        (
            (name, "—" if before is None else before, "—" if after is None else after)
            for name, before, after in event.changes()
        ),
    )
    return format_html(
        "<table><thead><tr><th>Field</th><th>Before</th><th>After</th></tr></thead><tbody>{}</tbody></table>", rows
    )


class AuditTrailMixin:
    """Put first in an audited model's admin: its History page shows the object's audit trail.

    ``audit_children`` lists the object's parts whose changes belong to its trail, as (model label, column).
    """

    audit_children: tuple[tuple[str, str], ...] = ()

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = AuditEvent.objects.for_object(obj, self.audit_children).select_related("actor")
        query = urlencode({"model": obj._meta.label_lower, "object_pk": obj.pk})
        context = {
            **self.admin_site.each_context(request),
            "title": f"Audit trail: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "events": [(event, changes_table(event)) for event in events[:OBJECT_TRAIL_LIMIT]],
            "limit": OBJECT_TRAIL_LIMIT,
            "full_list_url": f"{reverse('admin:audit_auditevent_changelist')}?{query}",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit/object_trail.html", context)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "model", "object_pk", "actor_label", "changed_fields"]
    list_filter = ["model", "action", ("at", admin.DateFieldListFilter)]
    search_fields = ["=object_pk", "actor_label"]
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    fields = ["at", "action", "model", "object_pk", "actor", "actor_label", "changes"]
    readonly_fields = fields

    @admin.display(description="Changed")
    def changed_fields(self, event: AuditEvent) -> str:
        return ", ".join(name for name, _, _ in event.changes())

    @admin.display(description="Changes")
    def changes(self, event: AuditEvent):
        return changes_table(event)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
