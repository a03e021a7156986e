from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Support cases"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from accounts.coverage import register_open_escalation_counter

        from . import tally, urgency

        for kept in (urgency, tally):
            pre_migrate.connect(kept.TRIGGERS.uninstall_before_migrate, sender=self, weak=False)
            post_migrate.connect(kept.TRIGGERS.install_after_migrate, sender=self, weak=False)

        from .escalations import open_escalation_counts

        register_open_escalation_counter(open_escalation_counts)
