"""Nightly tidying: the same purge as `flask purge`, so that sign-in attempts, throttle rows,
expired tokens and signing sessions do not grow forever."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab

from workflow.db import unit_of_work
from workflow.maintenance import purge_stale_records

from . import huey, job_app

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="17", hour="3"))
def purge_stale_records_nightly() -> dict[str, int]:
    app = job_app()
    config = app.config
    with unit_of_work(app.extensions["session_factory"]) as session:
        counts = purge_stale_records(
            session, now=config["CLOCK"](),
            keep_attempts=timedelta(days=config["SIGNIN_RETENTION_DAYS"]),
            forget_throttle_after=config["LOGIN_THROTTLE_WINDOW"])
    log.info("purged stale records: %s", counts)
    return counts
