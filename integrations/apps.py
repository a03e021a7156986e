from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Other systems' ways in and out: API tokens and outbound webhooks. It listens to the domain events the
    feature apps publish (``core.events``); no feature app imports it."""

    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        from core.events import subscribe

        from . import authentication  # noqa: F401  (registers the token scheme of the OpenAPI schema)
        from .delivery import enqueue

        subscribe(enqueue)
