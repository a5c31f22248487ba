"""Programmes: list, read, create and edit drafts, fire transitions, history, revisions."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only

from workflow import files, operations, programme_access, programme_drafting
from workflow.errors import InvalidInput, NotFound
from workflow.machine import TRANSITIONS_BY_TRIGGER, TRIGGERS
from workflow.models import (
    Campaign,
    Municipality,
    Programme,
    Requirement,
    Revision,
    User,
    WorkflowEvent,
)
from workflow.programme_drafting import DraftFields
from workflow.queue import QueueFilters, counted_total
from workflow.states import Role, event_visible_to

from .. import files_view as fv
from ..database import db, now
from ..principals import request_principals
from ..uploads import CONTENT_TYPES as FILE_TYPES
from .common import ID, actor, load_programme, paginate, unit_of_work
from .parsing import ApiError, parse_body, parse_query
from .programme_shapes import (
    ActionRequest,
    ActionResult,
    History,
    ProgrammeCreate,
    ProgrammeList,
    ProgrammeQuery,
    ProgrammeUpdate,
    history_entry,
    programme_out,
    revision_out,
    stored_file,
    summary_out,
)
from .programme_shapes import (
    Programme as ProgrammeShape,
)
from .programme_shapes import (
    Revision as RevisionShape,
)
from .registry import READ, WRITE, Media, operation

DRAFT_NAMES = [k for k in ProgrammeUpdate.model_fields if k not in ("version", "sections")]
FILE_RESPONSE = Media((*FILE_TYPES.values(), "application/octet-stream"),
                      "Содержимое файла (PDF, DOCX или ODT)")


def _municipal() -> bool:
    return actor().role == Role.MUNICIPAL_EDITOR


def _detail(programme: Programme) -> dict:
    session = db()
    links = [stored_file(f, url_for("api.get_programme_file", programme_id=programme.id,
                                    file_id=f.id))
             for f in files.working_files(programme, actor())]
    # Through the relationship: the guards of the actions read the same list (workflow/facts.py).
    requirements = {r.id: r for r in programme.campaign.requirements}
    return programme_out(
        programme, requirements,
        operations.available_actions(
            session, programme, actor(), now(),
            principals=request_principals(session, actor(), now())), links, _municipal())


def _fields(data: dict, base: Programme | None = None) -> DraftFields | None:
    if base is not None and not any(k in data for k in DRAFT_NAMES):
        return None
    values = {k: getattr(base, k) for k in DRAFT_NAMES} if base is not None else {}
    values.update({k: data[k] for k in DRAFT_NAMES if k in data})
    return DraftFields(**values)


@operation("get", "/programmes", "Программы, видимые пользователю", tag="programmes",
           ok=ProgrammeList, query=ProgrammeQuery, errors=(400, 401))
def list_programmes():
    user = actor()
    query = parse_query(ProgrammeQuery)
    stmt = select(Programme).where(programme_access.visible_programmes_filter(user))
    if query.state:
        stmt = stmt.where(Programme.state == query.state)
    if query.campaign_id:
        stmt = stmt.where(Programme.campaign_id == query.campaign_id)
    if query.municipality:
        stmt = stmt.where(Programme.municipality_id.in_(
            select(Municipality.id).where(Municipality.code == query.municipality)))
    municipal = _municipal()
    page = paginate(db(), stmt, (Programme.id,), lambda p: summary_out(p, municipal),
                    load=_SUMMARY_LOAD, total=_counted_total(user, query))
    return ProgrammeList(**page).model_dump(mode="json")


# What a summary shows (programme_shapes.summary_fields), and no more: the whole rows of the
# programme, its municipality, its reviewer and the reviewer's municipality made the list's
# statement four times as wide, and on PostgreSQL reading them cost more than the query.
_SUMMARY_LOAD = (
    load_only(Programme.id, Programme.title, Programme.campaign_id, Programme.state,
              Programme.version, Programme.revision_number, Programme.period_from,
              Programme.period_to, Programme.updated_at, Programme.submitted_at),
    joinedload(Programme.municipality).load_only(
        Municipality.id, Municipality.code, Municipality.name),
    joinedload(Programme.reviewer).load_only(User.id, User.full_name)
    .lazyload(User.municipality),
)


def _counted_total(user, query: ProgrammeQuery) -> tuple | None:
    """The total from the queue's counters (workflow.queue) where they know the filter (a
    state, a campaign, the whole ministry's view), instead of counting the rows."""
    if query.municipality:
        return None
    return counted_total(QueueFilters(user, campaign_id=query.campaign_id,
                                      state=query.state.value if query.state else None))


@operation("get", f"/programmes/<{ID}:programme_id>",
           "Программа с разделами и доступными действиями", tag="programmes",
           ok=ProgrammeShape, errors=READ)
def get_programme(programme_id: int):
    programme = load_programme(programme_id, load=(
        joinedload(Programme.campaign).selectinload(Campaign.requirements),
        joinedload(Programme.sections)))
    return _detail(programme).model_dump(mode="json")


@operation("post", "/programmes", "Создать черновик программы (специалист муниципалитета)",
           tag="programmes", body=ProgrammeCreate, ok=ProgrammeShape, status=201,
           description="Черновик создан", errors=(400, 401, 403, 409, 413))
def create_programme():
    data = parse_body(ProgrammeCreate).model_dump(exclude_unset=True)
    user = actor()
    with unit_of_work() as session:
        campaign = session.get(Campaign, data["campaign_id"])
        if campaign is None:
            raise InvalidInput("Кампания не найдена", field="campaign_id")
        programme = programme_drafting.create_programme(
            session, campaign, user, _fields(data), now=now(), sections=data.get("sections"),
        )
    response = _detail(programme).model_dump(mode="json")
    return response, 201, {"Location": url_for("api.get_programme", programme_id=programme.id)}


@operation("patch", f"/programmes/<{ID}:programme_id>",
           "Изменить черновик (нужна текущая version)", tag="programmes",
           body=ProgrammeUpdate, ok=ProgrammeShape, errors=WRITE)
def update_programme(programme_id: int):
    data = parse_body(ProgrammeUpdate).model_dump(exclude_unset=True)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        fields = _fields(data, programme)
        programme_drafting.update_draft(
            session, programme, actor(), now=now(), expected_version=data["version"],
            fields=fields, sections=data.get("sections"),
        )
    return _detail(programme).model_dump(mode="json")


@operation("post", f"/programmes/<{ID}:programme_id>/actions/<trigger>",
           "Выполнить переход программы", tag="programmes", body=ActionRequest,
           ok=ActionResult, errors=(*WRITE, 422),
           params={"trigger": ("Переход; неизвестный — 404 unknown_action",
                               {"type": "string", "enum": list(TRIGGERS)})})
def fire_action(programme_id: int, trigger: str):
    if trigger not in TRANSITIONS_BY_TRIGGER:
        raise ApiError(404, "unknown_action", "Такого действия с программой нет")
    data = parse_body(ActionRequest)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        event = operations.fire(
            session, programme, trigger, actor(), now=now(), reason=data.reason,
            expected_version=data.version,
        )
        entry = history_entry(event, _municipal())
    return ActionResult(event=entry, programme=_detail(programme)).model_dump(mode="json")


@operation("get", f"/programmes/<{ID}:programme_id>/history", "История переходов программы",
           tag="programmes", ok=History, errors=READ, op_id="getHistory")
def programme_history(programme_id: int):
    programme = load_programme(programme_id)
    events = db().scalars(
        select(WorkflowEvent).where(WorkflowEvent.programme_id == programme.id)
        .order_by(WorkflowEvent.seq)
    )
    municipal = _municipal()
    return History(items=[history_entry(e, municipal) for e in events
                          if event_visible_to(e, municipal=municipal)]).model_dump(mode="json")


@operation("get", f"/programmes/<{ID}:programme_id>/revisions/<{ID}:number>",
           "Зафиксированная редакция программы", tag="programmes", ok=RevisionShape,
           errors=READ)
def get_revision(programme_id: int, number: int):
    programme = load_programme(programme_id)
    session = db()
    revision = session.scalar(
        select(Revision).where(Revision.programme_id == programme.id, Revision.number == number)
    )
    if revision is None:
        raise NotFound("Редакция не найдена")
    positions = dict(session.execute(
        select(Requirement.id, Requirement.position)
        .where(Requirement.campaign_id == programme.campaign_id)
    ).all())
    links = [stored_file(f, url_for("api.get_revision_file", programme_id=programme.id,
                                    number=number, revision_file_id=f.id))
             for f in revision.files]
    return revision_out(revision, positions, session.get(User, revision.created_by_id),
                        links).model_dump(mode="json")


@operation("get", f"/programmes/<{ID}:programme_id>/files/<{ID}:file_id>",
           "Файл рабочей копии программы (вложение)", tag="programmes", ok=FILE_RESPONSE,
           errors=READ)
def get_programme_file(programme_id: int, file_id: int):
    """A file of the working copy (the ministry: only of a programme never submitted)."""
    programme = load_programme(programme_id)
    return fv.send(files.get_working_file(programme, actor(), file_id))


@operation("get", f"/programmes/<{ID}:programme_id>/revisions/<{ID}:number>/files/"
           f"<{ID}:revision_file_id>", "Файл, с которым направлена редакция (вложение)",
           tag="programmes", ok=FILE_RESPONSE, errors=READ)
def get_revision_file(programme_id: int, number: int, revision_file_id: int):
    """A file as revision `number` was submitted with it."""
    programme = load_programme(programme_id)
    return fv.send(files.get_revision_file(db(), programme, number, revision_file_id))
