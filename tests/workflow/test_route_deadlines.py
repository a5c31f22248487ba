"""Route stage tasks past their limit are escalated once: the participant the day before, the
participant and the heads of department when late."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import assess_all, programme_in
from workflow import deadlines, operations
from workflow.models import Notification, StageTask
from workflow.states import ProgrammeState


def _kinds(session, user):
    return [n.kind for n in session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.id))]


def test_a_late_task_is_escalated_once_to_its_assignee_and_the_heads(session, world, clock):
    w = world
    w.other_reviewer.heads_department = True
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    assess_all(w, p)
    operations.approve_programme(session, p, w.reviewer, now=clock.tick())
    session.commit()
    [task] = session.scalars(select(StageTask).where(StageTask.state == "open"))
    assignee = task.assignee_id
    late_day = task.due_on + timedelta(days=1)

    before = deadlines.escalate_overdue_tasks(session, task.due_on - timedelta(days=30), clock())
    assert before == 0
    assert deadlines.escalate_overdue_tasks(session, late_day, clock()) == 1
    session.commit()
    assert deadlines.escalate_overdue_tasks(session, late_day, clock()) == 0  # only once
    assert deadlines.escalate_overdue_tasks(session, late_day + timedelta(days=3), clock()) == 0
    session.commit()
    signatory_kinds = _kinds(session, session.get(type(w.signatory), assignee))
    assert signatory_kinds.count("task.overdue") == 1
    assert _kinds(session, w.other_reviewer).count("task.overdue") == 1
    assert "task.overdue" not in _kinds(session, w.editor)
