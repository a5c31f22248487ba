"""Remarks (with their threads) and assessments of a programme."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow import review
from workflow.errors import NotFound, PermissionDenied
from workflow.models import Assessment, Remark, Requirement, Revision
from workflow.review import MAX_TEXT
from workflow.states import RemarkVisibility, Role, Verdict

from ..database import db, now
from . import bp
from . import serialize as out
from .common import ID, actor, load_programme, unit_of_work
from .validation import F, parse, query_int

CREATE_REMARK = {
    "requirement_id": F("integer", required=True),
    "body": F("string", required=True, max_length=MAX_TEXT),
    "visibility": F("enum", required=True, enum=tuple(v.value for v in RemarkVisibility)),
}
REQUIRED_BODY = {"body": F("string", required=True, max_length=MAX_TEXT)}
OPTIONAL_BODY = {"body": F("string", max_length=MAX_TEXT)}
ASSESS = {
    "verdict": F("enum", required=True, enum=tuple(v.value for v in Verdict)),
    "comment": F("string", max_length=MAX_TEXT),
}

REMARK_ACTIONS = {
    "answer": (review.answer_remark, REQUIRED_BODY),
    "resolve": (review.resolve_remark, OPTIONAL_BODY),
    "reopen": (review.reopen_remark, OPTIONAL_BODY),
}


def _remark_json(programme, remark: Remark) -> dict:
    db().expire(remark)  # its thread changed in the committed transaction
    revisions, positions = out.remark_context(db(), programme)
    return out.remark(remark, revisions, positions)


@bp.get(f"/programmes/<{ID}:programme_id>/remarks")
def list_remarks(programme_id: int):
    programme = load_programme(programme_id)
    session = db()
    stmt = (
        select(Remark).where(Remark.programme_id == programme.id)
        .options(selectinload(Remark.replies))
        .order_by(Remark.id)
    )
    if actor().role == Role.MUNICIPAL_EDITOR:
        stmt = stmt.where(Remark.visibility == RemarkVisibility.EXTERNAL)
    revisions, positions = out.remark_context(session, programme)
    return {"items": [out.remark(r, revisions, positions) for r in session.scalars(stmt)]}


@bp.post(f"/programmes/<{ID}:programme_id>/remarks")
def create_remark(programme_id: int):
    data = parse(CREATE_REMARK)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        remark = review.add_remark(session, programme, actor(), now=now(), **data)
    location = url_for("api.list_remarks", programme_id=programme.id)
    return _remark_json(programme, remark), 201, {"Location": f"{location}/{remark.id}"}


def _remark_action(programme_id: int, remark_id: int, name: str):
    operation, body = REMARK_ACTIONS[name]
    data = parse(body)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        remark = review.get_remark(session, programme, remark_id, actor())
        operation(session, programme, remark, actor(), now=now(), **data)
    return _remark_json(programme, remark)


@bp.post(f"/programmes/<{ID}:programme_id>/remarks/<{ID}:remark_id>/answer")
def answer_remark(programme_id: int, remark_id: int):
    return _remark_action(programme_id, remark_id, "answer")


@bp.post(f"/programmes/<{ID}:programme_id>/remarks/<{ID}:remark_id>/resolve")
def resolve_remark(programme_id: int, remark_id: int):
    return _remark_action(programme_id, remark_id, "resolve")


@bp.post(f"/programmes/<{ID}:programme_id>/remarks/<{ID}:remark_id>/reopen")
def reopen_remark(programme_id: int, remark_id: int):
    return _remark_action(programme_id, remark_id, "reopen")


@bp.post(f"/programmes/<{ID}:programme_id>/remarks/<{ID}:remark_id>/comments")
def comment_remark(programme_id: int, remark_id: int):
    data = parse(REQUIRED_BODY)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        remark = review.get_remark(session, programme, remark_id, actor())
        review.comment_remark(session, programme, remark, actor(), now=now(), **data)
    return _remark_json(programme, remark), 201


# ---------------------------------------------------------------- assessments


def _ministry_only() -> None:
    if actor().role == Role.MUNICIPAL_EDITOR:
        raise PermissionDenied("Оценки требований видны только сотрудникам министерства")


@bp.get(f"/programmes/<{ID}:programme_id>/assessments")
def list_assessments(programme_id: int):
    number = query_int("revision")
    programme = load_programme(programme_id)
    _ministry_only()
    session = db()
    number = programme.revision_number if number is None else number
    revision = session.scalar(
        select(Revision).where(Revision.programme_id == programme.id, Revision.number == number)
    )
    if revision is None:
        if number == programme.revision_number == 0:
            return {"revision_number": 0, "items": []}
        raise NotFound("Редакция не найдена")
    positions = dict(session.execute(
        select(Requirement.id, Requirement.position)
        .where(Requirement.campaign_id == programme.campaign_id)
    ).all())
    rows = session.scalars(
        select(Assessment).where(Assessment.revision_id == revision.id)
        .order_by(Assessment.requirement_id)
    )
    return {"revision_number": revision.number,
            "items": [out.assessment(a, revision.number, positions) for a in rows]}


@bp.put(f"/programmes/<{ID}:programme_id>/assessments/<{ID}:requirement_id>")
def assess_requirement(programme_id: int, requirement_id: int):
    data = parse(ASSESS)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        requirement = session.get(Requirement, requirement_id)
        if requirement is None or requirement.campaign_id != programme.campaign_id:
            raise NotFound("Требование не найдено среди требований этой программы")
        assessment = review.assess_requirement(
            session, programme, actor(), requirement_id=requirement_id, now=now(), **data
        )
        result = out.assessment(assessment, programme.revision_number,
                                {requirement.id: requirement.position})
    return result
