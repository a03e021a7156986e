"""``manage.py seed_bench``: the benchmark vendor (``bench/seed/``). The command exists under the benchmark
settings only (``ess_portal.settings.bench`` installs ``bench`` as an app), like the rest of the benchmarks."""

import time

from django.core.management.base import BaseCommand

from bench.seed import seed_vendor


class Command(BaseCommand):
    help = "Fill an empty PostgreSQL database with a realistic vendor for the benchmarks (bench/run.py)."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=5_000)
        parser.add_argument("--tams", type=int, default=150)
        parser.add_argument("--cases", type=int, default=200_000)
        parser.add_argument("--ledger", type=int, default=1_000_000, help="Credit ledger rows, about.")
        parser.add_argument("--events", type=int, default=20_000)
        parser.add_argument("--releases", type=int, default=40)
        parser.add_argument("--quarters", type=int, default=8, help="Past quarters of reviews and credits.")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        began = time.monotonic()

        def log(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - began:6.1f} s] {message}")
            self.stdout.flush()

        seed_vendor(options=options, log=log)
        log(self.style.SUCCESS("bench data ready"))
