from celery import shared_task


@shared_task(name="ess_portal.ping")
def ping() -> str:
    """A no-op a health check or a test sends through the broker to prove a worker is consuming."""
    return "pong"
