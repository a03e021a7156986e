#!/usr/bin/env bash
# Restore a pg-backup.sh archive into the PostgreSQL database named by DATABASE_URL.
#
#   scripts/pg-restore.sh [--replace] FILE
#
# A missing database is created (empty, from template0). A database that already holds tables is left alone
# unless --replace is given: then it is dropped, with its open connections, and created again, so the result
# is exactly the backup and never a mix. The restore runs in one transaction: it succeeds whole or changes
# nothing. Owners and grants are not restored: every object belongs to the DATABASE_URL user.
# Creating and dropping databases goes through the server's "postgres" database (PG_MAINTENANCE_DB to change).
set -euo pipefail

say() { printf 'pg-restore: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }
usage="usage: scripts/pg-restore.sh [--replace] FILE"

replace=false
if [[ ${1:-} == --replace ]]; then
  replace=true
  shift
fi
[[ $# -eq 1 && $1 != -* ]] || fail "$usage"
archive=$1
[[ -n ${DATABASE_URL:-} ]] || fail "DATABASE_URL is not set: it names the database to restore into"
case $DATABASE_URL in
  postgres://* | postgresql://*) ;;
  *) fail "DATABASE_URL is not a PostgreSQL URL (postgres://...)" ;;
esac
command -v pg_restore >/dev/null || fail "pg_restore is not installed (Debian: apt-get install postgresql-client)"
[[ -r $archive ]] || fail "cannot read $archive"
pg_restore --list "$archive" >/dev/null || fail "$archive is not a pg_dump custom-format archive"

url=${DATABASE_URL/#postgres:\/\//postgresql://}
base=${url%%\?*}
query=${url#"$base"}
database=${base##*/}
server=${base%/*}
[[ -n $database ]] || fail "DATABASE_URL names no database"
maintenance_url="$server/${PG_MAINTENANCE_DB:-postgres}$query"
shown_server=${server#*@}

sql() { psql --dbname="$1" --no-psqlrc --no-password --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 \
  -v db="$database"; }

create_database() {
  say "creating database $database on $shown_server"
  echo 'CREATE DATABASE :"db" TEMPLATE template0' | sql "$maintenance_url" >/dev/null
}

exists=$(echo "SELECT count(*) FROM pg_database WHERE datname = :'db'" | sql "$maintenance_url")
if [[ $exists == 0 ]]; then
  create_database
else
  tables=$(sql "$url" <<'SQL'
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
SQL
  )
  if [[ $tables != 0 ]]; then
    $replace || fail "database $database on $shown_server is not empty ($tables tables, views or sequences);" \
      "refusing to restore over it. Restore into a new database, or pass --replace to drop it first."
    say "--replace: dropping database $database on $shown_server (its connections are closed)"
    echo 'DROP DATABASE :"db" WITH (FORCE)' | sql "$maintenance_url" >/dev/null
    create_database
  else
    say "database $database on $shown_server exists and is empty"
  fi
fi

say "restoring $archive into $database (one transaction, owners and grants left out)"
started=$SECONDS
pg_restore --dbname="$url" --no-password --single-transaction --exit-on-error --no-owner --no-privileges "$archive"

summary=$(sql "$url" <<'SQL'
SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')
  || ' tables, ' || (SELECT count(*) FROM django_migrations) || ' migrations applied'
SQL
)
say "done in $((SECONDS - started))s: $summary"
say "next: run 'python manage.py migrate' if the code is newer than the backup, then verify (docs/operations.md)"
