#!/usr/bin/env bash
# Runs the suite on PostgreSQL when CMS_TEST_POSTGRES_URL is set, or when
# the throwaway server of scripts/postgres.sh answers on its default port.
# With CMS_TEST_REQUIRE_POSTGRES=1 (CI) a missing server is a failure.
set -euo pipefail
url=${CMS_TEST_POSTGRES_URL:-}
default="postgres://cms:cms@127.0.0.1:${PGPORT:-55432}/cms?sslmode=disable"
if [ -z "$url" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p "${PGPORT:-55432}"; then
  url=$default
fi
if [ -z "$url" ]; then
  if [ "${CMS_TEST_REQUIRE_POSTGRES:-}" = 1 ]; then
    echo "CMS_TEST_REQUIRE_POSTGRES=1 but no PostgreSQL: set CMS_TEST_POSTGRES_URL or run 'make postgres'" >&2
    exit 1
  fi
  echo "PostgreSQL not reachable: skipped the PostgreSQL run (start one with 'make postgres')"
  exit 0
fi
echo "running the suite on PostgreSQL"
CMS_TEST_DB=postgres CMS_TEST_POSTGRES_URL="$url" go test -race -count=1 -timeout 30m ./...
