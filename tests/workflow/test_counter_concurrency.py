"""The journal counter under several processes, on SQLite as well as PostgreSQL.

Signing holds SQLite's write lock from the first statement (BEGIN IMMEDIATE), which would
hide a read-then-write counter there; so the workers take numbers in DEFERRED transactions
(no lock until the first write), where only an atomic `UPDATE ... RETURNING` stays gapless
and unique. A counter that reads `last` and writes `last + 1` fails this test on both
databases: duplicates on PostgreSQL, "database is locked" on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.workflow.workers import bump_counter, run_in_processes
from workflow.models import RegistrationCounter

PROCESSES, TIMES = 6, 15


@pytest.mark.slow
def test_six_processes_take_unique_gapless_numbers(session_factory, db_url):
    with session_factory() as s:
        s.add(RegistrationCounter(journal_index="77", year=0, last=0))
        s.commit()
    results = run_in_processes(bump_counter, [(db_url, "77", TIMES)] * PROCESSES)
    assert [r[0] for r in results] == ["ok"] * PROCESSES, results
    taken = sorted(n for _, numbers in results for n in numbers)
    assert taken == list(range(1, PROCESSES * TIMES + 1))
    with session_factory() as s:
        assert s.scalar(select(RegistrationCounter.last).where(
            RegistrationCounter.journal_index == "77")) == PROCESSES * TIMES
