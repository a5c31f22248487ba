"""Alembic environment: the URL comes from the caller's Config (see workflow.schema)."""

from alembic import context

from workflow.db import make_engine
from workflow.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """SQLite's batch migrations rebuild a table (copy, drop, rename); with foreign keys
    enforced, dropping a table that other rows reference fails. The pragma is a no-op inside
    a transaction, so it is set on the driver connection before Alembic begins one."""
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        return
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _run(connection) -> None:
    _sqlite_foreign_keys(connection, on=False)
    try:
        _migrate(connection)
    finally:
        _sqlite_foreign_keys(connection, on=True)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            # The rebuilt tables must still satisfy every reference before this commits.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken references: {broken[:5]}")


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
