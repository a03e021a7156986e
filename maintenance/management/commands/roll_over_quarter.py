import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from accounts.quarters import Quarter
from maintenance.credits import quarter_roll_over


class Command(BaseCommand):
    help = (
        "Grant each eligible account its quarterly maintenance events, cap balances at the bank and forfeit the "
        "excess, for every quarter start up to --as-of not yet applied. Safe to run again or concurrently."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today in the vendor time zone)")
        parser.add_argument("--since", help="YYYY-MM-DD: replay from the quarter of this date (a first install)")

    def handle(self, *args, as_of=None, since=None, **options):
        try:
            as_of_date = dt.date.fromisoformat(as_of) if as_of else None
            since_quarter = Quarter.of(dt.date.fromisoformat(since)) if since else None
        except ValueError as error:
            raise CommandError(f"Dates are YYYY-MM-DD: {error}") from error
        report = quarter_roll_over(as_of=as_of_date, since=since_quarter)
        for quarter in report.quarters:
            self.stdout.write(f"  applied {quarter}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Granted {report.granted}, forfeited {report.forfeited_over_cap} over the bank cap and "
                f"{report.forfeited_ineligible} no longer eligible."
            )
        )
