"""Counting the SQL statements a request runs (the query-count tests of the screens and API)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counting(app):
    engine = app.extensions["engine"]
    statements: list[str] = []

    def before(conn, _cursor, statement, *_args):
        # Not the once-a-minute "last seen" of the session record (web/sessions.py): it
        # depends on the clock, not on the page.
        if not conn.get_execution_options().get("bookkeeping"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
