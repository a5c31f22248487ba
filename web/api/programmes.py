"""Programmes: list, read, create and edit drafts, fire transitions, history, revisions."""

from __future__ import annotations

from dataclasses import replace

from flask import url_for
from sqlalchemy import select

from workflow import files, operations
from workflow.errors import InvalidInput, NotFound
from workflow.machine import TRANSITIONS_BY_TRIGGER
from workflow.models import (
    Campaign,
    Municipality,
    Programme,
    Requirement,
    Revision,
    User,
    WorkflowEvent,
)
from workflow.operations import MAX_REASON, MAX_SECTION, MAX_TITLE, DraftFields
from workflow.states import ProgrammeState, Role, event_visible_to

from .. import files_view as fv
from ..database import db, now
from . import bp
from . import serialize as out
from .common import ID, actor, load_programme, paginate, unit_of_work
from .validation import ApiError, F, parse, query_enum, query_int, query_str

# Column limits of `programme`: the API refuses longer values before the database would.
DRAFT_FIELDS = {
    "title": F("string", max_length=MAX_TITLE),
    "period_from": F("integer", minimum=2000, maximum=2100),
    "period_to": F("integer", minimum=2000, maximum=2100),
    "responsible_name": F("string", max_length=200),
    "responsible_position": F("string", max_length=300),
    "responsible_phone": F("string", max_length=100),
    "outgoing_number": F("string", max_length=50, nullable=True),
    "outgoing_date": F("date", nullable=True),
    "sections": F("sections", max_length=MAX_SECTION,
                  description="Тексты разделов: {идентификатор требования: текст}"),
}

CREATE_PROGRAMME = {
    "campaign_id": F("integer", required=True),
    **{k: replace(v, required=k in ("title", "period_from", "period_to"))
       for k, v in DRAFT_FIELDS.items()},
}

UPDATE_PROGRAMME = {
    "version": F("integer", required=True, description="Версия, которую видел клиент"),
    **DRAFT_FIELDS,
}

FIRE_ACTION = {
    "version": F("integer", required=True, description="Версия, которую видел клиент"),
    "reason": F("string", max_length=MAX_REASON),
}


def _detail(programme: Programme) -> dict:
    session = db()
    links = [out.stored_file(f, url_for("api.get_programme_file", programme_id=programme.id,
                                        file_id=f.id))
             for f in files.working_files(programme, actor())]
    return out.programme_detail(
        session, programme, operations.available_actions(session, programme, actor(), now()),
        links
    )


def _fields(data: dict, base: Programme | None = None) -> DraftFields | None:
    names = [k for k in DRAFT_FIELDS if k != "sections"]
    if base is not None and not any(k in data for k in names):
        return None
    values = {k: getattr(base, k) for k in names} if base is not None else {}
    values.update({k: data[k] for k in names if k in data})
    return DraftFields(**values)


@bp.get("/programmes")
def list_programmes():
    user = actor()
    state = query_enum("state", ProgrammeState)
    campaign_id = query_int("campaign_id")
    code = query_str("municipality", 64)
    stmt = select(Programme).where(operations.visible_programmes_filter(user))
    if state:
        stmt = stmt.where(Programme.state == state)
    if campaign_id:
        stmt = stmt.where(Programme.campaign_id == campaign_id)
    if code:
        stmt = stmt.where(Programme.municipality_id.in_(
            select(Municipality.id).where(Municipality.code == code)))
    return paginate(db(), stmt, (Programme.id,), out.programme_summary)


@bp.get(f"/programmes/<{ID}:programme_id>")
def get_programme(programme_id: int):
    return _detail(load_programme(programme_id))


@bp.post("/programmes")
def create_programme():
    data = parse(CREATE_PROGRAMME)
    user = actor()
    with unit_of_work() as session:
        campaign = session.get(Campaign, data["campaign_id"])
        if campaign is None:
            raise InvalidInput("Кампания не найдена", field="campaign_id")
        programme = operations.create_programme(
            session, campaign, user, _fields(data), now=now(), sections=data.get("sections"),
        )
    response = _detail(programme)
    return response, 201, {"Location": url_for("api.get_programme", programme_id=programme.id)}


@bp.patch(f"/programmes/<{ID}:programme_id>")
def update_programme(programme_id: int):
    data = parse(UPDATE_PROGRAMME)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        fields = _fields(data, programme)
        operations.update_draft(
            session, programme, actor(), now=now(), expected_version=data["version"],
            fields=fields, sections=data.get("sections"),
        )
    return _detail(programme)


@bp.post(f"/programmes/<{ID}:programme_id>/actions/<trigger>")
def fire_action(programme_id: int, trigger: str):
    if trigger not in TRANSITIONS_BY_TRIGGER:
        raise ApiError(404, "unknown_action", "Такого действия с программой нет")
    data = parse(FIRE_ACTION)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        event = operations.fire(
            session, programme, trigger, actor(), now=now(), reason=data.get("reason", ""),
            expected_version=data["version"],
        )
        entry = out.history_entry(event)
    return {"event": entry, "programme": _detail(programme)}


@bp.get(f"/programmes/<{ID}:programme_id>/history")
def programme_history(programme_id: int):
    programme = load_programme(programme_id)
    events = db().scalars(
        select(WorkflowEvent).where(WorkflowEvent.programme_id == programme.id)
        .order_by(WorkflowEvent.seq)
    )
    municipal = actor().role == Role.MUNICIPAL_EDITOR
    return {"items": [out.history_entry(e) for e in events
                      if event_visible_to(e, municipal=municipal)]}


@bp.get(f"/programmes/<{ID}:programme_id>/revisions/<{ID}:number>")
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
    links = [out.stored_file(f, url_for("api.get_revision_file", programme_id=programme.id,
                                        number=number, revision_file_id=f.id))
             for f in revision.files]
    return out.revision(revision, positions, session.get(User, revision.created_by_id), links)


@bp.get(f"/programmes/<{ID}:programme_id>/files/<{ID}:file_id>")
def get_programme_file(programme_id: int, file_id: int):
    """A file of the working copy (the ministry: only of a programme never submitted)."""
    programme = load_programme(programme_id)
    return fv.send(files.get_working_file(programme, actor(), file_id))


@bp.get(f"/programmes/<{ID}:programme_id>/revisions/<{ID}:number>/files/<{ID}:revision_file_id>")
def get_revision_file(programme_id: int, number: int, revision_file_id: int):
    """A file as revision `number` was submitted with it."""
    programme = load_programme(programme_id)
    return fv.send(files.get_revision_file(db(), programme, number, revision_file_id))
