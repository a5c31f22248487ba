"""One unit of work for a screen handler: the request's session, committed once on success,
rolled back on any error (the handler then re-renders with the Russian message)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from .database import db


@contextmanager
def unit_of_work() -> Iterator[Session]:
    session = db()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
