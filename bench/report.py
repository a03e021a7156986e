"""Writes the results table of a full-scale run into docs/performance.md, between its two marker lines."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def write_performance_doc(results: dict) -> None:
    from bench.run import table

    data = results["data"]
    block = "\n".join(
        [
            START,
            f"Measured {results['when']} on {results['machine']['cores']} cores "
            f"(Python {results['machine']['python']}): "
            f"{data['accounts']:,} accounts, {data['cases']:,} cases ({data['base_cases']:,} in the baseline "
            f"database), about {data['ledger']:,} ledger rows, {data['events']:,} events. "
            f"Seed {results['seed_seconds']:.0f} s (0: reused), whole run {results['total_seconds']:.0f} s.",
            "",
            "| | what | baseline | subject | ratio | goal | met |",
            "|---|---|---|---|---|---|---|",
            "| P1 | query counts per request at 10 and 1,000 rows, automatic N+1 detection | see `tests/perf/` | | | "
            "fixed counts | see `tests/perf/` |",
            *table(results).splitlines()[2:],
            END,
        ]
    )
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    DOC.write_text(before + block + after)
