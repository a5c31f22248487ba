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
  .venv/bin/flask seed-demo ${DEMO_PASSWORD:+--password "$DEMO_PASSWORD"}
else
  .venv/bin/flask init-db
fi
echo "==> serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
exec .venv/bin/gunicorn --bind 127.0.0.1:5000 --workers 2 --access-logfile - wsgi:app
