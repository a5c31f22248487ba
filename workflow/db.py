"""Engine and session set-up for SQLite (default) and PostgreSQL.

SQLite needs care: pysqlite's default transaction handling opens transactions lazily
and only before DML, so a read-then-write use case (load a programme, check it, update
it; take the next journal number) is not serialised and races silently. We take the
transaction control away from the driver (`isolation_level=None` semantics via
`autocommit`) and emit `BEGIN IMMEDIATE` ourselves, so a writer holds the write lock from
its first read. Read-only work (list pages) may ask for `BEGIN DEFERRED` through the
`sqlite_begin` execution option to let readers run side by side under WAL.

Writers queue at a gate before `BEGIN IMMEDIATE` (`_WriterGate`): SQLite's own busy
handler waits for the write lock by sleeping in steps that grow to 100 ms, so under load a
writer slept long after the lock was free (64 users: writes p99 several seconds).
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, Integer, bindparam, create_engine, event, exc
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


class _WriterGate:
    """One writer at a time per database file, across threads and processes: an exclusive
    `flock` on a file beside the database, taken before `BEGIN IMMEDIATE` and given back
    when the transaction ends. A writer waiting here retries every millisecond or two;
    waiting inside SQLite it would sleep up to 100 ms at a time. Each connection opens its
    own descriptor (flock locks belong to the open file, so two threads of one process
    exclude each other too); the kernel drops the lock if its holder dies."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self.held = False
        self.unavailable = False

    def _open(self) -> int | None:
        """The gate file, created with the database's own permissions (as SQLite creates
        its -wal and -shm files), so that a CLI run by another user shares it. A gate that
        cannot be opened is skipped: it only spares the waiting, SQLite's lock still holds."""
        if self._fd is None and not self.unavailable:
            try:
                mode = os.stat(self.path.removesuffix(".writer-gate")).st_mode & 0o666
            except OSError:
                mode = 0o600
            try:
                # flock needs no write access: read-only lets another user share the gate.
                self._fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, mode)
            except OSError:
                self.unavailable = True
        return self._fd

    def acquire(self, timeout_s: float) -> None:
        if self.held or self._open() is None:
            return
        deadline = time.monotonic() + timeout_s
        pause = 0.0005
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
                return
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
            if time.monotonic() >= deadline:
                # What SQLite itself would have said after its busy timeout.
                raise sqlite3.OperationalError("database is locked")
            time.sleep(pause)
            pause = min(pause * 2, 0.002)

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class _GatedConnection(sqlite3.Connection):
    """A pysqlite connection that gives the writer gate back when its transaction ends,
    however it ends (commit, rollback, the pool's reset, close)."""

    gate_path: str = ""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.writer_gate = _WriterGate(self.gate_path)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.writer_gate.release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.writer_gate.release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.writer_gate.close()


def _gated_connection_class(database_path: str) -> type[sqlite3.Connection]:
    return type("GatedConnection", (_GatedConnection,),
                {"gate_path": database_path + ".writer-gate"})


def _make_sqlite_engine(url: str, **kwargs) -> Engine:
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    connect_args.setdefault("check_same_thread", False)
    in_memory = ":memory:" in url or url in ("sqlite://", "sqlite:///")
    database = url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""
    if not in_memory and database and "factory" not in connect_args:
        connect_args["factory"] = _gated_connection_class(os.path.abspath(database))
    engine = create_engine(url, connect_args=connect_args, **kwargs)

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
        gate = getattr(connection.connection.dbapi_connection, "writer_gate", None)
        if gate is None or mode == "DEFERRED":
            connection.exec_driver_sql(f"BEGIN {mode}")
            return
        gate.acquire(SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            gate.release()
            raise

    return engine


def written_in(name: str | None = None, value: int | None = None):
    """An integer bound to a statement but written into its SQL, for LIMIT and OFFSET.

    PostgreSQL keeps one plan for a prepared statement (a generic plan) only when that plan
    costs no more than one made for the values. With LIMIT and OFFSET unknown it guesses a
    tenth of the table, so a paginated statement was planned again on every request (the
    queue's page: 0.85 ms a request re-planned, 0.3 ms with the plan kept). A page size is
    fixed and few offsets are in use: each keeps its own prepared statement."""
    return bindparam(name, value, type_=Integer, literal_execute=True)


def one_page(stmt, *, limit: int, offset: int):
    """`stmt` cut to one page, its bounds written into the SQL (see `written_in`)."""
    return stmt.limit(written_in(value=limit)).offset(written_in(value=offset))


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
