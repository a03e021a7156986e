from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses and no domain owns: errors, page actions, API base classes, permission primitives,
    state tables, the mail outbox and vendor-specific SQL. It imports no app of the portal."""

    name = "core"
    verbose_name = "Core"
