"""The programme history: one hash-chained entry per transition, none for a refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import (
    add_external_remark,
    assess_all,
    new_programme,
    programme_in,
    sign_decision,
)
from tests.workflow.support import events_of
from workflow import audit, audit_verify, operations, review
from workflow.errors import NotAssignedReviewer, WorkflowError
from workflow.states import ProgrammeState


def test_every_transition_leaves_exactly_one_chained_history_entry(world):
    w, s = world, world.session
    p = new_programme(w)

    def step(trigger, actor, reason=""):
        count = len(events_of(s, p.id))
        from_state = p.state
        now = w.clock.tick()
        operations.fire(s, p, trigger, actor, now=now, reason=reason)
        events = events_of(s, p.id)
        assert len(events) == count + 1
        e = events[-1]
        assert (e.seq, e.trigger, e.from_state, e.to_state, e.actor_id, e.reason) == (
            count + 1, trigger, from_state, p.state, actor.id, reason)
        assert e.at == now.replace(microsecond=0)
        assert e.revision_number == p.revision_number
        assert e.prev_hash == (events[-2].hash if count else audit.GENESIS)
        assert audit_verify.verify_history(s) is None

    def signed(trigger):
        """The signature applies the proposal: one more chained entry, by the signatory."""
        count = len(events_of(s, p.id))
        sign_decision(w, p)
        events = events_of(s, p.id)
        assert len(events) == count + 1
        e = events[-1]
        assert (e.seq, e.trigger, e.from_state, e.actor_id) == (
            count + 1, trigger, "decision_pending", w.signatory.id)
        assert e.prev_hash == events[-2].hash
        assert audit_verify.verify_history(s) is None

    step("submit", w.editor)
    step("start_review", w.reviewer)
    remark = add_external_remark(w, p)
    step("return_for_revision", w.reviewer, "Показатели не обоснованы")
    signed("decision_signed_return")
    review.answer_remark(s, p, remark, w.editor, body="Обосновали", now=w.clock.tick())
    # Back to the reviewer who returned it: no second "start_review".
    step("resubmit", w.editor)
    review.resolve_remark(s, p, remark, w.reviewer, now=w.clock.tick())
    for r in w.campaign.requirements:
        review.assess_requirement(s, p, w.reviewer, requirement_id=r.id, verdict="met",
                                  now=w.clock.tick())
    step("approve", w.reviewer)
    signed("decision_signed_approval")
    s.commit()

    events = events_of(s, p.id)
    assert [(e.from_state, e.to_state) for e in events] == [
        ("draft", "submitted"), ("submitted", "in_review"), ("in_review", "decision_pending"),
        ("decision_pending", "returned"), ("returned", "in_review"),
        ("in_review", "decision_pending"), ("decision_pending", "approved")]
    assert [e.revision_number for e in events] == [1, 1, 1, 1, 2, 2, 2]
    assert audit_verify.verify_history(s) is None


def test_a_refused_transition_leaves_no_history(world):
    p = programme_in(world, ProgrammeState.IN_REVIEW)
    assess_all(world, p)
    count = len(events_of(world.session, p.id))
    for trigger, actor in [("approve", world.other_reviewer), ("submit", world.editor),
                           ("return_for_revision", world.reviewer)]:
        with pytest.raises(WorkflowError):
            operations.fire(world.session, p, trigger, actor, now=world.clock.tick(),
                            reason="Причина")
    assert len(events_of(world.session, p.id)) == count
    with pytest.raises(NotAssignedReviewer):
        operations.approve_programme(world.session, p, world.other_reviewer, now=world.clock.tick())
    assert len(events_of(world.session, p.id)) == count


@pytest.mark.parametrize("column", ["reason", "to_state", "actor_id"])
def test_tampering_with_one_history_row_is_named_by_verify_history(world, column):
    w = world
    first = programme_in(w, ProgrammeState.APPROVED, title="Первая")
    programme_in(w, ProgrammeState.RETURNED, title="Вторая")
    w.session.commit()
    events = events_of(w.session, first.id)
    target = events[1]  # a middle row: later rows still chain to its stored hash
    assert audit_verify.verify_history(w.session) is None

    value = {"reason": "'Переписано задним числом'", "to_state": "'approved'",
             "actor_id": str(w.other_reviewer.id)}[column]
    w.session.execute(text(f"UPDATE workflow_event SET {column} = {value} WHERE id = :id"),
                      {"id": target.id})
    w.session.commit()
    w.session.expire_all()

    broken = audit_verify.verify_history(w.session)
    assert broken is not None
    assert (broken.table, broken.row_id) == ("workflow_event", target.id)
    assert str(target.id) in broken.message


def test_a_deleted_history_row_is_reported_as_a_gap(world):
    p = programme_in(world, ProgrammeState.APPROVED)
    world.session.commit()
    events = events_of(world.session, p.id)
    world.session.execute(text("DELETE FROM workflow_event WHERE id = :id"), {"id": events[1].id})
    world.session.commit()
    broken = audit_verify.verify_history(world.session)
    assert broken is not None and broken.row_id == events[2].id
    assert "пропуск" in broken.message


def test_history_rows_cannot_be_updated_through_the_orm(world):
    p = programme_in(world, ProgrammeState.SUBMITTED)
    event = events_of(world.session, p.id)[0]
    event.reason = "Подмена"
    with pytest.raises(RuntimeError, match="append-only"):
        world.session.flush()
