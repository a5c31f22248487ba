"""Process entry points of the job tests (spawned: importable, no fixtures)."""

from __future__ import annotations

import os
import traceback

from tests.workflow.workers import BARRIER_TIMEOUT


def deliver_everything_due(url, mail_url, instance, barrier, queue):
    """A worker process: its own app on the shared database, delivering whatever is due."""
    try:
        os.environ["APP_INSTANCE_PATH"] = instance
        from web import create_app
        from web.jobs.mail import deliver_due

        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test",
                          "MAIL_URL": mail_url, "PUBLIC_BASE_URL": "https://example.ru"})
        barrier.wait(BARRIER_TIMEOUT)
        queue.put(("ok", deliver_due(app)))
        app.extensions["engine"].dispose()
    except Exception:  # reported, so the parent fails with the cause
        queue.put(("error", traceback.format_exc()))
