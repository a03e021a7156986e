"""The audit trail: one row per inserted, changed or deleted row of an audited table.

Rows are written by database triggers (``audit/triggers.py``), not by model signals, so set-based jobs,
``QuerySet.update()``, ``bulk_create`` and raw SQL are recorded like any form save. The application never
writes here itself, and never changes or deletes a row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The trail is for portal admins only."""
        return self if getattr(user, "is_portal_admin", False) else self.none()

    def for_object(self, obj, children: tuple[tuple[str, str], ...] = ()):
        """The object's own changes and those of its parts: ``children`` names each part's model and the
        column pointing at the object (a calendar's opening hours, a user's roles)."""
        match = Q(model=obj._meta.label_lower, object_pk=str(obj.pk))
        for model, column in children:
            match |= Q(model=model) & (Q(**{f"after__{column}": obj.pk}) | Q(**{f"before__{column}": obj.pk}))
        return self.filter(match)


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        INSERT = "insert", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(help_text="When the database applied the change (UTC).")
    model = models.CharField(max_length=100, help_text="App label and model name, e.g. accounts.tier.")
    object_pk = models.CharField(max_length=64)
    action = models.CharField(max_length=6, choices=Action.choices)
    # No database constraint: the trail outlives the users it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=200, help_text="Who made the change: a user's e-mail, a job's name, or a direct database edit."
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["model", "object_pk", "-at"], name="audit_object_idx"),
            models.Index(fields=["-at"], name="audit_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.model} #{self.object_pk} by {self.actor_label}"

    def save(self, *args, **kwargs):
        raise TypeError("The audit trail is written by the database; it is never saved from the application.")

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is never deleted from the application.")

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each column that differs; every column for a creation or a deletion."""
        before, after = self.before or {}, self.after or {}
        names = list(dict.fromkeys([*before, *after]))
        if self.action == self.Action.UPDATE:
            names = [name for name in names if before.get(name) != after.get(name)]
        return [(name, before.get(name), after.get(name)) for name in names]
