"""The benchmark suite: every figure a ratio against a baseline measured in the same run on the same machine.

    .venv/bin/python bench/run.py            # full scale (make bench): bench/results.json, docs/performance.md
    .venv/bin/python bench/run.py --quick    # small data, under a minute (make bench-quick)

It prepares its own PostgreSQL databases (``ess_bench`` and ``ess_bench_base``, or ``ess_bench_quick`` and
``ess_bench_quick_base``; never the development or test ones), seeded by ``manage.py seed_bench`` (``bench/seed/``)
and reused while the seed is from today with the same sizes. Pages and the API are measured through gunicorn with
the production settings (``ess_portal.settings.bench``: DEBUG off) on loopback, loaded by wrk for a bounded time
(``bench/server.py``, ``bench/pages.py``); the booking benchmark uses its own small client (``bench/booking.py``:
it needs rounds of simultaneous requests); the rest runs in-process (``bench/measure/``), one process per
measurement (``bench/in_process.py``).
"""

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[0] = str(ROOT)  # run as a script: the project's packages on the path, not this folder's modules

from bench import in_process, names  # noqa: E402
from bench.booking import p7_booking  # noqa: E402
from bench.databases import prepare  # noqa: E402
from bench.environment import REDIS_URL, in_django  # noqa: E402
from bench.pages import p2_queue_api, p2b_token, p6_case_list, p9_dashboard  # noqa: E402
from bench.profiles import BASE_CASES, FULL, QUICK, Profile  # noqa: E402
from bench.report import append_history, in_order, table, write_performance_doc  # noqa: E402
from bench.scale import scale_lines, scale_out  # noqa: E402
from bench.server import Server, Target  # noqa: E402


def run(profile: Profile, only: set[str], reseed: bool) -> dict:
    secret = secrets.token_urlsafe(64)
    (ROOT / "var").mkdir(exist_ok=True)
    began = time.monotonic()
    seed_seconds = prepare(profile, secret, reseed)
    wanted = lambda key: not only or key in only  # noqa: E731
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the benchmark's own Redis database: queued mail of earlier runs
    bookers = [names.customer(slug) for slug in names.booking_slugs()]
    people = [names.BUSIEST_CUSTOMER, names.SUPPORT, names.BIG_TAM, names.SMALL_TAM, *bookers]
    signed_in = in_django(profile.database, secret, "sessions", "--emails", ",".join(people))
    cookie = {email: f"sessionid={key}" for email, key in signed_in["sessions"].items()}
    header = {email: f"Cookie: {value}" for email, value in cookie.items()}
    base_session = in_django(profile.base_database, secret, "sessions", "--emails", names.SUPPORT)
    base_header = "Cookie: sessionid=" + base_session["sessions"][names.SUPPORT]
    measured = []

    server = Server(profile.database, secret)
    base_server = Server(profile.base_database, secret) if wanted("P6") else None
    try:
        if wanted("P2"):
            viewers = {"customer": header[names.BUSIEST_CUSTOMER], "support": header[names.SUPPORT]}
            measured.append(("P2", p2_queue_api(server, viewers, signed_in["busiest_cases"], profile)))
        if wanted("P2B"):
            token = f"Authorization: Bearer {signed_in['token']}"
            measured.append(("P2b", p2b_token(server, header[names.BUSIEST_CUSTOMER], token, profile)))
        if wanted("P6"):
            base = Target(base_server, "/cases/", base_header)
            measured.append(("P6", p6_case_list(base, server, header[names.SUPPORT], profile)))
        if wanted("P9"):
            measured.append(("P9", p9_dashboard(server, header[names.SMALL_TAM], header[names.BIG_TAM], profile)))
        if wanted("P7"):
            clients = [cookie[email] for email in bookers]
            measured.append(("P7", p7_booking(server, clients, signed_in["csrf"], profile)))
    finally:
        server.stop()
        if base_server:
            base_server.stop()
    scale = scale_out(profile, secret, header[names.SUPPORT]) if wanted("SCALE") else []
    for key, measurement in in_process.MEASUREMENTS.items():
        if wanted(key):
            measured.append((key, measurement(profile, secret)))
    return {
        "profile": profile.name,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "data": {**profile.seed, "base_cases": BASE_CASES},
        "seed_seconds": round(seed_seconds, 1),
        "total_seconds": round(time.monotonic() - began, 1),
        "rows": in_order([figures_row for _, (figures_row, _) in measured]),
        "raw": {key: raw for key, (_, raw) in measured},
        "scale": scale,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small data, a few seconds per measurement")
    parser.add_argument("--reseed", action="store_true", help="seed again even if today's seed is there")
    parser.add_argument("--only", default="", help="comma-separated rows to measure, e.g. P2,P6 (SCALE: scale-out)")
    parser.add_argument("--output", type=Path, help="where the JSON results go")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench does it)")
    profile = QUICK if args.quick else FULL
    only = {key.strip().upper() for key in args.only.split(",") if key.strip()}
    results = run(profile, only, args.reseed)
    output = (args.output or profile.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(table(results))
    print("\n".join(scale_lines(results)))
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    print(f"\n{results['profile']} run: {results['total_seconds']:.0f} s; results in {shown}")
    if not args.quick and not only:
        append_history(results)
        write_performance_doc(results)
        print("bench/history.jsonl and docs/performance.md updated")
    if results["raw"].get("P7") and not results["raw"]["P7"]["exact"]:
        raise SystemExit("P7: a round did not give exactly one successful booking per credit")


if __name__ == "__main__":
    main()
