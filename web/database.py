"""One SQLAlchemy session per request; the handler commits once, teardown rolls back."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from workflow.db import make_engine, make_session_factory, read_only_engine


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["session_factory"] = make_session_factory(engine)
    app.extensions["read_session_factory"] = make_session_factory(read_only_engine(engine))
    app.teardown_appcontext(_close_session)


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
