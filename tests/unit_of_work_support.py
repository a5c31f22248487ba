"""Helpers of the unit-of-work tests of the screens and the API (web/work.py): a use case
made to fail after it wrote, a last step the database refuses, and counts of what was
really committed."""

from __future__ import annotations

from sqlalchemy import func, select

from workflow.models import Municipality


def committed_count(world, model, *where) -> int:
    """Rows of `model` the app under test committed (`where` narrows them)."""
    world.session.rollback()  # a new transaction sees what the app committed
    try:
        return world.session.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        world.session.rollback()  # and holds no lock while the app works (SQLite)


def fail_after(monkeypatch, module, name: str, last_step) -> None:
    """`module.name` (a use case taking the session first) writes and flushes, then
    `last_step(session)` runs in the same transaction (to fail it)."""
    real = getattr(module, name)

    def use_case(session, *args, **kw):
        result = real(session, *args, **kw)
        session.flush()
        last_step(session)
        return result

    monkeypatch.setattr(module, name, use_case)


def duplicate_municipality(world):
    """A last step the domain did not check and the database refuses (a unique code)."""
    code = world.own.code
    world.session.rollback()

    def duplicate(session):
        session.add(Municipality(code=code, name="Дубль"))
        session.flush()

    return duplicate
