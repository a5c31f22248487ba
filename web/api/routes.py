"""Route API: the caller's tasks and decisions, routes with their versions, a programme's
route, reassignment, and the approval sheet PDF. Shapes are the pydantic models of
`shapes.py`; every handler parses, checks, calls one `workflow` operation, responds."""

from __future__ import annotations

from flask import Response
from sqlalchemy import select

from documents.approval_sheet import render_approval_sheet
from workflow import route_engine as engine
from workflow.errors import NotFound
from workflow.models import User
from workflow.models.route import Route
from workflow.states import Role, programme_state_label_for

from ..database import db, now
from ..route_panel import build as build_panel
from ..task_items import TaskItem, open_items
from . import bp
from .common import ID, actor, load_letter, load_programme, unit_of_work
from .shapes import (
    DecisionOut,
    DecisionRequest,
    DecisionResult,
    PersonOut,
    ProgrammeRouteOut,
    ReassignRequest,
    ReassignResult,
    RouteList,
    RouteOut,
    RouteSummaryOut,
    RouteVersionOut,
    StageOut,
    TaskList,
    TaskOut,
    parse_body,
)
from .validation import ApiError

MINISTRY = (Role.REVIEWER, Role.SIGNATORY, Role.ADMIN)


def _ministry_only() -> User:
    user = actor()
    if user.role not in MINISTRY:
        raise ApiError(403, "forbidden", "Доступно только сотрудникам министерства")
    return user


def task_out(item: TaskItem) -> TaskOut:
    behalf = (PersonOut(id=item.on_behalf_of_id, full_name=item.on_behalf_of or "")
              if item.on_behalf_of_id else None)
    return TaskOut(
        id=item.task_id, programme_id=item.programme_id, programme_title=item.programme_title,
        municipality=item.municipality, stage_position=item.stage_position,
        stage_name=item.stage_name, stage_kind=item.stage_kind, due_on=item.due_on,
        on_behalf_of=behalf, version=item.version, letter_id=item.letter_id,
    )


def stages_out(view) -> list[StageOut]:
    return [StageOut(position=s.position, name=s.name, kind=s.kind, mode=s.mode,
                     quorum=s.quorum, limit_days=s.limit_days, on_refusal=s.on_refusal,
                     participants=list(s.participants), status=s.status)
            for s in (view.stages if view else ())]


def _json(model) -> dict:
    return model.model_dump(mode="json")


@bp.get("/tasks")
def list_tasks():
    user = _ministry_only()
    return _json(TaskList(items=[task_out(t) for t in open_items(db(), user, now())]))


@bp.post(f"/tasks/<{ID}:task_id>/decision")
def decide_task(task_id: int):
    user = _ministry_only()
    data = parse_body(DecisionRequest)
    with unit_of_work() as session:
        programme = engine.decide_task(
            session, task_id, user, decision=data.decision, comment=data.comment.strip(),
            now=now(), expected_version=data.version)
    task = engine.task_item(db(), task_id)
    return _json(DecisionResult(
        task=task_out(task), programme_state=programme.state,
        programme_state_label=programme_state_label_for(programme.state, user)))


def _route_out(session, route: Route) -> RouteOut:
    versions = [
        RouteVersionOut(version=v.number, created_at=v.created_at,
                        stages=stages_out(engine.definition_view(session, v)))
        for v in route.versions
    ]
    return RouteOut(id=route.id, title=route.title,
                    current_version=route.versions[-1].number if route.versions else 0,
                    versions=versions)


@bp.get("/routes")
def list_routes():
    _ministry_only()
    routes = db().scalars(select(Route).order_by(Route.id))
    return _json(RouteList(items=[
        RouteSummaryOut(id=r.id, title=r.title,
                        current_version=r.versions[-1].number if r.versions else 0)
        for r in routes]))


@bp.get(f"/routes/<{ID}:route_id>")
def get_route(route_id: int):
    _ministry_only()
    route = db().get(Route, route_id)
    if route is None:
        raise NotFound("Маршрут не найден")
    return _json(_route_out(db(), route))


@bp.get(f"/programmes/<{ID}:programme_id>/route")
def programme_route(programme_id: int):
    user = _ministry_only()
    session = db()
    programme = load_programme(programme_id)
    panel = build_panel(session, programme, user)
    view = panel.route if panel else None
    current = next((s.position for s in (view.stages if view else ()) if s.status == "current"),
                   None)
    items = [t for t in engine.open_task_items(session, programme)]
    return _json(ProgrammeRouteOut(
        programme_id=programme.id, state=programme.state,
        state_label=programme_state_label_for(programme.state, user),
        route_title=view.route_title if view else None, version=view.version if view else None,
        stages=stages_out(view), current_stage=current,
        decisions=[DecisionOut(stage_name=v.stage_name, person=v.name, position=v.position,
                               result=v.result, result_label=v.result_label, comment=v.comment,
                               decided_at=v.decided_at, on_behalf_of=v.on_behalf_of)
                   for v in (panel.visas if panel else [])],
        open_tasks=[task_out(t) for t in items],
    ))


@bp.post(f"/programmes/<{ID}:programme_id>/reassign")
def reassign(programme_id: int):
    user = _ministry_only()
    data = parse_body(ReassignRequest)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        engine.reassign_task(session, data.task_id, user, to_user_id=data.to_user_id,
                             reason=data.reason.strip(), now=now(), programme=programme)
        target = session.get(User, data.to_user_id)
    return _json(ReassignResult(programme_id=programme_id,
                                to=PersonOut(id=target.id, full_name=target.full_name),
                                reason=data.reason.strip()))


@bp.get(f"/letters/<{ID}:letter_id>/approval-sheet")
def approval_sheet(letter_id: int):
    _ministry_only()
    letter = load_letter(letter_id)
    sheet = engine.approval_sheet(db(), letter)
    if sheet is None:
        raise NotFound("У письма нет листа согласования")
    name = f"approval-sheet-{(letter.number or str(letter.id)).replace('/', '-')}.pdf"
    return Response(render_approval_sheet(sheet), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store"})
