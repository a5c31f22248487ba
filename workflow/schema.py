"""Schema management through Alembic: the only way the schema is created outside tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from .models import Base
from .models.search import BODY_INDEX, FTS_TABLE

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    # Not engine.begin(): the environment switches SQLite's foreign keys off before it
    # opens the migration's transaction (a pragma that is ignored inside one).
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        if connection.in_transaction():
            connection.commit()


def schema_diff(engine: Engine) -> list:
    """Differences between the database and the models; empty when they agree."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            # SQLite's FTS5 table of the search (and its shadow tables) is created by DDL,
            # not declared as a model: see workflow/models/search.py.
            "include_name": lambda name, type_, _parent: not (
                (type_ == "table" and (name or "").startswith(FTS_TABLE))
                or (type_ == "index" and name == BODY_INDEX)),
            # The models' expression index (PostgreSQL only) is compared by name alone:
            # Alembic cannot compare expressions.
            "include_object": lambda _obj, name, type_, _reflected, _other: not (
                type_ == "index" and name == BODY_INDEX),
        })
        return compare_metadata(context, Base.metadata)
