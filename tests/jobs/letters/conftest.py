"""Fixtures of the letter-job tests (bulk signing, PDF jobs, the consumer): the letters app
(tests/letters_web) instead of the mail tests' app of tests/jobs/conftest.py, and `queued`,
an in-memory queue of the test that keeps jobs until `drain` (tests/jobs/letters_fixtures)
runs them (by default jobs run immediately, tests/conftest.py)."""

from __future__ import annotations

import pytest
from huey.storage import MemoryStorage

from tests.letters_web.conftest import (  # noqa: F401 -- fixtures of this folder
    app,
    auth,
    by_municipality,
    client,
    make_letters,
    pki_dir,
)
from web.jobs import huey


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
