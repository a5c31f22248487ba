"""Route API: the caller's tasks and decisions, routes with their versions, a programme's
route, reassignment, and the approval sheet PDF. Shapes are the pydantic models of
`shapes.py`; every handler parses, checks, calls one `workflow` operation, responds."""

from __future__ import annotations

from flask import Response
from sqlalchemy import select

from documents.approval_sheet import render_approval_sheet
from documents.filenames import approval_sheet_pdf
from workflow import routes as engine
from workflow.errors import NotFound
from workflow.models import Decision, Programme, Route, User
from workflow.states import MINISTRY_ROLES, programme_state_label_for

from ..database import db, now
from ..route_panel import OpenStageTask, open_stage_tasks, reassign_open_task, visas
from .common import ID, actor, load_letter, load_programme, unit_of_work
from .fields import Person as PersonOut
from .parsing import ApiError, parse_body
from .registry import WRITE, Media, operation
from .shapes import (
    DecisionOut,
    DecisionRequest,
    DecisionResult,
    OpenStageTaskOut,
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
)


def _ministry_only() -> User:
    user = actor()
    if user.role not in MINISTRY_ROLES:
        raise ApiError(403, "forbidden", "Доступно только сотрудникам министерства")
    return user


def _json(model) -> dict:
    return model.model_dump(mode="json")


def task_out(t: engine.OpenTask) -> TaskOut:
    behalf = (PersonOut(id=t.on_behalf_of_id, full_name=t.on_behalf_of or "")
              if t.on_behalf_of_id else None)
    return TaskOut(
        id=t.task_id, version=t.task_version, decision_kind=t.decision_kind,
        programme_id=t.programme_id, programme_title=t.programme_title,
        municipality=t.municipality, letter_id=t.letter_id, stage_position=t.stage_position,
        stage_name=t.stage_name, stage_kind=t.stage_kind, due_on=t.due_on, overdue=t.overdue,
        on_behalf_of=behalf)


def open_task_out(t: OpenStageTask) -> OpenStageTaskOut:
    return OpenStageTaskOut(id=t.id, version=t.version, stage_position=t.stage_position,
                            stage_name=t.stage_name,
                            assignee=PersonOut(id=t.assignee_id, full_name=t.assignee),
                            due_on=t.due_on)


def stages_out(view) -> list[StageOut]:
    return [StageOut(position=s.position, name=s.name, kind=s.kind, mode=s.mode,
                     quorum=s.quorum, limit_days=s.limit_days, on_refusal=s.on_refusal,
                     participants=list(s.participants), status=s.status)
            for s in view.stages]


@operation("get", "/tasks", "Открытые задачи вызывающего пользователя по маршрутам "
           "согласования: этап, программа, срок, за кого (замещение)", tag="routes",
           ok=TaskList, errors=(401, 403))
def list_tasks():
    user = _ministry_only()
    return _json(TaskList(items=[task_out(t) for t in engine.open_tasks_for(db(), user, now())]))


@operation("post", f"/tasks/<{ID}:task_id>/decision", "Решение по задаче этапа (виза): "
           "approve, approve_with_remarks или reject. Ошибки: task_not_yours (403) — задача "
           "не ваша; task_closed (409) — решение уже принято (или этап решён другим); "
           "stale_version (409) — задача изменилась после открытия; decision_not_active "
           "(409) — решение и его версия маршрута больше не действуют (подписано, отклонено, "
           "заменено); invalid_input (400) — для замечаний и отказа нужен комментарий",
           tag="routes", body=DecisionRequest, ok=DecisionResult, errors=WRITE)
def decide_task(task_id: int):
    user = _ministry_only()
    data = parse_body(DecisionRequest)
    with unit_of_work() as session:
        task = engine.decide_task(session, task_id, user, decision=data.decision,
                                  comment=data.comment, now=now(),
                                  expected_version=data.version)
        programme = session.get(Programme, task.decision.programme_id)
        result = DecisionResult(
            task_id=task.id, decision=task.result, comment=task.comment,
            programme_id=programme.id, programme_state=programme.state,
            programme_state_label=programme_state_label_for(programme.state, user))
    return _json(result)


def _route_out(session, route: Route) -> RouteOut:
    versions = [
        RouteVersionOut(version=v.number, created_at=v.created_at,
                        stages=stages_out(engine.definition_view(session, v)))
        for v in route.versions
    ]
    return RouteOut(id=route.id, title=route.title,
                    current_version=route.versions[-1].number if route.versions else 0,
                    versions=versions)


@operation("get", "/routes", "Маршруты согласования (министерство)", tag="routes",
           ok=RouteList, errors=(401, 403))
def list_routes():
    _ministry_only()
    routes = db().scalars(select(Route).order_by(Route.id))
    return _json(RouteList(items=[
        RouteSummaryOut(id=r.id, title=r.title,
                        current_version=r.versions[-1].number if r.versions else 0)
        for r in routes]))


@operation("get", f"/routes/<{ID}:route_id>", "Маршрут с версиями и этапами", tag="routes",
           ok=RouteOut, errors=(401, 403, 404))
def get_route(route_id: int):
    _ministry_only()
    route = db().get(Route, route_id)
    if route is None:
        raise NotFound("Маршрут не найден")
    return _json(_route_out(db(), route))


@operation("get", f"/programmes/<{ID}:programme_id>/route", "Маршрут программы: версия, "
           "этапы, кто что решил, где она сейчас (министерство)", tag="routes",
           ok=ProgrammeRouteOut, errors=(401, 403, 404), op_id="getProgrammeRoute")
def programme_route(programme_id: int):
    user = _ministry_only()
    session = db()
    programme = load_programme(programme_id)
    view = engine.route_view(session, programme)
    current = next((s.position for s in view.stages if s.status == "current"), None)
    return _json(ProgrammeRouteOut(
        programme_id=programme.id, state=programme.state,
        state_label=programme_state_label_for(programme.state, user),
        route_title=view.route_title, version=view.version,
        stages=stages_out(view), current_stage=current,
        decisions=[DecisionOut(stage_name=v.stage_name, person=v.name, position=v.position,
                               result=v.result, result_label=v.result_label, comment=v.comment,
                               decided_at=v.decided_at, on_behalf_of=v.on_behalf_of)
                   for v in visas(session, programme)],
        open_tasks=[open_task_out(t) for t in open_stage_tasks(session, programme)],
    ))


@operation("post", f"/programmes/<{ID}:programme_id>/reassign", "Передать задачу программы "
           "другому исполнителю (администратор, начальник отдела). Ошибки: cannot_act (400) — "
           "исполнитель не может выполнять этот этап; nothing_to_reassign (409) — открытых "
           "задач нет", tag="routes", body=ReassignRequest, ok=ReassignResult, errors=WRITE,
           op_id="reassignProgrammeTask")
def reassign(programme_id: int):
    user = _ministry_only()
    data = parse_body(ReassignRequest)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        new = reassign_open_task(session, programme.id, data.task_id, user, data.to_user_id,
                                 data.reason, now())
        task = next(t for t in open_stage_tasks(session, programme) if t.id == new.id)
        result = ReassignResult(programme_id=programme.id, task=open_task_out(task),
                                reason=new.note)
    return _json(result)


@operation("get", f"/letters/<{ID}:letter_id>/approval-sheet", "Лист согласования "
           "письма-решения (PDF, министерство)", tag=("routes", "letters"),
           ok=Media(("application/pdf",), "PDF листа согласования"), errors=(401, 403, 404),
           op_id="getApprovalSheet")
def approval_sheet(letter_id: int):
    _ministry_only()
    letter = load_letter(letter_id)
    if not db().scalar(select(Decision.id).where(Decision.letter_id == letter.id)):
        raise NotFound("У письма нет маршрута согласования")
    sheet = engine.approval_sheet(db(), letter)
    name = approval_sheet_pdf(letter)
    return Response(render_approval_sheet(sheet), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store"})
