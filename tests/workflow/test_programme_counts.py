"""The queue's tab counters (programme_count, kept by database triggers) always agree with
counting `programme`, however the rows change: operations through the ORM, a bulk UPDATE
(reassignment), a bulk DELETE (a deleted draft), plain inserts."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select

from tests.factories import new_programme, programme_in
from workflow import drafts, operations, queue, reassignment
from workflow.models import Campaign, Programme, ProgrammeCount, Requirement
from workflow.states import ProgrammeState

S = ProgrammeState


def _counted(session) -> dict:
    return {(c, s, r): n for c, s, r, n in session.execute(
        select(ProgrammeCount.campaign_id, ProgrammeCount.state, ProgrammeCount.reviewer_key,
               ProgrammeCount.n).where(ProgrammeCount.n != 0))}


def _scanned(session) -> dict:
    key = func.coalesce(Programme.reviewer_id, 0)
    return {(c, s, r): n for c, s, r, n in session.execute(
        select(Programme.campaign_id, Programme.state, key, func.count())
        .group_by(Programme.campaign_id, Programme.state, key))}


def test_the_counters_follow_every_kind_of_change(world):
    w = world
    s = w.session
    for state in (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RETURNED, S.APPROVED, S.WITHDRAWN):
        programme_in(w, state, title=f"Программа «{state}»")
    s.flush()
    assert _counted(s) == _scanned(s) and _counted(s)

    taken = programme_in(w, S.IN_REVIEW, title="Передаётся")
    reassignment.reassign_review(s, taken, w.admin, w.other_reviewer, now=w.clock.tick(),
                                 reason="Эксперт в командировке")
    s.flush()
    assert _counted(s) == _scanned(s)
    assert _counted(s)[(w.campaign.id, "in_review", w.other_reviewer.id)] == 1

    draft = new_programme(w, title="Удаляемый черновик")
    s.flush()
    drafts.delete_draft(s, draft, w.editor, now=w.clock.tick())
    operations.submit_programme(s, new_programme(w, title="Ещё одна"), w.editor,
                                now=w.clock.tick())
    s.flush()
    assert _counted(s) == _scanned(s)

    s.execute(insert(Programme), [dict(
        campaign_id=w.campaign.id, municipality_id=w.foreign.id, title=f"Вставлена {i}",
        period_from=2026, period_to=2028, state="draft", version=1, revision_number=0,
        created_by_id=w.editor.id, created_at=w.clock(), updated_at=w.clock(),
        responsible_name="", responsible_position="", responsible_phone="") for i in range(3)])
    s.execute(delete(Programme).where(Programme.title == "Вставлена 0"))
    s.commit()
    assert _counted(s) == _scanned(s)


def test_the_tab_counts_read_from_the_counters_equal_a_count_of_the_table(world):
    w = world
    s = w.session
    for i, state in enumerate((S.DRAFT, S.SUBMITTED, S.SUBMITTED, S.IN_REVIEW, S.RETURNED)):
        programme_in(w, state, title=f"Программа {i}")
    s.flush()
    today = w.campaign.deadline.replace(year=w.campaign.deadline.year + 1)  # drafts are late
    for actor in (w.reviewer, w.other_reviewer, w.admin):
        for kwargs in ({}, {"campaign_id": w.campaign.id}, {"state": "submitted"}):
            counted = queue.QueueFilters(actor, **kwargs)
            assert counted.counters_apply
            # A municipality filter makes the same query count the table itself.
            scanned = queue.QueueFilters(actor, municipality_id=w.own.id, **kwargs)
            assert not scanned.counters_apply
            assert queue.tab_counts(s, counted, today) == queue.tab_counts(s, scanned, today)
    counts = queue.tab_counts(s, queue.QueueFilters(w.reviewer), today)
    assert counts == {"submitted": 2, "mine": 1, "returned": 1, "overdue": 1, "all": 5}


def test_the_counts_come_with_the_campaigns_of_the_filter(world):
    """The list page's one statement for both (queue.tab_counts_and_campaigns): the counts of
    `tab_counts`, under every kind of filter, beside every campaign, the latest deadline first."""
    w = world
    s = w.session
    today = w.campaign.deadline
    empty = queue.QueueFilters(w.reviewer)
    s.execute(delete(Requirement))
    s.execute(delete(Campaign))
    assert queue.tab_counts_and_campaigns(s, empty, today) == (
        {"submitted": 0, "mine": 0, "returned": 0, "overdue": 0, "all": 0}, [])
    s.rollback()

    later = Campaign(title="Вторая кампания", legal_basis="Указ", created_at=w.clock(),
                     deadline=w.campaign.deadline.replace(year=w.campaign.deadline.year + 1))
    s.add(later)
    for i, state in enumerate((S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RETURNED)):
        programme_in(w, state, title=f"Программа {i}")
    s.flush()
    for kwargs in ({}, {"campaign_id": w.campaign.id}, {"state": "submitted"},
                   {"municipality_id": w.own.id}, {"municipality_name": "Хасан"}):
        filters = queue.QueueFilters(w.reviewer, **kwargs)
        counts, campaigns = queue.tab_counts_and_campaigns(s, filters, today)
        assert counts == queue.tab_counts(s, filters, today), kwargs
        assert campaigns == [(later.id, "Вторая кампания"), (w.campaign.id, w.campaign.title)]
    assert queue.tab_counts_and_campaigns(s, queue.QueueFilters(w.reviewer), today)[0]["all"] == 4


def test_the_migrated_schema_has_the_triggers(tmp_path):
    """After every migration (a later one that rebuilds `programme` on SQLite would drop
    them: it must install them again, see programme_count.trigger_statements)."""
    from sqlalchemy import text

    from workflow import schema
    from workflow.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    schema.upgrade(engine)
    with engine.connect() as conn:
        names = set(conn.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'programme'")))
    engine.dispose()
    assert {"programme_count_insert", "programme_count_delete",
            "programme_count_update"} <= names
