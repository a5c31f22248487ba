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
    # Beside the tests' database (each pytest-xdist worker has its own, tests/conftest.py).
    name = f"{url.database}_migrations"
    maintenance = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop():
        with maintenance.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with maintenance.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
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


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migration_0015_indexes_the_texts_written_before_it(request, backend):
    """Search documents are built for existing programmes, sections and remarks, and the
    PostgreSQL expression index (which the schema comparison cannot see) exists."""
    engine = request.getfixturevalue(f"{backend}_empty")
    upgrade(engine, "0009")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO municipality (id, code, name, kind, name_genitive, name_dative, "
            "name_prepositional, authority_name, authority_name_dative, head_position, "
            "head_position_dative, head_surname, head_first_name, head_patronymic, active) VALUES "
            "(1, 'artem', 'Артём', '', '', '', '', '', '', '', '', '', '', '', true)"))
        conn.execute(text(
            "INSERT INTO user_account (id, login, full_name, position, phone, email, role, "
            "municipality_id, password_hash, active, session_epoch, created_at) VALUES "
            "(1, 'e', 'E', '', '', '', 'municipal_editor', 1, 'x', true, 0, '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO campaign (id, title, legal_basis, deadline, created_at) VALUES "
            "(1, 'К', '', '2026-06-01', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO requirement (id, campaign_id, position, text) VALUES (1, 1, 1, 'Т')"))
        conn.execute(text(
            "INSERT INTO programme (id, campaign_id, municipality_id, title, period_from, period_to, "
            "responsible_name, responsible_position, responsible_phone, state, version, "
            "revision_number, created_by_id, created_at, updated_at) VALUES "
            "(1, 1, 1, 'Программа развития', 2026, 2027, '', '', '', 'draft', 1, 0, 1, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO programme_section (id, programme_id, requirement_id, text) "
                          "VALUES (1, 1, 1, 'Наставничество в школах')"))
    upgrade(engine)
    from sqlalchemy.orm import Session

    from workflow import search

    with Session(engine) as s:
        assert {h.kind for h in search.search(s, "программы")} == {"title"}
        assert {h.kind for h in search.search(s, "школа")} == {"section"}
    if backend == "postgres":
        with engine.connect() as conn:
            names = set(conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'search_document'")).scalars())
        assert "ix_search_document_body_russian" in names
