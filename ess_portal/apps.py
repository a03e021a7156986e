from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class EssPortalConfig(AppConfig):
    name = "ess_portal"
    verbose_name = "ESS Portal"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import jobs, schedules

        post_migrate.connect(schedules.install_default_schedules, sender=self)
        jobs.connect()


class ConfigurationAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, with the portal's configuration site as the default site."""

    default = False
    default_site = "ess_portal.admin_site.ConfigurationSite"
