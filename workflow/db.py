"""Engine and session set-up for SQLite (default) and PostgreSQL.

SQLite needs care: pysqlite's default transaction handling opens transactions lazily
and only before DML, so a read-then-write use case (load a programme, check it, update
it; take the next journal number) is not serialised and races silently. We take the
transaction control away from the driver (`isolation_level=None` semantics via
`autocommit`) and emit `BEGIN IMMEDIATE` ourselves, so a writer holds the write lock from
its first read. Read-only work (list pages) may ask for `BEGIN DEFERRED` through the
`sqlite_begin` execution option to let readers run side by side under WAL.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A pooled PostgreSQL connection idle for longer than this is pinged before it is handed
# out (the server or a proxy may have dropped it); one in steady use is not.
PING_AFTER_IDLE_S = 10.0
# Connections kept per process. gunicorn runs a thread per concurrent request and each
# holds one connection: a pool smaller than the threads closes and reopens connections
# (a new PostgreSQL backend each time) under load. gunicorn.conf.py sets DB_POOL_SIZE to
# the worker's thread count.
DEFAULT_POOL_SIZE = 10


def normalise_url(url: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def default_sqlite_url(instance_path: str | os.PathLike) -> str:
    path = Path(instance_path) / "app.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _make_sqlite_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping") and "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", int(os.environ.get("DB_POOL_SIZE") or DEFAULT_POOL_SIZE))
        kwargs.setdefault("max_overflow", kwargs["pool_size"])
        engine = create_engine(url, **kwargs)
        _ping_when_idle(engine)
        return engine
    return create_engine(url, **kwargs)


def _ping_when_idle(engine: Engine) -> None:
    """`pool_pre_ping` costs a round trip on every checkout, and a request checks out a
    connection once or twice: on PostgreSQL a signed-in page paid for it more than for its
    own statement. A connection that was in use a moment ago is alive; only one that sat
    idle in the pool is pinged, and a dead one is replaced (the pool retries the checkout)."""

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection, record):
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        if record is not None:
            record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        since = record.info.get("checked_in_at")
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError() from error


def _make_sqlite_engine(url: str, **kwargs) -> Engine:
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    in_memory = ":memory:" in url or url in ("sqlite://", "sqlite:///")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Hand transaction control to us (see module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: the registration journal must survive power loss after commit.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode not in ("IMMEDIATE", "DEFERRED", "EXCLUSIVE"):
            raise ValueError(f"bad sqlite_begin mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_session_factory(engine: Engine, audit=None) -> sessionmaker[Session]:
    """`audit`: the `workflow.audit.AuditConfig` (key, checkpoint) its sessions seal with;
    without one they read AUDIT_KEY / AUDIT_CHECKPOINT_DIR from the environment."""
    return sessionmaker(bind=engine, expire_on_commit=False,
                        info={"audit": audit} if audit is not None else None)


def read_only_engine(engine: Engine) -> Engine:
    """An engine view whose transactions do not take SQLite's write lock up front."""
    if is_sqlite(engine):
        return engine.execution_options(sqlite_begin="DEFERRED")
    return engine


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One use case, one transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
