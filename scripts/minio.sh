#!/usr/bin/env bash
# Starts a throwaway MinIO server on loopback for the S3 tests and prints
# the variables the tests read. MinIO is built once from the Go module proxy
# at a pinned version (about 4 minutes on 2 cores) and cached; later runs
# start it in under a second.
#
#   scripts/minio.sh start   # prints CMS_TEST_S3_ENDPOINT=… lines
#   scripts/minio.sh stop
#   scripts/minio.sh kill    # ends it at once (SIGKILL), keeping its data
#   scripts/minio.sh resume  # starts it again on the same data and keys
#
# MINIO_ROOT and MINIO_PORT choose another instance (the fault tests run
# their own, to stop it under load without disturbing anyone).
set -euo pipefail
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
CACHE=${CMS_MINIO_CACHE:-$HOME/.cache/cms-minio}
ROOT=${MINIO_ROOT:-/tmp/cms-minio}
PORT=${MINIO_PORT:-59000}
BIN=$CACHE/minio-$MINIO_VERSION

build() {
  [ -x "$BIN" ] && return
  mkdir -p "$CACHE"
  echo "building MinIO $MINIO_VERSION once (cached in $CACHE)…" >&2
  local tmp; tmp=$(mktemp -d)
  GOFLAGS=-mod=mod GOBIN="$tmp" go install "github.com/minio/minio@$MINIO_VERSION" >&2
  mv "$tmp/minio" "$BIN"
  rm -rf "$tmp"
}

start() {
  build
  stop
  rm -rf "$ROOT"; mkdir -p "$ROOT/data"
  local user pass
  user=cms$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
  pass=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '%s\n%s\n' "$user" "$pass" >"$ROOT/keys"
  launch "$user" "$pass"
}

launch() {
  local user=$1 pass=$2
  MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$pass MINIO_BROWSER=off \
    nohup "$BIN" server "$ROOT/data" --address "127.0.0.1:$PORT" --console-address "127.0.0.1:$((PORT + 1))" \
    >>"$ROOT/server.log" 2>&1 &
  echo $! >"$ROOT/pid"
  for _ in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$PORT/minio/health/live" >/dev/null 2>&1; then
      echo "CMS_TEST_S3_ENDPOINT=127.0.0.1:$PORT"
      echo "CMS_TEST_S3_ACCESS_KEY=$user"
      echo "CMS_TEST_S3_SECRET_KEY=$pass"
      return
    fi
    sleep 0.2
  done
  echo "MinIO did not start; see $ROOT/server.log" >&2
  cat "$ROOT/server.log" >&2 || true
  exit 1
}

stop() {
  if [ -f "$ROOT/pid" ]; then
    kill "$(cat "$ROOT/pid")" 2>/dev/null || true
    rm -f "$ROOT/pid"
  fi
}

kill9() {
  if [ -f "$ROOT/pid" ]; then
    kill -9 "$(cat "$ROOT/pid")" 2>/dev/null || true
    rm -f "$ROOT/pid"
  fi
}

resume() {
  build
  { read -r user; read -r pass; } <"$ROOT/keys"
  launch "$user" "$pass"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  kill) kill9 ;;
  resume) resume ;;
  build) build ;;
  *) echo "usage: $0 start|stop|kill|resume|build" >&2; exit 2 ;;
esac
