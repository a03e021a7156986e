from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and coverage"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from . import emails, roles, sessions, signals  # noqa: F401 (emails, sessions: their signal receivers)
        from .models import Holiday, OpenInterval
        from .priority import on_contract_changed

        post_migrate.connect(roles.install_role_groups, sender=self)
        signals.contract_changed.connect(on_contract_changed, dispatch_uid="accounts-priority-today")
        sessions.replace_allauths_recorder()
        for model in (OpenInterval, Holiday):
            post_save.connect(
                signals.touch_calendar, sender=model, dispatch_uid=f"touch-calendar-save-{model.__name__}"
            )
            post_delete.connect(
                signals.touch_calendar, sender=model, dispatch_uid=f"touch-calendar-del-{model.__name__}"
            )
