"""The migration that stores redlines computes them for the revisions and working copies that
exist already, so old programmes still show what changed (pages no longer compare texts)."""

from __future__ import annotations

from datetime import date, datetime

from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from workflow.db import make_engine
from workflow.models import ProgrammeSection, Revision, RevisionSection
from workflow.redline import LINES, SAME, WORDS, new_text
from workflow.schema import alembic_config, upgrade

MIGRATION = "0003"
AT = datetime(2026, 3, 1, 9, 0)


def _seed_before_the_migration(conn) -> None:
    """A programme in review at revision 2, written with the schema as it was."""
    ins = lambda sql, **p: conn.execute(text(sql), p)  # noqa: E731
    ins("INSERT INTO municipality (id, code, name, kind, authority_name, head_name, active) "
        "VALUES (1, 'm', 'Хасанский', 'округ', 'Управление образования', 'Васильева', :t)", t=True)
    for uid, login, role, muni in ((1, "editor", "municipal_editor", 1), (2, "reviewer", "reviewer", None)):
        ins("INSERT INTO user_account (id, login, full_name, position, phone, email, role, "
            "municipality_id, password_hash, active, session_epoch, created_at) VALUES "
            "(:id, :login, :login, '', '', '', :role, :muni, 'x', :t, 0, :at)",
            id=uid, login=login, role=role, muni=muni, t=True, at=AT)
    ins("INSERT INTO campaign (id, title, legal_basis, deadline, created_at) "
        "VALUES (1, 'Кампания', 'Основание', :d, :at)", d=date(2026, 5, 1), at=AT)
    for rid in (1, 2, 3):
        ins("INSERT INTO requirement (id, campaign_id, position, text) VALUES (:id, 1, :id, 'Т')",
            id=rid)
    ins("INSERT INTO programme (id, campaign_id, municipality_id, title, period_from, period_to, "
        "responsible_name, responsible_position, responsible_phone, state, version, "
        "revision_number, reviewer_id, created_by_id, created_at, updated_at, updated_by_id) VALUES "
        "(1, 1, 1, 'Программа', 2026, 2028, '', '', '', 'in_review', 5, 2, 2, 1, :at, :at, 1)", at=AT)
    texts = {1: {1: "План на 2025 год, утверждён.", 2: "a " * 1000, 3: "Без правок"},
             2: {1: "План на 2026 год утверждён.", 2: "b " * 1000, 3: "Без правок"}}
    section_id = 0
    for number, sections in texts.items():
        ins("INSERT INTO revision (id, programme_id, number, created_at, created_by_id) "
            "VALUES (:n, 1, :n, :at, 1)", n=number, at=AT)
        for rid, body in sections.items():
            section_id += 1
            ins("INSERT INTO revision_section (id, revision_id, requirement_id, text) "
                "VALUES (:id, :n, :rid, :body)", id=section_id, n=number, rid=rid, body=body)
    for rid, body in texts[2].items():
        ins("INSERT INTO programme_section (id, programme_id, requirement_id, text) "
            "VALUES (:id, 1, :rid, :body)", id=rid, rid=rid, body=body)


def test_existing_revisions_and_working_copies_get_their_redline(scratch_db_url):
    engine = make_engine(scratch_db_url)
    try:
        before = ScriptDirectory.from_config(alembic_config(scratch_db_url)) \
            .get_revision(MIGRATION).down_revision
        upgrade(engine, before)
        with engine.begin() as conn:
            _seed_before_the_migration(conn)

        upgrade(engine)

        with Session(engine) as s:
            stored = {(number, sec.requirement_id): sec for number, sec in s.execute(
                select(Revision.number, RevisionSection)
                .join(Revision, Revision.id == RevisionSection.revision_id))}
            assert {stored[(1, rid)].redline_method for rid in (1, 2, 3)} == {None}
            assert stored[(2, 1)].redline_method == WORDS
            assert stored[(2, 1)].redline == [
                ["eq", "План на "], ["del", "2025"], ["ins", "2026"], ["eq", " год"],
                ["del", ","], ["eq", " утверждён."]]
            assert stored[(2, 2)].redline_method == LINES
            assert new_text(stored[(2, 2)].redline) == "b " * 1000
            assert (stored[(2, 3)].redline_method, stored[(2, 3)].redline) == (SAME, None)
            working = s.scalars(select(ProgrammeSection)).all()
            assert {(w.redline_base, w.redline_method) for w in working} == {(2, SAME)}
    finally:
        engine.dispose()
