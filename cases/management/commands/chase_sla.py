import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cases.chaser import sla_chase


class Command(BaseCommand):
    help = "Warn before SLA breaches, mark breaches and re-escalate unacknowledged escalations, once each."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO date-time with offset to chase as of (default: now)")

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError as error:
                raise CommandError(f"--now takes an ISO date-time, e.g. 2026-12-04T17:00-07:00: {error}") from error
            if moment.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-12-04T17:00-07:00")
        report = sla_chase(now=moment)
        self.stdout.write(
            self.style.SUCCESS(
                f"Warned {report.warned}, breached {report.breached}, re-escalated {report.reescalated}."
            )
        )
