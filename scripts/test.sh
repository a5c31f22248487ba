#!/usr/bin/env bash
# One command: set up everything and run the whole test suite on SQLite and PostgreSQL.
# PostgreSQL: uses $TEST_DATABASE_URL, else the local server (started if it is down) with a
# dedicated database `programme_test`. SKIP_POSTGRES=1 runs SQLite only (printed as skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser

if [ -z "${TEST_DATABASE_URL:-}" ] && [ "${SKIP_POSTGRES:-0}" != 1 ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='programme_test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE programme_test"
  export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/programme_test"
fi
# Redis (the shared rate-limit storage, and later the job queue): used when it answers.
if [ -z "${REDIS_URL:-}" ] && .venv/bin/python -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1)" 2>/dev/null; then
  export REDIS_URL="redis://127.0.0.1:6379/15"
fi
echo "==> ruff"
.venv/bin/ruff check .
# Parallel: pytest-xdist with one worker per core, at most two (PYTEST_WORKERS=N overrides,
# 0 runs in this one process; `-n`/`--numprocesses` or `-p no:xdist` among the arguments win).
# tests/conftest.py gives each worker its own PostgreSQL database (<name>_gw0, ...) and Redis db.
# worksteal hands each worker a contiguous half of the collected order (all SQLite tests, then
# all PostgreSQL ones), so the session-wide engine and apps of one backend are built once per
# worker, not again at every file as --dist loadfile would; an idle worker takes the rest of
# the other's half.
workers="${PYTEST_WORKERS:-$(( $(nproc) < 2 ? $(nproc) : 2 ))}"
parallel=()
for arg in "$@"; do
  case "$arg" in -n|-n*|--numprocesses*|no:xdist|-pno:xdist) workers=0 ;; esac
done
[ "$workers" -gt 1 ] && parallel=(-n "$workers" --dist worksteal)
echo "==> pytest (PostgreSQL: ${TEST_DATABASE_URL:-off}; Redis: ${REDIS_URL:-off}; xdist: ${parallel[*]:-as the arguments say})"
exec .venv/bin/pytest "${parallel[@]}" "$@"
