#!/usr/bin/env bash
# Serve the portal with its periodic jobs and no Redis: one Celery worker with an embedded beat
# (broker on the local file system, schedules in the database) beside Django's development server.
# With REDIS_URL set, the same worker uses Redis instead. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
"$VENV/bin/celery" -A ess_portal worker --beat --pool=solo --loglevel=INFO \
  --schedule=var/celerybeat-schedule --hostname=embedded@%h &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM
echo "ESS Portal: http://127.0.0.1:8000  (sign-in details: README.md, or the seed_demo output above)"
"$VENV/bin/python" manage.py runserver 127.0.0.1:8000
