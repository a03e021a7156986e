"""Scale-out on one machine: the queue API as support staff (every case) served by 1, 2 and 4 gunicorn workers, each
loaded with twice as many connections as workers, and the PostgreSQL connections each needs (a sync worker keeps
one for ``CONN_MAX_AGE`` seconds). Where throughput stops growing, the machine's cores are saturated: more workers,
then more machines (``docker-compose up --scale web=N``), each needing its own connections. Webhook delivery with one
and two workers is part of P11."""

from bench.databases import connect
from bench.environment import log
from bench.profiles import Profile
from bench.server import Server, check_page, wrk

WORKERS = (1, 2, 4)
PATH = "/api/v1/cases/"


def _connections(database: str) -> int:
    """Connections open on ``database`` from other processes than this one."""
    with connect(database) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
        )
        return cursor.fetchone()[0]


def scale_out(profile: Profile, secret: str, header: str) -> list[dict]:
    results = []
    for workers in WORKERS:
        log(f"scale-out: the queue API as support with {workers} gunicorn worker(s)")
        server = Server(profile.database, secret, workers=workers)
        try:
            for _ in range(3 * workers):  # each worker's first requests fill its caches
                check_page(server, PATH, header)
            connections = 2 * workers
            wrk(server, PATH, header, max(1, profile.warmup_seconds), connections)
            runs = [wrk(server, PATH, header, profile.wrk_seconds, connections) for _ in range(profile.turns)]
            database_connections = _connections(profile.database)
        finally:
            server.stop()
        best = max(runs, key=lambda figures: figures["throughput"])
        results.append(
            {
                "workers": workers,
                "connections": connections,
                "throughput": round(best["throughput"], 1),
                "p95_ms": round(best["p95_ms"], 1),
                "database_connections": database_connections,
            }
        )
    one = results[0]["throughput"]
    for result in results:
        result["speed_up"] = round(result["throughput"] / one, 2)
    return results


def scale_lines(results: dict) -> list[str]:
    """The scale-out table for docs/performance.md, with P11's two webhook workers."""
    scale = results.get("scale")
    if not scale:
        return []
    lines = [
        "",
        "Scale-out on this machine: the queue API as support staff, gunicorn workers on the same database "
        "(best of the turns; wrk with twice as many connections as workers).",
        "",
        "| gunicorn workers | req/s | p95 | vs one worker | PostgreSQL connections held |",
        "|---|---|---|---|---|",
    ]
    for row in scale:
        lines.append(
            f"| {row['workers']} | {row['throughput']:.0f} | {row['p95_ms']:.1f} ms | {row['speed_up']:.2f}× | "
            f"{row['database_connections']} |"
        )
    webhooks = results.get("raw", {}).get("P11")
    if webhooks:
        lines += [
            "",
            f"Webhook delivery (P11): one worker {webhooks['one_worker_per_s']:.0f} messages/s, two workers at once "
            f"{webhooks['two_workers_per_s']:.0f}/s, every message delivered with exactly one try: "
            f"{'yes' if webhooks['exactly_once'] else 'NO'}.",
        ]
    return lines
