"""Is the job service working? The web keeps serving without it (mail waits in the outbox, the cache misses),
but staff must know that SLA warnings, reminders and e-mails are on hold.

Two signs: the broker answers, and the every-minute SLA chaser has started recently (which also catches a
stopped worker or beat while the broker is fine).
"""

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import JobStatus

logger = logging.getLogger(__name__)

HEARTBEAT_TASK = "cases.chase_sla"  # scheduled every minute
STALE_AFTER = dt.timedelta(minutes=5)


def broker_reachable() -> tuple[str, bool]:
    """(kind of broker, whether it answers now)."""
    if settings.REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
            return "redis", bool(client.ping())
        except Exception:
            logger.warning("job queue: redis unreachable", exc_info=True)
            return "redis", False
    path = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", ""))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        logger.exception("job queue: broker folder unusable")
        return "filesystem", False
    return "filesystem", path.is_dir()


def job_service_problem(now: dt.datetime | None = None) -> str | None:
    """What staff should know about background jobs, or None when they run."""
    now = now or timezone.now()
    if not broker_reachable()[1]:
        return (
            "The job queue cannot be reached. SLA warnings, reminders and e-mails are on hold until it is back; "
            "nothing is lost, and the portal itself keeps working."
        )
    last = JobStatus.objects.filter(task=HEARTBEAT_TASK).values_list("last_started_at", flat=True).first()
    if last is None:
        return "Background jobs have not run yet: SLA warnings, reminders and e-mails wait for the worker."
    if now - last > STALE_AFTER:
        local = timezone.localtime(last)
        return (
            f"Background jobs have not run since {local:%Y-%m-%d %H:%M}. SLA warnings, reminders and e-mails "
            "are on hold until the worker is back."
        )
    return None
