from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = "Planned maintenance"

    def ready(self):
        from accounts.signals import contract_changed, coverage_changed

        from .credits import on_contract_changed
        from .staffing import on_coverage_changed

        contract_changed.connect(on_contract_changed, dispatch_uid="maintenance-sync-credits")
        coverage_changed.connect(on_coverage_changed, dispatch_uid="maintenance-events-follow-coverage")
