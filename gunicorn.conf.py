"""gunicorn settings for the portal (``gunicorn -c gunicorn.conf.py ess_portal.wsgi:application``).

Each value comes from an environment variable with a default fit for the portal behind a reverse proxy; options
given on the command line win (the Dockerfile adds the access log, the benchmarks their own workers and port).
gunicorn bounds what it reads before Django sees a request: the request line and the headers. Bodies are
bounded by the proxy (client_max_body_size) and by Django (ess_portal/request_limits.py).
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value.strip() else default
    except ValueError as error:  # a typo must stop the start, not pass silently
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from error


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("GUNICORN_WORKERS", 3)
timeout = _int("GUNICORN_TIMEOUT", 60)

# The request line (method, path and query): 4 KB is plenty for the portal's URLs; longer is a 414.
limit_request_line = _int("LIMIT_REQUEST_LINE", 4094)
# Headers: how many, and how long each may be; more or longer is a 431.
limit_request_fields = _int("LIMIT_REQUEST_FIELDS", 60)
limit_request_field_size = _int("LIMIT_REQUEST_FIELD_SIZE", 8190)
