"""The test database's PostgreSQL server, reached from outside Django: URLs for scripts and subprocesses, and
a separate psycopg2 connection that watches and terminates the portal's backends."""

import time
from urllib.parse import quote, urlencode

import psycopg2
from django.conf import settings


def database_url(name: str | None = None, **query: str) -> str:
    """A DATABASE_URL for the test server, pointing at ``name`` (default: the test database itself)."""
    db = settings.DATABASES["default"]
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    tail = f"?{urlencode(query)}" if query else ""
    return f"postgres://{user}{password}@{host}{port}/{name or db['NAME']}{tail}"


def server_connection(dbname: str = "postgres"):
    """An autocommit connection of its own, beside Django's."""
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname=dbname,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    conn.autocommit = True
    return conn


def query(conn, sql: str, params=()) -> list[tuple]:
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def wait_until_gone(conn, pids, timeout: float = 30) -> None:
    """Wait until none of these server backends is left (a terminated backend takes a moment to exit)."""
    deadline = time.monotonic() + timeout
    while query(conn, "SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pids)]):
        assert time.monotonic() < deadline, f"backends {pids} still running after {timeout}s"
        time.sleep(0.05)
