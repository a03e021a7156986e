from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Support cases"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from accounts.coverage import register_open_escalation_counter

        from . import tally, urgency

        for triggers in (urgency, tally):
            pre_migrate.connect(triggers.uninstall_before_migrate, sender=self)
            post_migrate.connect(triggers.install_after_migrate, sender=self)

        from .escalations import open_escalation_counts

        register_open_escalation_counter(open_escalation_counts)
