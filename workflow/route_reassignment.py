"""Giving an open route task to another eligible user (an administrator or a head of
department does it, with a reason): the old task is cancelled, a new one replaces it, and
both people are notified. Reassigning a programme's review is `reassignment.py`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .access import ensure_active
from .errors import DecisionNotActive, InvalidInput, PermissionDenied, StaleTask, TaskClosed
from .models import Programme, RouteStage, StageTask, User
from .notifications import notify
from .route_stages import cas_decision, close_task, lock_decision, programme_link, stage_tasks
from .states import DecisionState, ParticipantType, Role, RouteStageKind, TaskState
from .text import check_text


def may_reassign(actor: User) -> bool:
    return actor.active and (actor.role == Role.ADMIN or bool(getattr(actor, "heads_department", False)))


def eligible_for(stage: RouteStage, user: User) -> str | None:
    """None if `user` may act on `stage`, else the Russian reason."""
    if not user.active:
        return f"{user.full_name} отключён и действовать не может"
    if user.role == Role.MUNICIPAL_EDITOR:
        return f"{user.full_name} — специалист муниципалитета"
    if stage.kind == RouteStageKind.SIGN and user.role != Role.SIGNATORY:
        return f"{user.full_name} не подписант и подписать письмо не может"
    if stage.participant_type == ParticipantType.ROLE and user.role != stage.participant_role:
        return f"{user.full_name} не может участвовать в этапе «{stage.name}»: другая роль"
    if stage.participant_type == ParticipantType.PROGRAMME_REVIEWER and user.role != Role.REVIEWER:
        return f"{user.full_name} не эксперт"
    return None


def reassign_task(session: Session, task: StageTask, actor: User, new_assignee: User, *,
                  reason: str, now: datetime, expected_version: int | None = None) -> StageTask:
    """Give an open task to another eligible user (admin or a head of department), with a
    reason; both people are notified. The old task is cancelled, a new one replaces it."""
    ensure_active(actor)
    if not may_reassign(actor):
        raise PermissionDenied("Передать задачу может администратор или начальник отдела")
    reason = check_text(reason or "", "Причина", "reason").strip()
    if not reason:
        raise InvalidInput("Укажите причину передачи задачи", field="reason")
    if len(reason) > 2000:
        raise InvalidInput("Причина длиннее 2000 символов", field="reason")
    dec, _letter = lock_decision(session, task.decision_id)
    session.refresh(task)
    if expected_version is not None and task.version != expected_version:
        raise StaleTask()
    if task.state != TaskState.OPEN:
        raise TaskClosed("Передать можно только открытую задачу")
    if dec.state != DecisionState.ACTIVE or dec.current_stage != task.stage_position:
        raise DecisionNotActive("Это решение больше не действует")
    stage = dec.route_version.stage_at(task.stage_position)
    problem = eligible_for(stage, new_assignee)
    if problem:
        raise InvalidInput(problem, field="assignee")
    if any(t.assignee_id == new_assignee.id and t.state == TaskState.OPEN
           for t in stage_tasks(session, dec, stage.position)):
        raise InvalidInput(f"У {new_assignee.full_name} уже есть задача на этом этапе",
                           field="assignee")
    old = session.get(User, task.assignee_id)
    close_task(session, task, state=TaskState.CANCELLED)
    new = StageTask(decision_id=dec.id, stage_position=task.stage_position,
                    assignee_id=new_assignee.id, state=TaskState.OPEN, comment="",
                    due_on=task.due_on, created_at=now, reassigned_from_id=task.id, note=reason,
                    version=1)
    session.add(new)
    cas_decision(session, dec)
    programme = session.get(Programme, dec.programme_id)
    notify(session, [new_assignee], kind="route_task", now=now, link=programme_link(programme.id),
           text=f"Вам передана задача «{stage.name}» по программе «{programme.title}» "
                f"(от {old.full_name}): {reason}")
    notify(session, [old], kind="route_reassigned", now=now, link=programme_link(programme.id),
           text=f"Задача «{stage.name}» по программе «{programme.title}» передана "
                f"{new_assignee.full_name}: {reason}")
    session.flush()
    return new
