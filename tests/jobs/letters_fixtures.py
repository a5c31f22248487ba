"""Fixtures of the letter-job tests, imported by each module (tests/jobs/conftest.py belongs
to the mail tests): the letters app (tests/letters_web), and `queued`, an in-memory queue of
the test that keeps jobs until `drain` runs them (by default jobs run immediately,
tests/conftest.py)."""

from __future__ import annotations

import pytest
from huey.storage import MemoryStorage
from sqlalchemy import select

from tests.letters_web.conftest import (  # noqa: F401 -- fixtures
    app,
    auth,
    by_municipality,
    client,
    make_letters,
    pki_dir,
    read_letter,
)
from web.jobs import huey
from workflow.models import Letter


@pytest.fixture
def queued(app):  # noqa: F811 -- the imported fixture
    """The queue as with a consumer: jobs wait until `drain` runs them (memory storage of
    this test only; tests/conftest.py switches back to immediate mode afterwards)."""
    import web.jobs

    previous = web.jobs._app
    web.jobs.use_app(app)  # the consumer's app: this test's
    huey.immediate = False
    huey.storage = MemoryStorage(huey.name)
    yield huey
    huey.storage.flush_all()
    web.jobs.use_app(previous)


def drain(h=huey, *, scheduled: bool = True) -> int:
    """Run every queued job until none is left, as consumers would; with `scheduled`, the
    retries scheduled for later run too (at once). Returns how many jobs ran."""
    from datetime import datetime, timedelta

    ran = 0
    while True:
        task = h.dequeue()
        if task is None:
            due = h.read_schedule(datetime.now() + timedelta(days=1)) if scheduled else []
            if not due:
                return ran
            for job in due:
                job.eta = None
                h.enqueue(job)
            continue
        if task.eta is not None and not scheduled:
            h.add_schedule(task)  # a retry for later: left scheduled
            continue
        task.eta = None
        h.execute(task)
        ran += 1


def letter_rows(world, ids):
    from sqlalchemy.orm import Session

    with Session(bind=world.session.get_bind()) as s:
        rows = s.execute(select(Letter.id, Letter.state, Letter.seq, Letter.number,
                                Letter.pdf_sha256).where(Letter.id.in_(ids))
                         .order_by(Letter.id)).all()
        s.rollback()
    return rows
