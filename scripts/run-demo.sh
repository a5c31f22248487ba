#!/usr/bin/env bash
# One command: set up, create the SQLite database with demo data, serve on 127.0.0.1:5000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=wsgi
if [ ! -f instance/app.db ] || [ "${RESET_DEMO:-0}" = 1 ]; then
  rm -f instance/app.db instance/app.db-wal instance/app.db-shm
  # seed-demo applies the migrations itself, then creates the demo signing certificate
  # in the signatory's name.
  # The signing PIN and the TOTP key are printed once; keep a copy (readable by this user
  # only) so that a later start of the demo can show them again.
  mkdir -p instance
  ( umask 077; .venv/bin/flask seed-demo ${DEMO_PASSWORD:+--password "$DEMO_PASSWORD"} \
      | tee instance/demo-logins.txt )
else
  .venv/bin/flask init-db
  if [ -f instance/demo-logins.txt ]; then
    echo "==> demo sign-in data (from instance/demo-logins.txt; RESET_DEMO=1 reloads the demo):"
    cat instance/demo-logins.txt
  fi
fi
# Two workers: /metrics adds up both through prometheus' multi-process files
# (gunicorn.conf.py empties the directory at start).
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/instance/metrics}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
# Background jobs (signed PDFs, mail, the periodic sweep): one consumer beside the server,
# on the embedded queue (SQLite in instance/jobs.sqlite3; REDIS_URL switches to Redis).
# JOBS_WORKERS sets its number of worker processes; it stops with the server.
echo "==> background jobs: flask worker (${JOBS_WORKERS:-2} workers)"
env -u PROMETHEUS_MULTIPROC_DIR .venv/bin/flask worker &
WORKER_PID=$!
stop_worker() { kill -INT "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true; }
trap stop_worker EXIT
trap 'exit 130' INT TERM
echo "==> serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
.venv/bin/gunicorn --bind 127.0.0.1:5000 --workers 2 --access-logfile - wsgi:app
