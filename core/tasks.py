from celery import shared_task

from .outbox import outbox_deliver


@shared_task(name="accounts.deliver_outbox")
def deliver_outbox() -> dict:
    """Send due e-mail from the outbox (after each commit, and every minute for retries)."""
    total_sent = total_failed = 0
    while True:
        sent, failed = outbox_deliver()
        total_sent, total_failed = total_sent + sent, total_failed + failed
        if sent == 0:
            break
    return {"sent": total_sent, "failed": total_failed}
