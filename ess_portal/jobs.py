"""Record each task's last start, success and failure (Celery signals, in the worker)."""

from django.utils import timezone


def _record(task_name: str, **fields) -> None:
    from .models import JobStatus

    try:
        JobStatus.objects.update_or_create(task=task_name, defaults=fields)
    except Exception:  # the job's own outcome must never depend on its bookkeeping
        import logging

        logging.getLogger(__name__).exception("could not record the status of %s", task_name)


def task_started(sender=None, task=None, **kwargs):
    _record(task.name, last_started_at=timezone.now())


def task_succeeded(sender=None, result=None, **kwargs):
    _record(sender.name, last_succeeded_at=timezone.now(), last_result=str(result)[:500])


def task_failed(sender=None, exception=None, **kwargs):
    _record(sender.name, last_failed_at=timezone.now(), last_error=f"{type(exception).__name__}: {exception}"[:2000])


def connect() -> None:
    from celery.signals import task_failure, task_prerun, task_success

    task_prerun.connect(task_started, weak=False, dispatch_uid="ess-job-started")
    task_success.connect(task_succeeded, weak=False, dispatch_uid="ess-job-succeeded")
    task_failure.connect(task_failed, weak=False, dispatch_uid="ess-job-failed")
