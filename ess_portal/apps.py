from django.apps import AppConfig


class EssPortalConfig(AppConfig):
    name = "ess_portal"
    verbose_name = "ESS Portal"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import jobs, schedules

        post_migrate.connect(schedules.install_default_schedules, sender=self)
        jobs.connect()
