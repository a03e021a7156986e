"""The people and accounts the seed makes on purpose and the benchmarks sign in as.

Plain names, no Django: the seeder (inside Django) and the runner (outside it) read the same ones.
"""

DOMAIN = "bench.example"

BIG_TAM, SMALL_TAM = f"tam-big@{DOMAIN}", f"tam-small@{DOMAIN}"
BIG_TAM_ACCOUNTS, SMALL_TAM_ACCOUNTS = 200, 5  # the TAM dashboard benchmark (P9)
SUPPORT = f"support-01@{DOMAIN}"

BUSIEST_ACCOUNT = "bench-busiest"  # the most cases (P2)
BOOKING_ACCOUNT = "bench-booking"  # no history: the booking benchmark gives it its credits (P7)
BOOKING_ACCOUNTS = 20  # bench-booking and bench-booking-02 to -20: one account, or 20 side by side


def customer(slug: str, number: int = 1) -> str:
    """The e-mail address of an account's first (or second) customer user."""
    return f"user-{number}@{slug}.{DOMAIN}"


def booking_slugs() -> list[str]:
    return [BOOKING_ACCOUNT] + [f"{BOOKING_ACCOUNT}-{n:02d}" for n in range(2, BOOKING_ACCOUNTS + 1)]


BUSIEST_CUSTOMER = customer(BUSIEST_ACCOUNT)
