from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.seed import DEMO_PASSWORD, seed_coverage, seed_people
from audit.actors import acting
from cases.seed import seed_cases
from intake.seed import seed_intake
from maintenance.seed import seed_maintenance
from reviews.seed import seed_reviews
from value_reports.seed import seed_value_reports


class Command(BaseCommand):
    help = "Fill the database with believable demo data. Idempotent; refuses to run with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed even with DEBUG off (for a disposable demo or test database only).",
        )

    def handle(self, *args, allow_without_debug=False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError("seed_demo creates users with known passwords; it refuses to run with DEBUG off.")
        log = self.stdout.write
        # The audit trail names this command as the author of everything it writes.
        with transaction.atomic(), acting(lambda: (None, "demo data (seed_demo)")):
            log("Seeding people and accounts…")
            users = seed_people(log)
            log("Seeding tiers, contracts and TAM coverage…")
            seed_coverage(log, users)
            log("Seeding maintenance credits and events…")
            seed_maintenance(log, users)
            log("Seeding support cases…")
            seed_cases(log, users)
            log("Seeding mail in: cases opened by e-mail, and the triage list…")
            seed_intake(log, users)
            log("Seeding releases, previews and proactive reviews…")
            seed_reviews(log, users)
            log("Seeding contracts in each renewal state and the last quarters' value reports…")
            seed_value_reports(log, users)
        log(self.style.SUCCESS(f"Demo data ready. Every demo user's password: {DEMO_PASSWORD}"))
