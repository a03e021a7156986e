"""The benchmark's own PostgreSQL databases: created, migrated and seeded once a day, reused in between."""

import datetime as dt
import json
import subprocess
import time

import psycopg2

from bench.environment import PG_BASE, PYTHON, ROOT, django_env, log
from bench.profiles import BASE_CASES, Profile

SEED_VERSION = 4  # bump when the seed (bench/seed/) changes what it writes


def connect(database: str, autocommit: bool = False):
    connection = psycopg2.connect(f"{PG_BASE}/{database}")
    connection.autocommit = autocommit
    return connection


def database_comment(name: str) -> str | None:
    with connect("postgres", autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        row = cursor.fetchone()
    return None if row is None else (row[0] or "")


def run_sql(database: str, *statements: str) -> None:
    """Statements outside a transaction (CREATE DATABASE, VACUUM) on ``database``."""
    connection = connect(database, autocommit=True)
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def manage(env: dict, *args: str, output=None) -> subprocess.Popen:
    command = [PYTHON, "manage.py", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


def wait(process: subprocess.Popen, what: str) -> None:
    if process.wait() != 0:
        raise SystemExit(f"{what} failed (exit {process.returncode})")


def prepare(profile: Profile, secret: str, reseed: bool) -> float:
    """Seed the benchmark database and its baseline (the same vendor with only the newest 1,000 cases), unless a
    seed of today with the same sizes is there. Returns the seconds spent seeding (0 when reused)."""
    base = profile.base_database
    marker = f"seed_bench v{SEED_VERSION} {json.dumps(profile.seed, sort_keys=True)} {dt.date.today()}"
    # Beside the seeding, and away from the database being copied as a template.
    statics = manage(django_env("postgres", secret), "collectstatic", "--noinput", "-v0")
    fresh = not reseed and database_comment(profile.database) == marker and database_comment(base) == marker
    began = time.monotonic()
    if fresh:
        log(f"reusing {profile.database} and {base} (seeded today with the same sizes)")
        for name in (profile.database, base):
            wait(manage(django_env(name, secret), "migrate", "--noinput", "-v0"), f"migrate {name}")
            run_sql(name, "VACUUM ANALYZE")  # what earlier runs wrote and rolled back (P4 adds 100,000 accounts)
        wait(statics, "collectstatic")
        settle()
        return 0.0
    log(f"creating {profile.database} and {base}")
    run_sql(
        "postgres",
        f"DROP DATABASE IF EXISTS {profile.database} WITH (FORCE)",
        f"DROP DATABASE IF EXISTS {base} WITH (FORCE)",
        f"CREATE DATABASE {profile.database}",
    )
    wait(manage(django_env(profile.database, secret), "migrate", "--noinput", "-v0"), "migrate")
    run_sql("postgres", f"CREATE DATABASE {base} TEMPLATE {profile.database}")
    args = [f"--{key}={value}" for key, value in profile.seed.items()]
    base_args = [a for a in args if not a.startswith("--cases=")] + [f"--cases={BASE_CASES}"]
    log(f"seeding {profile.database}: {' '.join(args)}")
    main = manage(django_env(profile.database, secret), "seed_bench", *args)
    baseline = manage(django_env(base, secret), "seed_bench", *base_args, output=subprocess.DEVNULL)
    wait(baseline, f"seed_bench {base}")
    wait(main, f"seed_bench {profile.database}")
    wait(statics, "collectstatic")
    for name in (profile.database, base):
        run_sql("postgres", f"COMMENT ON DATABASE {name} IS '{marker}'")
    seconds = time.monotonic() - began
    log(f"seeded in {seconds:.0f} s")
    settle()
    return seconds


def settle() -> None:
    """Write what seeding and vacuuming left in memory to disk now, not during the first measurement."""
    run_sql("postgres", "CHECKPOINT")
