"""SQLite writers queue at a gate before BEGIN IMMEDIATE (workflow/db.py): the waiting
writer starts as soon as the holder's transaction ends, however it ends, and a writer that
cannot get in within the busy timeout fails as SQLite would ("database is locked")."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from workflow import db


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    yield engine
    engine.dispose()


def _second_writer(engine, started: threading.Event, done: list) -> None:
    started.set()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (v) VALUES ('second')"))
    done.append(True)


@pytest.mark.parametrize("ending", ["commit", "rollback", "close"])
def test_a_waiting_writer_starts_when_the_holder_ends_its_transaction(engine, ending):
    holder = engine.connect()
    transaction = holder.begin()
    holder.execute(text("INSERT INTO t (v) VALUES ('first')"))
    assert holder.connection.dbapi_connection.writer_gate.held

    started, done = threading.Event(), []
    waiter = threading.Thread(target=_second_writer, args=(engine, started, done))
    waiter.start()
    started.wait()
    time.sleep(0.3)
    assert not done, "the second writer must wait for the first"

    if ending == "commit":
        transaction.commit()
    elif ending == "rollback":
        transaction.rollback()
    holder.close()  # "close": the pool resets (rolls back) the connection it gets back
    waiter.join(5)
    assert done, "the second writer never got in"
    with engine.connect() as conn:
        values = sorted(conn.execute(text("SELECT v FROM t")).scalars())
    assert values == (["first", "second"] if ending == "commit" else ["second"])


def test_readers_do_not_queue_behind_a_writer(engine):
    reader_engine = db.read_only_engine(engine)
    with engine.begin() as writer:
        writer.execute(text("INSERT INTO t (v) VALUES ('w')"))
        with reader_engine.connect() as reader:
            assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_a_writer_kept_out_past_the_busy_timeout_fails_as_sqlite_would(engine, monkeypatch):
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    with engine.begin() as holder:
        holder.execute(text("INSERT INTO t (v) VALUES ('first')"))
        failures = []

        def writer():
            try:
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO t (v) VALUES ('late')"))
            except Exception as error:  # noqa: BLE001 -- recorded and checked below
                failures.append(error)

        thread = threading.Thread(target=writer)
        thread.start()
        thread.join(5)
    assert failures and isinstance(getattr(failures[0], "orig", failures[0]), sqlite3.OperationalError)
    assert "database is locked" in str(failures[0])
    # The gate is free again: the next writer gets in at once.
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (v) VALUES ('next')"))


def test_a_memory_database_has_no_gate():
    engine = db.make_engine("sqlite://")
    with engine.begin() as conn:
        assert not hasattr(conn.connection.dbapi_connection, "writer_gate")
    engine.dispose()


def test_a_gate_that_cannot_be_opened_is_skipped(tmp_path):
    """Only the waiting is spared by the gate; SQLite's own lock still orders the writers."""
    (tmp_path / "blocked.db.writer-gate").mkdir()  # not a file: it cannot be opened
    engine = db.make_engine(f"sqlite:///{tmp_path / 'blocked.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO t DEFAULT VALUES"))
        assert conn.connection.dbapi_connection.writer_gate.unavailable
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    engine.dispose()
