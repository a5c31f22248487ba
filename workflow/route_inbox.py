"""A user's inbox of route tasks: the open tasks they may act on now, their own and their
absent principals', on the current stage of an active decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import substitution
from .models import Decision, Programme, StageTask, User
from .route_stages import local_today
from .states import DecisionState, TaskState


@dataclass(frozen=True)
class OpenTask:
    task_id: int
    task_version: int
    decision_id: int
    decision_kind: str  # "approve" | "return"
    programme_id: int
    programme_title: str
    municipality: str
    letter_id: int
    stage_position: int
    stage_name: str
    stage_kind: str  # "review" | "endorse" | "sign"
    due_on: date
    overdue: bool
    # The absent user the caller would act for, or None when the task is the caller's own.
    on_behalf_of_id: int | None
    on_behalf_of: str | None


def waiting_now():
    """WHERE clauses (StageTask joined to its Decision): the task is open, on the current
    stage of an active decision. The inbox and the navigation's badge count the same tasks."""
    return (StageTask.state == TaskState.OPEN, Decision.state == DecisionState.ACTIVE,
            Decision.current_stage == StageTask.stage_position)


def open_tasks_for(session: Session, user: User, now: datetime) -> list[OpenTask]:
    """The open tasks `user` may act on now (their own and their absent principals'),
    on the current stage of an active decision, earliest due first."""
    mine = substitution.principals(session, user, now)
    rows = session.execute(
        select(StageTask, Decision, Programme)
        .join(Decision, Decision.id == StageTask.decision_id)
        .join(Programme, Programme.id == Decision.programme_id)
        .where(StageTask.assignee_id.in_(mine), *waiting_now())
        .order_by(StageTask.due_on, StageTask.id)).all()
    today = local_today(session, now)
    result = []
    for task, dec, programme in rows:
        stage = dec.route_version.stage_at(task.stage_position)
        other = session.get(User, task.assignee_id) if task.assignee_id != user.id else None
        result.append(OpenTask(
            task.id, task.version, dec.id, dec.kind, programme.id, programme.title,
            programme.municipality.name, dec.letter_id, stage.position, stage.name, stage.kind,
            task.due_on, task.due_on < today, other.id if other else None,
            other.full_name if other else None))
    return result
