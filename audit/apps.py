from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from . import actors, triggers

        connection_created.connect(triggers.prepare_connection)
        pre_migrate.connect(triggers.uninstall_before_migrate, sender=self)
        post_migrate.connect(triggers.install_after_migrate, sender=self)
        actors.connect_job_signals()
