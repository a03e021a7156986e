from celery import shared_task

from .delivery import deliver_due


@shared_task(name="integrations.deliver_webhooks", ignore_result=True)
def deliver_webhooks() -> int:
    """Send the webhook messages that are due (every minute, and after each change that wrote one)."""
    return deliver_due()
