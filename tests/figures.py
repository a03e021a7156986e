"""Figures the suite measures (routes × actors, fuzz requests, concurrency results...), printed where they are
measured and collected for the summary at the end of `.ci/run`.

Each figure has a key; when a test is run again its figure replaces the earlier one in the summary.
"""

import os
from pathlib import Path


def record(key: str, line: str) -> None:
    """Print one figure and, when ESS_FIGURES_FILE is set, add it to the run's summary file."""
    print(f"\n{line}")
    path = os.environ.get("ESS_FIGURES_FILE")
    if path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as out:
            out.write(f"{key}\t{' '.join(line.split())}\n")


def summary(path: str | os.PathLike) -> list[str]:
    """The last line recorded under each key, in the order the keys first appeared."""
    lines: dict[str, str] = {}
    source = Path(path)
    if source.exists():
        for row in source.read_text(encoding="utf-8").splitlines():
            key, _, line = row.partition("\t")
            lines[key] = line
    return list(lines.values())
