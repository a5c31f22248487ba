"""A real consumer: `flask worker` in a process of its own on the embedded queue (SQLite in
the instance folder, no server), rendering what the web app enqueued."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from huey.storage import SqliteStorage

from tests.factories import SIGNING_PIN
from tests.jobs.letters_fixtures import read_letter
from web.jobs import huey

ROOT = Path(__file__).resolve().parents[3]


def test_flask_worker_renders_what_the_app_enqueued(app, world, auth, client, by_municipality,
                                                     db_url, tmp_path):
    world.clock.now = datetime.now(UTC)  # the worker keeps real time (signing sessions)
    instance = tmp_path / "worker-instance"
    instance.mkdir()
    huey.immediate = False  # tests/conftest.py restores immediate mode afterwards
    huey.storage = SqliteStorage(huey.name, filename=str(instance / "jobs.sqlite3"))
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "JOBS_REDIS_URL")}
    env.update(DATABASE_URL=db_url, APP_INSTANCE_PATH=str(instance), JOBS_IMMEDIATE="0",
               JOBS_QUEUE_NAME=huey.name, PYTHONPATH=str(ROOT), SECRET_KEY="worker-test",
               PKI_DIR=app.config["PKI_DIR"])
    letter = by_municipality["own"]
    auth.login(world.signatory)
    client.post(f"/letters/{letter.id}/sign", data={"version": letter.version, "pin": SIGNING_PIN})
    assert huey.pending_count() == 1 and read_letter(world, letter.id)[1] is None

    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 -- closed below
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "1",
         "--type", "thread"], cwd=ROOT, env=env, stdout=log, stderr=log,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while read_letter(world, letter.id)[1] is None and time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.3)
    finally:
        os.killpg(worker.pid, signal.SIGINT)
        worker.wait(timeout=30)
        log.close()
        huey.storage.flush_all()
    row, pdf = read_letter(world, letter.id)
    assert pdf is not None, (tmp_path / "worker.log").read_text()
    assert row.render_error is None
    assert "обработчиков 1 (thread)" in (tmp_path / "worker.log").read_text()
