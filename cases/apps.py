from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Support cases"

    def ready(self):
        from accounts.coverage import register_open_escalation_counter

        from .services import open_escalation_counts

        register_open_escalation_counter(open_escalation_counts)
