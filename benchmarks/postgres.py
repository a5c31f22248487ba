"""The PostgreSQL database a benchmark is given, emptied before the run."""

from __future__ import annotations


def empty_public_schema(url: str) -> None:
    """Drop and recreate the schema `public`: the database as new, for a run that migrates or
    creates its tables."""
    from sqlalchemy import text

    from workflow.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
