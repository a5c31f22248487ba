"""What the programme page shows of the route: the diagram, who decided what, open tasks and
the reassignment form. Built from the engine's plain views and the decision's task rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from documents.route_diagram import DiagramError, route_svg, state_machine_svg
from workflow.models import Programme, User
from workflow.models.route import Decision, StageTask
from workflow.route_views import RouteView
from workflow.states import TASK_RESULT_LABELS, Role, TaskState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VisaRow:
    stage_name: str
    name: str
    position: str
    result: str
    result_label: str
    comment: str
    decided_at: datetime
    on_behalf_of: str | None


@dataclass(frozen=True)
class OpenTask:
    id: int
    stage_name: str
    assignee: str
    due_on: date | None


@dataclass
class Panel:
    route: RouteView | None
    route_svg: Markup | None
    states_svg: Markup | None
    visas: list[VisaRow] = field(default_factory=list)
    open_tasks: list[OpenTask] = field(default_factory=list)
    reassign_tasks: list[OpenTask] = field(default_factory=list)
    reassign_choices: list[tuple[int, str]] = field(default_factory=list)


def can_reassign(user: User) -> bool:
    """The admin and a head of department may hand a programme's task to someone else."""
    from workflow import route_engine as engine

    return engine.may_reassign(user)


def _svg(render, *args, **kwargs) -> Markup | None:
    try:
        # Produced by dot from escaped labels and sanitised (documents.route_diagram).
        return Markup(render(*args, **kwargs))
    except DiagramError:
        log.exception("diagram not drawn")
        return None


def _names(session: Session, ids) -> dict[int, User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def decisions_of(session: Session, programme: Programme) -> list[Decision]:
    return list(session.scalars(
        select(Decision).where(Decision.programme_id == programme.id).order_by(Decision.id)))


def build(session: Session, programme: Programme, me: User) -> Panel | None:
    """The panel for ministry staff; the municipality sees only the outcome (the letter)."""
    from workflow import route_engine as engine

    if me.role == Role.MUNICIPAL_EDITOR:
        return None
    view = engine.route_view(session, programme)
    decisions = decisions_of(session, programme)
    tasks = [t for d in decisions for t in d.tasks]
    users = _names(session, [x for t in tasks for x in (t.assignee_id, t.decided_by_id,
                                                           t.on_behalf_of_id)])
    stage_names = {}
    for d in decisions:
        for s in d.route_version.stages:
            stage_names[(d.id, s.position)] = s.name
    visas = []
    for t in sorted((t for t in tasks if t.state == TaskState.DONE), key=lambda t: t.decided_at):
        decider = users.get(t.decided_by_id)
        behalf = users.get(t.on_behalf_of_id)
        visas.append(VisaRow(
            stage_name=stage_names.get((t.decision_id, t.stage_position), ""),
            name=decider.short_name if decider else "",
            position=decider.position if decider else "",
            result=t.result,
            result_label=TASK_RESULT_LABELS.get(t.result, t.result),
            comment=t.comment,
            decided_at=t.decided_at,
            on_behalf_of=behalf.short_name if behalf else None,
        ))
    open_tasks = [
        OpenTask(t.id, stage_names.get((t.decision_id, t.stage_position), ""),
                 users[t.assignee_id].short_name if t.assignee_id in users else "", t.due_on)
        for t in tasks if t.state == TaskState.OPEN
    ]
    panel = Panel(
        route=view,
        route_svg=_svg(route_svg, view, graph_id=f"route-p{programme.id}") if view else None,
        states_svg=_svg(state_machine_svg, programme.state, graph_id="states"),
        visas=visas,
        open_tasks=open_tasks,
    )
    if can_reassign(me):
        panel.reassign_tasks = open_tasks
        panel.reassign_choices = [(u.id, f"{u.full_name} ({u.position})" if u.position else u.full_name)
                                  for u in engine.reassign_candidates(session, programme)]
    return panel
