"""P7, booking under contention: rounds of simultaneous bookings on one account, with a small client of its own
(wrk cannot send rounds of requests at once with distinct slots and count the successes)."""

import concurrent.futures
import datetime as dt
import http.client
import json
import statistics
import threading
import time
from zoneinfo import ZoneInfo

from bench.databases import connect
from bench.environment import log
from bench.names import BOOKING_ACCOUNT, BOOKING_ACCOUNTS, booking_slugs
from bench.profiles import Profile
from bench.report import row
from bench.server import Server

BOOKING_CLIENTS = BOOKING_ACCOUNTS  # one client per booking account when they book side by side
BOOKING_CREDITS = 2


def booking_slots(count: int) -> list[dt.datetime]:
    """Weekend slots (3-hour blocks, Denver time) from three weeks ahead: outside support hours, enough notice."""
    zone = ZoneInfo("America/Denver")
    day = dt.date.today() + dt.timedelta(days=21)
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    slots = []
    for k in range(count):
        week, block = divmod(k, 16)
        date = saturday + dt.timedelta(days=7 * week + (block >= 8))
        slots.append(dt.datetime.combine(date, dt.time(3 * (block % 8)), tzinfo=zone))
    return slots


def booking_accounts_ready(database: str, credits: dict[str, int]) -> None:
    """Withdraw the events earlier rounds left, and give each booking account exactly its credits to book with."""
    connection = connect(database)
    try:
        with connection, connection.cursor() as cursor:
            for slug, wanted in credits.items():
                cursor.execute("SELECT id FROM accounts_account WHERE slug = %s", [slug])
                account = cursor.fetchone()[0]
                cursor.execute(
                    "UPDATE maintenance_maintenanceevent SET status = 'cancelled', cancelled_at = now(), "
                    "cancel_reason = 'Benchmark round over' "
                    "WHERE account_id = %s AND status IN ('requested', 'confirmed')",
                    [account],
                )
                cursor.execute(
                    "SELECT COALESCE(SUM(available_delta), 0) FROM maintenance_creditentry WHERE account_id = %s",
                    [account],
                )
                missing = wanted - cursor.fetchone()[0]
                if missing:
                    cursor.execute(
                        "INSERT INTO maintenance_creditentry (account_id, kind, available_delta, reserved_delta, "
                        "cause, reason, created_at) VALUES (%s, 'adjustment', %s, 0, '', 'Benchmark round', now())",
                        [account, missing],
                    )
    finally:
        connection.close()


def book(port: int, cookie: str, csrf: str, starts_at: dt.datetime) -> tuple[int, float]:
    body = json.dumps(
        {
            "scope": "maintenance_release",
            "description": "Apply the maintenance release.",
            "starts_at": starts_at.isoformat(),
            "duration_minutes": 60,
        }
    )
    headers = {"Cookie": f"{cookie}; csrftoken={csrf}", "X-CSRFToken": csrf, "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    began = time.perf_counter()
    connection.request("POST", "/api/v1/events/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - began
    connection.close()
    return response.status, elapsed


def rounds_of_bookings(server: Server, database: str, cookies: list[str], csrf: str, rounds: int) -> dict:
    """Rounds of 20 bookings holding 2 credits between them, three ways: on one account one after another (the
    baseline), on one account all at once (the subject), and at once on 20 accounts, 2 of which hold a credit (the
    same work without the account lock). Every round must give exactly one success per credit."""
    slugs = booking_slugs()
    one_account = {BOOKING_ACCOUNT: BOOKING_CREDITS}
    spread = {slug: int(n < BOOKING_CREDITS) for n, slug in enumerate(slugs)}
    slots = iter(booking_slots(3 * rounds * BOOKING_CLIENTS))
    modes = {"one": (one_account, False), "many": (one_account, True), "spread": (spread, True)}
    latencies = {mode: [] for mode in modes}
    successes = {mode: [] for mode in modes}
    pool = concurrent.futures.ThreadPoolExecutor(BOOKING_CLIENTS)
    for _ in range(rounds):
        for mode, (credits, together) in modes.items():
            booking_accounts_ready(database, credits)
            clients = [cookies[n] if mode == "spread" else cookies[0] for n in range(BOOKING_CLIENTS)]
            requests = [(cookie, next(slots)) for cookie in clients]
            if not together:
                answers = [book(server.port, cookie, csrf, slot) for cookie, slot in requests]
            else:
                start = threading.Barrier(BOOKING_CLIENTS)

                def client(request, start=start):
                    start.wait()
                    return book(server.port, request[0], csrf, request[1])

                answers = list(pool.map(client, requests))
            unexpected = [status for status, _ in answers if status not in (201, 400)]
            if unexpected:
                raise SystemExit(f"P7: bookings answered {unexpected}; see the gunicorn log")
            latencies[mode] += [seconds for _, seconds in answers]
            successes[mode].append(sum(status == 201 for status, _ in answers))
    pool.shutdown()
    booking_accounts_ready(database, {slug: 0 for slug in slugs} | one_account)

    def p95(values):
        return statistics.quantiles(values, n=20)[-1] * 1000

    return {
        **{f"{mode}_p95_ms": p95(values) for mode, values in latencies.items()},
        **{f"{mode}_median_ms": statistics.median(values) * 1000 for mode, values in latencies.items()},
        "successes_per_round": successes,
        "credits_per_round": BOOKING_CREDITS,
        "rounds": rounds,
    }


def p7_booking(server: Server, cookies: list[str], csrf: str, profile: Profile) -> tuple[dict, dict]:
    """The cost of the account lock: the same 20 simultaneous bookings on one account (serialised by its lock)
    against 20 accounts side by side (no lock shared). The machine's cores serve both alike, so the ratio is the
    lock's own cost; one after another on one account is kept in the note as the single-request latency."""
    log("P7 booking: 20 clients at once on one account vs on 20 accounts")
    booking = rounds_of_bookings(server, profile.database, cookies, csrf, profile.booking_rounds)
    done = booking["successes_per_round"]
    exact = booking["exact"] = all(n == BOOKING_CREDITS for counts in done.values() for n in counts)
    lock = booking["many_p95_ms"] / booking["spread_p95_ms"]
    return row(
        "P7",
        f"booking p95, {BOOKING_CLIENTS} clients at once on one account holding {BOOKING_CREDITS} credits vs the "
        f"same {BOOKING_CLIENTS} at once on {BOOKING_CLIENTS} accounts (the cost of the account lock)",
        f"{booking['spread_p95_ms']:.1f} ms",
        f"{booking['many_p95_ms']:.1f} ms",
        lock,
        lock <= 1.3 and exact,
        f"successes per round: {done['many']} on one account, {done['spread']} on 20; one booking alone: p95 "
        f"{booking['one_p95_ms']:.1f} ms",
    ), booking
