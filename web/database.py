"""One SQLAlchemy session per request; the handler commits once, teardown rolls back."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from workflow.audit import AuditConfig, load_or_create_key
from workflow.db import is_sqlite, make_engine, make_session_factory, read_only_engine


def audit_config(app: Flask) -> AuditConfig:
    """The audit key never enters the database: AUDIT_KEY, else a file in instance/
    (created on first start, mode 0600). The checkpoint lives outside the database too."""
    key = app.config.get("AUDIT_KEY")
    key = key.encode() if isinstance(key, str) else key
    if not key:
        key = load_or_create_key(app.config["AUDIT_KEY_FILE"])
    directory = app.config.get("AUDIT_CHECKPOINT_DIR")
    return AuditConfig(key, Path(directory) if directory else None)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    audit = audit_config(app)
    app.extensions["engine"] = engine
    app.extensions["audit"] = audit
    app.extensions["session_factory"] = make_session_factory(engine, audit)
    app.extensions["read_session_factory"] = _read_session_factory(engine, audit)
    app.teardown_appcontext(_close_session)


def _read_session_factory(engine: Engine, audit: AuditConfig) -> sessionmaker[Session]:
    """The sessions of GET and HEAD requests, which only read.

    SQLite: transactions that do not take the write lock. PostgreSQL: no transaction at all
    (autocommit). Under READ COMMITTED every statement sees its own snapshot anyway, so a page
    reads exactly what it read inside a transaction, without the two round trips of BEGIN
    and ROLLBACK around it (a signed-in page's one statement cost three). A GET that tried to
    write would have each statement committed on its own: it is refused instead."""
    if is_sqlite(engine):
        return make_session_factory(read_only_engine(engine), audit)
    factory = make_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"), audit)

    @event.listens_for(factory, "before_flush")
    def _no_flush(session, _context, _instances):
        if session.new or session.deleted or any(
                session.is_modified(obj) for obj in session.dirty):
            raise RuntimeError("a GET or HEAD request may not write (read-only session)")

    @event.listens_for(factory, "do_orm_execute")
    def _no_dml(state):
        if state.is_insert or state.is_update or state.is_delete:
            raise RuntimeError("a GET or HEAD request may not write (read-only session)")

    return factory


def db() -> Session:
    """The request's session. GET and HEAD requests read without taking SQLite's write lock."""
    if "db_session" not in g:
        from flask import request

        factory_name = "session_factory"
        try:
            if request.method in ("GET", "HEAD"):
                factory_name = "read_session_factory"
        except RuntimeError:  # outside a request (CLI)
            pass
        g.db_session = current_app.extensions[factory_name]()
    return g.db_session


def now():
    return current_app.config["CLOCK"]()


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
