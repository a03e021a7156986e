"""Where the benchmarks run: the project, its interpreter, their own databases and Redis, and the settings every
process they start is given. No Django here: the runner stays outside it and starts processes that use it."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def django_env(database: str, secret: str) -> dict:
    """The environment of a Django process on ``database`` with the benchmark settings."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ess_portal.settings.bench",
            "DATABASE_URL": f"{PG_BASE}/{database}",
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": "bench",
            "SECRET_KEY": secret,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback: no redirect to HTTPS, no HSTS (both read by the production settings).
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
            "ESS_VAR_DIR": str(ROOT / "var" / "bench"),
            "LOG_LEVEL": "ERROR",
            # The per-token limit is checked on every token request as in production; only its ceiling is out of
            # the way of a load generator's rate.
            "API_TOKEN_RATE_LIMIT": "1000000/min",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def in_django(database: str, secret: str, name: str, *args: str) -> dict:
    """Run one in-process measurement (``python -m bench.measure NAME``) on ``database``: the JSON object it prints
    on its last line."""
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "bench.measure", name, *args],
        cwd=ROOT,
        env=django_env(database, secret),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.measure {name} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])
