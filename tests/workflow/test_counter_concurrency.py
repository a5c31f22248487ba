"""The journal counter under several processes, on SQLite as well as PostgreSQL.

Signing holds SQLite's write lock from the first statement (BEGIN IMMEDIATE), which would
hide a read-then-write counter there; so the workers take numbers in DEFERRED transactions
(no lock until the first write), where only an atomic `UPDATE ... RETURNING` stays gapless
and unique. A counter that reads `last` and writes `last + 1` fails this test on both
databases: duplicates on PostgreSQL, "database is locked" on SQLite."""

from __future__ import annotations

import multiprocessing
import queue as queue_module

import pytest
from sqlalchemy import select

from tests.workflow.workers import bump_counter
from workflow.models import RegistrationCounter

PROCESSES, TIMES = 6, 15


@pytest.mark.slow
def test_six_processes_take_unique_gapless_numbers(session_factory, db_url):
    with session_factory() as s:
        s.add(RegistrationCounter(journal_index="77", year=0, last=0))
        s.commit()
    ctx = multiprocessing.get_context("spawn")
    barrier, q = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=bump_counter, args=(db_url, "77", TIMES, barrier, q))
             for _ in range(PROCESSES)]
    for proc in procs:
        proc.start()
    results = []
    try:
        for _ in procs:
            try:
                results.append(q.get(timeout=240))
            except queue_module.Empty:
                pytest.fail(f"only {len(results)} of {PROCESSES} processes reported: {results}")
    finally:
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()
    assert [r[0] for r in results] == ["ok"] * PROCESSES, results
    taken = sorted(n for _, numbers in results for n in numbers)
    assert taken == list(range(1, PROCESSES * TIMES + 1))
    with session_factory() as s:
        assert s.scalar(select(RegistrationCounter.last).where(
            RegistrationCounter.journal_index == "77")) == PROCESSES * TIMES
