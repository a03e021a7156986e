"""The two sizes of a run: full scale (``make bench``) and quick (``make bench-quick``, the same rows on small data)."""

from dataclasses import dataclass
from pathlib import Path

from bench.environment import ROOT

BASE_CASES = 1_000  # the case-list baseline: the newest 1,000 cases of the same vendor


@dataclass(frozen=True)
class Profile:
    name: str
    database: str
    seed: dict
    wrk_seconds: int
    warmup_seconds: int
    turns: int
    rollover_accounts: int
    rollover_small: int
    due_milestones: int
    repeat: int
    booking_rounds: int
    mail_messages: int
    webhook_events: int
    growth_contracts: tuple[int, int]
    output: Path

    @property
    def base_database(self) -> str:
        """The baseline database: the same vendor with only its newest ``BASE_CASES`` cases."""
        return f"{self.database}_base"


# Each size: (full, quick).
SEED = {  # the options of seed_bench, in this order on its command line
    "accounts": (5_000, 420),
    "tams": (150, 10),
    "cases": (200_000, 5_000),
    "ledger": (1_000_000, 20_000),
    "events": (20_000, 500),
    "releases": (40, 10),
    "quarters": (8, 8),
}
MEASURE = {
    "wrk_seconds": (3, 2),
    "warmup_seconds": (2, 0),
    "turns": (5, 1),
    "rollover_accounts": (100_000, 5_000),
    "rollover_small": (1_000, 500),
    "due_milestones": (1_000, 200),
    "repeat": (3, 2),
    "booking_rounds": (10, 1),
    "mail_messages": (1_000, 200),
    "webhook_events": (10_000, 300),  # each to 3 receivers
    "growth_contracts": ((100_000, 1_000), (5_000, 50)),  # (subject, baseline)
}


def _profile(column: int, name: str, database: str, output: Path) -> Profile:
    return Profile(
        name=name,
        database=database,
        seed={key: sizes[column] for key, sizes in SEED.items()},
        output=output,
        **{key: sizes[column] for key, sizes in MEASURE.items()},
    )


FULL = _profile(0, "full", "ess_bench", ROOT / "bench" / "results.json")
QUICK = _profile(1, "quick", "ess_bench_quick", ROOT / "test-artifacts" / "bench-quick.json")
