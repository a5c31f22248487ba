"""Stale forms and concurrent actors: of two people acting on the same version, exactly one wins,
and the other is told who changed the programme."""

from __future__ import annotations

import multiprocessing
import queue as queue_module

import pytest
from sqlalchemy import func, select

from tests.factories import add_external_remark, assess_all, new_programme, programme_in
from tests.workflow.support import snapshot
from tests.workflow.workers import race_start_review
from workflow import operations, programme_access, programme_drafting
from workflow.errors import IllegalTransition, StaleVersion
from workflow.models import Decision, Programme, User, WorkflowEvent
from workflow.states import ProgrammeState, Role
from workflow.users import create_user

# ------------------------------------------------------------------ stale versions


def test_a_transition_on_an_older_version_is_refused_naming_who_changed_it(world):
    p = programme_in(world, ProgrammeState.SUBMITTED)
    seen = p.version
    taken_at = world.clock.tick()
    operations.start_review(world.session, p, world.other_reviewer, now=taken_at,
                            expected_version=seen)
    before = snapshot(world.session, p.id)

    with pytest.raises(StaleVersion) as caught:
        operations.start_review(world.session, p, world.reviewer, now=world.clock.tick(),
                                expected_version=seen)
    exc = caught.value
    assert exc.changed_by == world.other_reviewer.full_name
    assert exc.changed_at == taken_at
    assert world.other_reviewer.full_name in exc.message
    assert taken_at.strftime("%d.%m.%Y %H:%M") in exc.message
    assert snapshot(world.session, p.id) == before
    assert p.reviewer_id == world.other_reviewer.id


def test_update_draft_with_a_stale_version_names_the_transition_that_changed_it(world):
    p = programme_in(world, ProgrammeState.RETURNED)
    form_version = p.version - 1  # opened before the return took effect
    with pytest.raises(StaleVersion) as caught:
        programme_drafting.update_draft(world.session, p, world.editor, now=world.clock.tick(),
                                        expected_version=form_version,
                                        sections={world.campaign.requirements[0].id: "Новый текст"})
    # The return took effect when the signatory signed its letter: that is the change named.
    assert caught.value.changed_by == world.signatory.full_name
    assert p.section_for(world.campaign.requirements[0].id).text == "Текст раздела 1"


def test_update_draft_with_a_stale_version_after_another_save_names_who_saved(world):
    """A draft save writes no history, but the row records who saved it: the error names
    that person and the time of the save, not the author of an older transition."""
    p = programme_in(world, ProgrammeState.RETURNED)
    rid = world.campaign.requirements[1].id
    form_version = p.version
    saved_at = world.clock.tick()
    programme_drafting.update_draft(world.session, p, world.editor, now=saved_at,
                                    expected_version=form_version, sections={rid: "Первое сохранение"})
    with pytest.raises(StaleVersion) as caught:
        programme_drafting.update_draft(world.session, p, world.editor, now=world.clock.tick(),
                                        expected_version=form_version, sections={rid: "Второе сохранение"})
    assert caught.value.changed_by == world.editor.full_name
    assert caught.value.changed_at == saved_at
    assert world.reviewer.full_name not in caught.value.message
    assert p.section_for(rid).text == "Первое сохранение"
    assert p.version == form_version + 1


def test_a_transition_on_a_form_older_than_a_draft_save_is_stale(world):
    p = new_programme(world)
    programme_drafting.update_draft(world.session, p, world.editor, now=world.clock.tick(),
                                    expected_version=1,
                                    fields=programme_drafting.DraftFields(title="Новое название", period_from=2026,
                                                                  period_to=2027))
    with pytest.raises(StaleVersion):
        operations.submit_programme(world.session, p, world.editor, now=world.clock.tick(),
                                    expected_version=1)
    assert p.state == ProgrammeState.DRAFT
    operations.submit_programme(world.session, p, world.editor, now=world.clock.tick(),
                                expected_version=2)
    assert p.state == ProgrammeState.SUBMITTED


# ------------------------------------------------------------------ two sessions


def _open(factory, programme_id):
    """Load the programme and end the read transaction (SQLite holds the write lock in it)."""
    session = factory()
    programme = session.get(Programme, programme_id)
    seen = programme.version
    session.commit()
    return session, programme, seen


def _events(factory, programme_id, *triggers):
    with factory() as s:
        return s.scalar(select(func.count(WorkflowEvent.id)).where(
            WorkflowEvent.programme_id == programme_id, WorkflowEvent.trigger.in_(triggers)))


def _approve(session, programme, reviewer, now, seen):
    operations.approve_programme(session, programme, reviewer, now=now, expected_version=seen)


def _return(session, programme, reviewer, now, seen):
    operations.return_for_revision(session, programme, reviewer, now=now, reason="Доработать",
                                   expected_version=seen)


@pytest.mark.parametrize("winner", ["approve", "return_for_revision"])
def test_approve_and_return_at_once_exactly_one_wins(world, session_factory, winner):
    p = programme_in(world, ProgrammeState.IN_REVIEW)
    if winner == "approve":
        assess_all(world, p)
        first, second, kind = _approve, _return, "approve"
    else:
        add_external_remark(world, p)
        first, second, kind = _return, _approve, "return"
    dest = ProgrammeState.DECISION_PENDING  # a proposal, waiting for its letter's signature
    world.session.commit()
    pid, reviewer_id = p.id, world.reviewer.id

    s1, p1, seen1 = _open(session_factory, pid)
    s2, p2, seen2 = _open(session_factory, pid)
    assert seen1 == seen2
    try:
        first(s1, p1, s1.get(User, reviewer_id), world.clock.tick(), seen1)
        s1.commit()
        with pytest.raises(StaleVersion) as caught:
            second(s2, p2, s2.get(User, reviewer_id), world.clock.tick(), seen2)
        s2.rollback()
        assert caught.value.changed_by == world.reviewer.full_name
    finally:
        s1.close()
        s2.close()

    with session_factory() as s:
        row = s.get(Programme, pid)
        assert (row.state, row.version) == (dest, seen1 + 1)
        # Exactly one decision started, the winner's.
        assert s.scalars(select(Decision.kind).where(Decision.programme_id == pid)).all() == [kind]
    assert _events(session_factory, pid, "approve", "return_for_revision") == 1


def test_the_compare_and_set_alone_stops_the_second_writer(world, session_factory, monkeypatch):
    """Without the row lock and reload, the loser acts on its stale in-memory row: the
    `UPDATE ... WHERE version = :seen` must still match nothing and refuse it."""
    p = programme_in(world, ProgrammeState.SUBMITTED)
    world.session.commit()
    pid = p.id
    s1, p1, seen = _open(session_factory, pid)
    s2, p2, _ = _open(session_factory, pid)
    monkeypatch.setattr(programme_access, "lock_programme", lambda session, programme: None)
    try:
        operations.start_review(s1, p1, s1.get(User, world.reviewer.id), now=world.clock.tick(),
                                expected_version=seen)
        s1.commit()
        with pytest.raises(StaleVersion) as caught:
            operations.start_review(s2, p2, s2.get(User, world.other_reviewer.id),
                                    now=world.clock.tick(), expected_version=seen)
        s2.rollback()
        assert caught.value.changed_by == world.reviewer.full_name
    finally:
        s1.close()
        s2.close()
    with session_factory() as s:
        assert s.get(Programme, pid).reviewer_id == world.reviewer.id
    assert _events(session_factory, pid, "start_review") == 1


def test_the_compare_and_set_checks_the_version_not_only_the_state(world, session_factory,
                                                                   monkeypatch):
    """A draft saved in another tab keeps its state but not its version: without the lock,
    a submit from the older form must still be refused by the `version = :seen` condition."""
    p = programme_in(world, ProgrammeState.DRAFT)
    world.session.commit()
    pid, editor_id, rid = p.id, world.editor.id, world.campaign.requirements[0].id
    s1, p1, seen = _open(session_factory, pid)
    s2, p2, _ = _open(session_factory, pid)
    monkeypatch.setattr(programme_access, "lock_programme", lambda session, programme: None)
    try:
        programme_drafting.update_draft(s1, p1, s1.get(User, editor_id), now=world.clock.tick(),
                                        expected_version=seen, sections={rid: "Сохранено в другой вкладке"})
        s1.commit()
        with pytest.raises(StaleVersion):
            operations.submit_programme(s2, p2, s2.get(User, editor_id), now=world.clock.tick(),
                                        expected_version=seen)
        s2.rollback()
    finally:
        s1.close()
        s2.close()
    with session_factory() as s:
        row = s.get(Programme, pid)
        assert (row.state, row.version) == (ProgrammeState.DRAFT, seen + 1)
    assert _events(session_factory, pid, "submit") == 0


def test_a_double_click_fires_once(world, session_factory):
    p = programme_in(world, ProgrammeState.DRAFT)
    world.session.commit()
    s1, p1, seen = _open(session_factory, p.id)
    s2, p2, _ = _open(session_factory, p.id)
    try:
        operations.submit_programme(s1, p1, s1.get(User, world.editor.id), now=world.clock.tick(),
                                    expected_version=seen)
        s1.commit()
        with pytest.raises(StaleVersion):
            operations.submit_programme(s2, p2, s2.get(User, world.editor.id),
                                        now=world.clock.tick(), expected_version=seen)
        s2.rollback()
        # Without a version from the form, the reloaded state decides: it is no longer a draft.
        with pytest.raises(IllegalTransition):
            operations.submit_programme(s2, p2, s2.get(User, world.editor.id),
                                        now=world.clock.tick())
        s2.rollback()
    finally:
        s1.close()
        s2.close()
    assert _events(session_factory, p.id, "submit") == 1


# ------------------------------------------------------------------ many processes

PROCESSES = 6


def _collect(q, n, timeout=180):
    results = []
    for _ in range(n):
        try:
            results.append(q.get(timeout=timeout))
        except queue_module.Empty:
            pytest.fail(f"only {len(results)} of {n} workers reported: {results}")
    return results


@pytest.mark.slow
def test_six_reviewers_start_review_at_once_exactly_one_wins(world, session_factory, db_url):
    p = programme_in(world, ProgrammeState.SUBMITTED)
    reviewers = [
        create_user(world.session, login=f"racer{i}", full_name=f"Гонщик Эксперт {i}",
                    role=Role.REVIEWER, password="x" * 12, now=world.clock(),
                    enforce_policy=False)
        for i in range(PROCESSES)
    ]
    world.session.commit()
    pid, seen, ids = p.id, p.version, [r.id for r in reviewers]
    world.session.close()

    ctx = multiprocessing.get_context("spawn")
    barrier, q = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=race_start_review, args=(db_url, pid, rid, barrier, q))
             for rid in ids]
    for proc in procs:
        proc.start()
    try:
        results = _collect(q, PROCESSES)
    finally:
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()
    assert not [r for r in results if r[1] == "error"], results
    winners = [r for r in results if r[1] == "ok"]
    losers = [r for r in results if r[1] != "ok"]
    assert len(winners) == 1, results
    assert all(r[2] == seen for r in winners)
    assert [r[1] for r in losers] == ["StaleVersion"] * (PROCESSES - 1), results

    with session_factory() as s:
        row = s.get(Programme, pid)
        assert (row.state, row.version, row.reviewer_id) == (
            ProgrammeState.IN_REVIEW, seen + 1, winners[0][0])
        winner_name = s.get(User, winners[0][0]).full_name
    assert all(winner_name in r[2] for r in losers)
    assert _events(session_factory, pid, "start_review") == 1
