from django.db import models


class JobStatus(models.Model):
    """The last run of each Celery task, recorded by the worker: the admin overview shows it."""

    task = models.CharField(max_length=200, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_result = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["task"]
        verbose_name_plural = "job statuses"

    def __str__(self) -> str:
        return self.task
