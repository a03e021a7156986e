"""Pages and the API under load (P2, P6, P9): a subject against a baseline served by the same gunicorn, in turns.

Each measurement returns its row of the table and its raw figures.
"""

from bench.environment import log
from bench.profiles import BASE_CASES, Profile
from bench.report import row
from bench.server import Server, Target, paired


def p2_queue_api(server: Server, viewers: dict[str, str], busiest_cases: int, profile: Profile) -> tuple[dict, dict]:
    """The cases API in queue order as each viewer (``{"customer": header, "support": header}``) against the
    hello-world view as the same viewer: both must reach half its throughput and at most twice its p95."""
    figures, parts, worst_throughput, met = {}, [], None, True
    for who, header in viewers.items():
        log(f"P2 cases API as {who} vs an authenticated hello-world view")
        measured = paired(Target(server, "/bench/hello/", header), Target(server, "/api/v1/cases/", header), profile)
        throughput, p95 = measured["ratios"]["throughput"], measured["ratios"]["p95_ms"]
        figures[who] = measured
        worst_throughput = throughput if worst_throughput is None else min(worst_throughput, throughput)
        met = met and throughput >= 0.5 and p95 <= 2
        parts.append(f"{who}: throughput {throughput:.2f}×, p95 {p95:.2f}×")
    hello, queue = figures["customer"]["baseline"], figures["customer"]["subject"]
    staff = figures["support"]["subject"]
    return row(
        "P2",
        "cases API (`/api/v1/cases/`, 50 rows in queue order) as the customer of the busiest account "
        f"(its {busiest_cases:,} cases) and as support staff (every case) vs an authenticated hello-world JSON view",
        f"{hello['throughput']:.0f} req/s, p95 {hello['p95_ms']:.1f} ms",
        f"customer {queue['throughput']:.0f} req/s, p95 {queue['p95_ms']:.1f} ms; "
        f"support {staff['throughput']:.0f} req/s, p95 {staff['p95_ms']:.1f} ms",
        worst_throughput,
        met,
        "; ".join(parts),
    ), figures


def p2b_token(server: Server, session: str, token: str, profile: Profile) -> tuple[dict, dict]:
    log("P2b cases API with an API token vs the same user's session")
    figures = paired(Target(server, "/api/v1/cases/", session), Target(server, "/api/v1/cases/", token), profile)
    return _p95_row("P2b", "cases API p95 with an API token vs the same customer's session", figures, 1.1), figures


def p6_case_list(base: Target, server: Server, header: str, profile: Profile) -> tuple[dict, dict]:
    cases = profile.seed["cases"]
    log(f"P6 case list page: {cases:,} cases vs the newest {BASE_CASES:,}")
    figures = paired(base, Target(server, "/cases/", header), profile)
    what = f"case list page (the staff queue) p95 with {cases:,} cases vs {BASE_CASES:,}"
    return _p95_row("P6", what, figures, 1.2), figures


def p9_dashboard(server: Server, small_tam: str, big_tam: str, profile: Profile) -> tuple[dict, dict]:
    log("P9 TAM dashboard: 200 accounts vs 5")
    figures = paired(Target(server, "/", small_tam), Target(server, "/", big_tam), profile)
    return _p95_row("P9", "TAM dashboard p95, 200 accounts vs 5", figures, 2), figures


def _p95_row(key: str, what: str, figures: dict, most: float) -> dict:
    """A page's row: the subject's p95 over the baseline's, at most ``most``; the medians in the note."""
    small, big = figures["baseline"], figures["subject"]
    ratio = figures["ratios"]["p95_ms"]
    return row(
        key,
        what,
        f"{small['p95_ms']:.1f} ms",
        f"{big['p95_ms']:.1f} ms",
        ratio,
        ratio <= most,
        f"median {big['p50_ms']:.1f} ms vs {small['p50_ms']:.1f} ms ({figures['ratios']['p50_ms']:.2f}×)",
    )
