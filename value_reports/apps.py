from django.apps import AppConfig


class ValueReportsConfig(AppConfig):
    name = "value_reports"
    verbose_name = "Contracts over time and value reports"
    default_auto_field = "django.db.models.BigAutoField"
