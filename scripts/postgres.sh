#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the test suite and
# prints the URL to use as CMS_TEST_POSTGRES_URL. Installs the server from
# Debian when it is missing. initdb refuses to run as root, so the cluster
# runs as the postgres user, under /tmp where that user can reach it.
#
#   scripts/postgres.sh start   # prints PG_URL=postgres://…
#   scripts/postgres.sh stop
#   scripts/postgres.sh halt    # stops it hard (immediate: as a crash would)
#   scripts/postgres.sh resume  # starts the same cluster again
#
# PGROOT and PGPORT choose another cluster (the fault tests start their
# own, to stop it under load without disturbing anyone). PG_DURABLE=1
# keeps synchronous commits, so that a hard stop loses nothing acknowledged.
set -euo pipefail
PGROOT=${PGROOT:-/tmp/cms-pg}
PGPORT=${PGPORT:-55432}

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  if [ -z "$(pgbin)" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  local bin; bin=$(pgbin)
  if as_postgres "$bin/pg_ctl" -D "$PGROOT/data" status >/dev/null 2>&1; then
    echo "PG_URL=postgres://cms:cms@127.0.0.1:$PGPORT/cms?sslmode=disable"
    return
  fi
  rm -rf "$PGROOT"; mkdir -p "$PGROOT"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGROOT"
  as_postgres "$bin/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PGROOT/initdb.log"
  run "$bin"
  "$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qc "CREATE ROLE cms LOGIN PASSWORD 'cms'" -c "CREATE DATABASE cms OWNER cms"
  echo "PG_URL=postgres://cms:cms@127.0.0.1:$PGPORT/cms?sslmode=disable"
}

# run starts the cluster. Durability is off: it holds only test data and
# dies with the run (with PG_DURABLE=1 commits still wait for the WAL).
run() {
  local sync="-c synchronous_commit=off"
  [ "${PG_DURABLE:-}" = 1 ] && sync=""
  as_postgres "$1/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 \
    -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off $sync -c full_page_writes=off -c max_connections=300" start >/dev/null
}

halt() {
  as_postgres "$(pgbin)/pg_ctl" -D "$PGROOT/data" -m immediate stop >/dev/null
}

resume() {
  run "$(pgbin)"
}

stop() {
  local bin; bin=$(pgbin)
  [ -n "$bin" ] && as_postgres "$bin/pg_ctl" -D "$PGROOT/data" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  halt) halt ;;
  resume) resume ;;
  *) echo "usage: $0 start|stop|halt|resume" >&2; exit 2 ;;
esac
