#!/usr/bin/env bash
# Back up the portal's PostgreSQL database (DATABASE_URL) to one pg_dump archive in custom format.
#
#   scripts/pg-backup.sh [FILE]
#
# FILE defaults to var/backups/ess-<database>-<UTC time>.dump in the project. The dump is one consistent
# snapshot, taken while the portal keeps running. It is written to FILE.partial and renamed once pg_restore has
# read its table of contents back, so a failed or interrupted backup never leaves a file that looks like a good one.
# Restore it with scripts/pg-restore.sh (docs/operations.md).
set -euo pipefail

say() { printf 'pg-backup: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

[[ $# -le 1 && ${1:-} != -* ]] || fail "usage: scripts/pg-backup.sh [FILE]"
[[ -n ${DATABASE_URL:-} ]] || fail "DATABASE_URL is not set (e.g. postgres://user@host:5432/ess)"
case $DATABASE_URL in
  postgres://* | postgresql://*) ;;
  *) fail "DATABASE_URL is not a PostgreSQL URL (postgres://...): ${DATABASE_URL%%:*}:// is backed up some other way" ;;
esac
command -v pg_dump >/dev/null || fail "pg_dump is not installed (Debian: apt-get install postgresql-client)"

url=${DATABASE_URL/#postgres:\/\//postgresql://}
base=${url%%\?*}
database=${base##*/}
server=${base%/*}
server=${server#*@}
[[ -n $database ]] || fail "DATABASE_URL names no database"

project=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-$project/var/backups/ess-$database-$(date -u +%Y%m%dT%H%M%SZ).dump}
mkdir -p "$(dirname "$target")"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

say "dumping database $database on $server to $target (custom format, compressed)"
started=$SECONDS
pg_dump --dbname="$url" --format=custom --compress=6 --no-password --file="$partial"
toc=$(pg_restore --list "$partial") || fail "the archive could not be read back; nothing kept"
entries=$(grep -c ' TABLE DATA ' <<<"$toc" || true)
mv "$partial" "$target"
trap - EXIT

say "done in $((SECONDS - started))s: $(du -h "$target" | cut -f1) with the data of $entries tables"
say "restore with: DATABASE_URL=postgres://.../<new database> scripts/pg-restore.sh $target"
printf '%s\n' "$target"
