"""Scale-out: two gunicorn instances and two workers on one PostgreSQL and one Redis, no
shared local files, one worker SIGKILLed midway (benchmarks/scale_out_bench.py). The short
form (20 letters) runs in CI; the slow form signs 300."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import create_database_if_missing

PG_URL = os.environ.get("TEST_DATABASE_URL")
REDIS = os.environ.get("JOBS_REDIS_URL") or os.environ.get("REDIS_URL")


def _requirements() -> tuple[str, str]:
    if not PG_URL:
        pytest.skip("scale-out needs PostgreSQL: set TEST_DATABASE_URL")
    if not REDIS:
        pytest.skip("scale-out needs Redis: set REDIS_URL (scripts/test.sh does when it answers)")
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"scale-out needs Redis: {REDIS} does not answer ({error})")
    # A database of its own beside the tests' one (which the other tests' engine holds).
    url = make_url(PG_URL)
    url = url.set(database=f"{url.database}_scale_out").render_as_string(hide_password=False)
    create_database_if_missing(url)
    return url, REDIS


def _check(figures: dict, n: int) -> None:
    assert figures["killed_at"] is not None, "the worker was not killed midway"
    assert figures["letters"] == figures["signed"] == n
    assert figures["with_pdf"] == n, "a letter has no PDF"
    assert figures["gapless"], "registration numbers have a gap"
    assert figures["batch"] == (n, n, 0, "finished")
    assert figures["signing_sessions_left"] == 0
    assert figures["queue_left"] == 0
    assert figures["sample_verified"]


def test_two_servers_two_workers_one_killed_short():
    url, redis_url = _requirements()
    from benchmarks.scale_out_bench import run

    figures = run(url, redis_url, 20)
    _check(figures, 20)


@pytest.mark.slow
def test_two_servers_two_workers_one_killed_a_few_hundred_letters():
    url, redis_url = _requirements()
    from benchmarks.scale_out_bench import run

    figures = run(url, redis_url, 300)
    _check(figures, 300)
