"""The Alembic migrations build, on an empty database, exactly the schema the models declare.

These tests use their own databases: the session's `engine` was built with `create_all`."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from workflow.db import make_engine, normalise_url
from workflow.models import Base
from workflow.models.search import FTS_TABLE
from workflow.schema import schema_diff, upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL")
MIGRATION_DB = "test_engine_mig"


@pytest.fixture
def sqlite_empty(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_empty():
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
    url = make_url(normalise_url(PG_URL))
    maintenance = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop():
        with maintenance.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {MIGRATION_DB} WITH (FORCE)"))

    drop()
    with maintenance.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {MIGRATION_DB}"))
    engine = make_engine(url.set(database=MIGRATION_DB).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        drop()
        maintenance.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_upgrade_on_an_empty_database_matches_the_models(request, backend):
    engine = request.getfixturevalue(f"{backend}_empty")
    assert inspect(engine).get_table_names() == []

    upgrade(engine)

    # SQLite's FTS5 search table and its shadow tables are DDL, not models (models/search.py).
    tables = {t for t in inspect(engine).get_table_names() if not t.startswith(FTS_TABLE)}
    assert set(Base.metadata.tables) | {"alembic_version"} == tables
    assert schema_diff(engine) == []
    with engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert head

    # Idempotent: a second upgrade is a no-op.
    upgrade(engine)
    assert schema_diff(engine) == []


def test_schema_diff_notices_a_missing_column(sqlite_empty):
    """The comparison above can fail: drop a column and it is reported."""
    upgrade(sqlite_empty)
    with sqlite_empty.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE remark_reply DROP COLUMN body")
    diff = schema_diff(sqlite_empty)
    assert any(d[0] == "add_column" and d[3].name == "body" for d in diff), diff


def test_migration_0007_keeps_the_heads_name_in_parts(sqlite_empty):
    """The one-line head name of existing municipalities survives as surname, name, patronymic."""
    upgrade(sqlite_empty, "0002")
    with sqlite_empty.begin() as conn:
        conn.execute(text(
            "INSERT INTO municipality (code, name, kind, authority_name, head_name, active) VALUES "
            "('khasan', 'Хасанский муниципальный округ', '', 'Управление образования', "
            "'Васильева Елена Александровна', 1), "
            "('nobody', 'Без руководителя', '', '', '', 1), "
            "('turk', 'Тестовый округ', '', '', 'Мамедов Алиф Гасан оглы', 1)"))
    upgrade(sqlite_empty, "0007")
    with sqlite_empty.connect() as conn:
        rows = conn.execute(text(
            "SELECT code, authority_name, head_surname, head_first_name, head_patronymic, "
            "head_position_dative FROM municipality ORDER BY code")).all()
    assert [tuple(r) for r in rows] == [
        ("khasan", "Управление образования", "Васильева", "Елена", "Александровна", ""),
        ("nobody", "", "", "", "", ""),
        ("turk", "", "Мамедов", "Алиф", "Гасан оглы", ""),
    ]
