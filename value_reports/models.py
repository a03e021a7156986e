"""The quarterly ESS value report of an account: its figures computed once, at generation, and kept as they were."""

from django.conf import settings
from django.db import models

from accounts.models import Account, AppliedQuarter
from accounts.quarters import Quarter

from .figures import FiguresEncoder
from .querysets import ValueReportQuerySet


class ValueReport(models.Model):
    """What an account's Enterprise tier delivered in one quarter (``figures``, see ``value_reports.gather``), with
    the previous quarter's for comparison. One per account and quarter, however often or concurrently the job runs."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="value_reports")
    quarter_start = models.DateField()
    tier_name = models.CharField(max_length=60, help_text="The tier of the account's contract at the quarter's end.")
    figures = models.JSONField(encoder=FiguresEncoder)
    generated_at = models.DateTimeField()
    generation_ms = models.PositiveIntegerField(default=0, help_text="How long the run took per report.")
    run = models.UUIDField(help_text="The job run that made it.")

    objects = ValueReportQuerySet.as_manager()

    class Meta:
        ordering = ["-quarter_start", "account__name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "quarter_start"], name="value_report_one_per_account_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.account} · value report {self.quarter.label}"

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.quarter_start)


class ValueReportRun(AppliedQuarter):
    """A quarter start at which the job has produced the reports of the quarter before (catch-up marker)."""

    created = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Value reports made at {self.quarter_start:%Y-%m-%d}"


class ReportSubscription(models.Model):
    """A customer user who asked to receive their account's value report by e-mail each quarter."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscription")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} receives the value report"
