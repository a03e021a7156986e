from celery import shared_task

from .mailbox import mailbox_poll


@shared_task(name="intake.poll_mailbox")
def poll_mailbox() -> dict:
    """Every minute: file what waits in ``INBOUND_EMAIL_URL``'s folder (nothing to do when it is not set)."""
    return mailbox_poll().as_dict()
