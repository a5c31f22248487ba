"""The caller's open route tasks as screens and the API show them (one adaptation of the
engine's `open_tasks_for`, shared by «Мои задачи» and GET /api/v1/tasks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from workflow.models import User


@dataclass(frozen=True)
class TaskItem:
    task_id: int
    version: int
    stage_position: int
    stage_name: str
    stage_kind: str
    programme_id: int
    programme_title: str
    municipality: str
    due_on: date | None
    on_behalf_of_id: int | None
    on_behalf_of: str | None  # the absent user's short name
    letter_id: int | None
    letter_heading: str


def open_items(session: Session, user: User, now: datetime) -> list[TaskItem]:
    from workflow import route_engine as engine

    return [_item(session, t) for t in engine.open_tasks_for(session, user, now)]


def _item(session: Session, task) -> TaskItem:
    raise NotImplementedError  # filled in against the engine's task shape
