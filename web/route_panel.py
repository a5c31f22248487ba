"""What the programme page shows of the route: the diagram, who decided what, open tasks and
the reassignment form. Built from the engine's plain views (workflow.routes)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlalchemy import Integer, and_, bindparam, select
from sqlalchemy.orm import Session, aliased

from documents.route_diagram import DiagramError, route_svg, state_machine_svg
from workflow import routes as engine
from workflow.models import Decision, Programme, RouteStage, StageTask, User
from workflow.route_views import RouteView, Visa
from workflow.states import (
    TASK_RESULT_LABELS,
    DecisionState,
    Role,
    RouteStageKind,
    TaskResult,
    TaskState,
)

from .i18n_labels import translate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenStageTask:
    id: int
    version: int
    stage_position: int
    stage_name: str
    assignee_id: int
    assignee: str
    due_on: date | None
    overdue: bool = False


@dataclass
class Panel:
    route: RouteView | None
    route_svg: Markup | None
    states_svg: Markup | None
    visas: list[Visa] = field(default_factory=list)
    open_tasks: list[OpenStageTask] = field(default_factory=list)
    reassign_tasks: list[OpenStageTask] = field(default_factory=list)
    reassign_choices: list[tuple[int, str]] = field(default_factory=list)


def _svg(render, *args, **kwargs) -> Markup | None:
    try:
        # Produced by dot from escaped labels and sanitised (documents.route_diagram).
        return Markup(render(*args, **kwargs))
    except DiagramError:
        log.exception("diagram not drawn")
        return None


# Made once: a fresh alias per call made a new statement each time, which SQLAlchemy
# compiled again on every programme page instead of taking it from its cache; the statement
# too, with the programme bound.
_DECIDER, _ABSENT = aliased(User, name="decider"), aliased(User, name="absent")
_VISAS = (
    select(StageTask, RouteStage, _DECIDER, _ABSENT)
    .join(Decision, Decision.id == StageTask.decision_id)
    .join(RouteStage, and_(RouteStage.version_id == Decision.route_version_id,
                           RouteStage.position == StageTask.stage_position))
    .join(_DECIDER, _DECIDER.id == StageTask.decided_by_id)
    .outerjoin(_ABSENT, _ABSENT.id == StageTask.on_behalf_of_id)
    .where(Decision.programme_id == bindparam("programme_id", type_=Integer),
           StageTask.state == TaskState.DONE, RouteStage.kind != RouteStageKind.SIGN)
    .order_by(StageTask.decided_at, StageTask.id)
)


def visas(session: Session, programme: Programme) -> list[Visa]:
    """Every visa given on the programme's decisions (review and endorse stages), oldest
    first; one query whatever the number of decisions (as `engine.visas_of`, for them all)."""
    rows = session.execute(_VISAS, {"programme_id": programme.id}).all()
    return [Visa(
        stage_name=stage.name, position=" ".join((who.position or "").split()),
        name=who.short_name(), result=task.result,
        result_label=TASK_RESULT_LABELS[TaskResult(task.result)], comment=task.comment,
        decided_at=task.decided_at, on_behalf_of=away.short_name() if away else None)
        for task, stage, who, away in rows]


def open_stage_tasks(session: Session, programme: Programme,
                     decision=engine.NOT_READ) -> list[OpenStageTask]:
    """The open tasks of the active decision's current stage (`decision`: the programme's
    active decision, or None, when the caller has read it)."""
    if decision is engine.NOT_READ:
        decision = engine.active_decision(session, programme)
    if decision is None:
        return []
    stage = decision.route_version.stage_at(decision.current_stage)
    tasks = session.scalars(select(StageTask).where(
        StageTask.decision_id == decision.id, StageTask.state == TaskState.OPEN,
        StageTask.stage_position == decision.current_stage).order_by(StageTask.id)).all()
    users = {u.id: u for u in session.scalars(
        select(User).where(User.id.in_({t.assignee_id for t in tasks})))} if tasks else {}
    from .database import now
    from .viewmodels.formatting import local_today

    today = local_today(now())  # in the organisation's calendar, as the task list flags it
    return [OpenStageTask(t.id, t.version, t.stage_position, stage.name, t.assignee_id,
                          users[t.assignee_id].full_name, t.due_on,
                          overdue=t.due_on is not None and t.due_on < today) for t in tasks]


def reassign_candidates(session: Session, programme: Programme,
                        tasks: list[OpenStageTask]) -> list[User]:
    """Active ministry users who may act on the current stage and hold none of its tasks."""
    decision = engine.active_decision(session, programme)
    if decision is None or not tasks:
        return []
    stage = decision.route_version.stage_at(decision.current_stage)
    holding = {t.assignee_id for t in tasks}
    users = session.scalars(select(User).where(
        User.active.is_(True), User.role != Role.MUNICIPAL_EDITOR).order_by(User.full_name))
    return [u for u in users if u.id not in holding and engine.eligible_for(stage, u) is None]


def build(session: Session, programme: Programme, me: User) -> Panel | None:
    """The panel for ministry staff; the municipality sees only the outcome (the letter)."""
    if me.role == Role.MUNICIPAL_EDITOR:
        return None
    # The active decision, if any, is the latest: starting one supersedes every older one
    # still active (workflow.route_engine.start_decision). One statement for both.
    latest = engine.latest_decision(session, programme)
    active = latest if latest is not None and latest.state == DecisionState.ACTIVE else None
    view = engine.route_view(session, programme, latest=latest)
    tasks = open_stage_tasks(session, programme, active)
    panel = Panel(
        route=view,
        route_svg=_svg(route_svg, view, graph_id=f"route-p{programme.id}",
                       translate=translate) if view else None,
        states_svg=_svg(state_machine_svg, programme.state, graph_id="states",
                        translate=translate),
        # Visas are given on decisions: a programme that never had one has none.
        visas=visas(session, programme) if latest is not None else [],
        open_tasks=tasks,
    )
    if engine.may_reassign(me) and tasks:
        panel.reassign_tasks = tasks
        panel.reassign_choices = [
            (u.id, f"{u.full_name} — {' '.join(u.position.split())}" if u.position else u.full_name)
            for u in reassign_candidates(session, programme, tasks)]
    return panel


def reassign_open_task(session: Session, programme_id: int, task_id: int | None, actor: User,
                       to_user_id: int, reason: str, now):
    """The one reassignment of the screens and the API: the programme's open task `task_id`
    (or its only open task) handed to `to_user_id` through the engine's `reassign_task`."""
    from workflow.errors import IllegalTransition, InvalidInput, NotFound

    programme = session.get(Programme, programme_id)
    tasks = open_stage_tasks(session, programme) if programme else []
    if task_id is None:
        if not tasks:
            raise IllegalTransition("У программы нет открытых задач, которые можно передать")
        if len(tasks) > 1:
            raise InvalidInput("У программы несколько открытых задач: укажите, какую передать",
                               field="task_id")
        task_id = tasks[0].id
    if task_id not in {t.id for t in tasks}:
        raise NotFound("Открытая задача этой программы не найдена")
    target = session.get(User, to_user_id)
    if target is None:
        raise InvalidInput("Пользователь, которому передаётся задача, не найден",
                           field="to_user_id")
    return engine.reassign_task(session, session.get(StageTask, task_id), actor, target,
                                reason=reason, now=now)
