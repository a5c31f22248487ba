"""Full-text search with Russian morphology on both databases: the index follows the
operations that write titles, sections and remarks, in their transaction."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import add_external_remark, new_programme, programme_in
from workflow import programme_drafting, search
from workflow.models import SearchDocument
from workflow.states import ProgrammeState


def _titles(session, query):
    return [(h.kind, h.title) for h in search.search(session, query)]


def test_an_inflected_word_finds_the_others(session, world):
    new_programme(world, title="Программа развития профориентации")
    session.commit()
    assert ("title", "Программа развития профориентации") in _titles(session, "программы")
    assert ("title", "Программа развития профориентации") in _titles(session, "ПРОГРАММОЙ")
    assert _titles(session, "бюджет") == []
    assert search.search(session, "   ") == []


def test_sections_and_remarks_are_found_with_a_highlighted_escaped_snippet(session, world):
    p = programme_in(world, ProgrammeState.IN_REVIEW, title="Программа <b>жирная</b>")
    add_external_remark(world, p, "Уточните целевые показатели по школам & колледжам")
    section = p.sections[1]
    session.commit()
    hits = search.search(session, "показатель колледжи")
    assert [h.kind for h in hits] == ["remark"]
    assert str(hits[0].snippet) == ("Уточните целевые <mark>показатели</mark> по школам &amp; "
                                    "<mark>колледжам</mark>")
    hits = search.search(session, "жирный")
    assert hits and hits[0].title == "Программа <b>жирная</b>"
    assert "<b>" not in str(hits[0].snippet) and "&lt;b&gt;<mark>жирная</mark>" in str(hits[0].snippet)
    assert any(h.kind == "section" for h in search.search(session, f"раздела {section.text.split()[-1]}"))


def test_saving_a_draft_reindexes_title_and_sections_in_the_same_transaction(session, world):
    p = new_programme(world, title="Старое название")
    session.commit()
    req = world.campaign.requirements[0]
    programme_drafting.update_draft(session, p, world.editor, now=world.clock.tick(),
                                    fields=programme_drafting.DraftFields(title="Цифровая образовательная среда",
                                                                  period_from=2026, period_to=2028),
                            sections={req.id: "Оснащение кабинетов информатики"})
    # Visible inside the transaction, before the commit.
    assert _titles(session, "кабинет")
    session.rollback()
    assert _titles(session, "кабинет") == []
    assert _titles(session, "старые") != []
    programme_drafting.update_draft(session, p, world.editor, now=world.clock.tick(),
                                    fields=programme_drafting.DraftFields(title="Цифровая образовательная среда",
                                                                  period_from=2026, period_to=2028),
                            sections={req.id: "Оснащение кабинетов информатики"})
    session.commit()
    assert ("section", "Цифровая образовательная среда") in _titles(session, "кабинетами")
    assert _titles(session, "старое") == []
    kinds = sorted(session.scalars(select(SearchDocument.kind).where(SearchDocument.programme_id == p.id)))
    assert kinds == ["section", "section", "section", "title"]


def test_rebuild_indexes_every_existing_text(session, world):
    p = programme_in(world, ProgrammeState.RETURNED, title="Программа для перестройки индекса")
    session.commit()
    before = sorted(session.execute(select(SearchDocument.kind, SearchDocument.ref_id)).all())
    count = search.rebuild(session.connection())
    session.commit()
    after = sorted(session.execute(select(SearchDocument.kind, SearchDocument.ref_id)).all())
    assert count == len(after) == len(before) and after == before
    assert p.id in {h.programme_id for h in search.search(session, "перестройка индексов")}


def test_query_syntax_is_not_interpreted(session, world):
    new_programme(world, title="Программа OR NOT")
    session.commit()
    for hostile in ('"', "NOT", "a*", "'; DROP TABLE programme; --", "NEAR(a b)", "программа)"):
        search.search(session, hostile)  # no error on either database


def test_postgresql_answers_from_the_gin_index(session, world):
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite answers from the FTS5 table, which has no other way
    from sqlalchemy import text

    new_programme(world, title="Программа с индексом")
    session.commit()
    session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(session.scalars(text(
        "EXPLAIN SELECT id FROM search_document WHERE "
        "to_tsvector('russian'::regconfig, body) @@ plainto_tsquery('russian'::regconfig, 'программы')")))
    assert "ix_search_document_body_russian" in plan
