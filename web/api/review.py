"""Remarks (with their threads) and assessments of a programme."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow import review
from workflow.errors import NotFound, PermissionDenied
from workflow.models import Assessment, Remark, Requirement, Revision
from workflow.states import RemarkVisibility, Role

from ..database import db, now
from .common import ID, actor, load_programme, unit_of_work
from .parsing import parse_body, parse_query
from .registry import WRITE, operation
from .review_shapes import (
    Assessment as AssessmentShape,
)
from .review_shapes import (
    AssessmentList,
    AssessmentQuery,
    AssessmentRequest,
    RemarkCreate,
    RemarkDecision,
    RemarkList,
    RemarkMessage,
    assessment_out,
    remark_out,
)
from .review_shapes import (
    Remark as RemarkShape,
)

REMARK = f"/programmes/<{ID}:programme_id>/remarks/<{ID}:remark_id>"


def remark_context(session, programme) -> tuple[dict[int, int], dict[int, int]]:
    """Revision numbers by revision id and requirement positions by id, for `remark_out`."""
    revisions = dict(session.execute(
        select(Revision.id, Revision.number).where(Revision.programme_id == programme.id)
    ).all())
    return revisions, _positions(session, programme)


def _positions(session, programme) -> dict[int, int]:
    return dict(session.execute(
        select(Requirement.id, Requirement.position)
        .where(Requirement.campaign_id == programme.campaign_id)
    ).all())


def _remark_json(programme, remark: Remark) -> dict:
    db().expire(remark)  # its thread changed in the committed transaction
    return remark_out(remark, *remark_context(db(), programme)).model_dump(mode="json")


@operation("get", f"/programmes/<{ID}:programme_id>/remarks",
           "Замечания (муниципалитету — только внешние)", tag="remarks", ok=RemarkList,
           errors=(401, 404))
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
    revisions, positions = remark_context(session, programme)
    return RemarkList(items=[remark_out(r, revisions, positions)
                             for r in session.scalars(stmt)]).model_dump(mode="json")


@operation("post", f"/programmes/<{ID}:programme_id>/remarks",
           "Добавить замечание (назначенный эксперт)", tag="remarks", body=RemarkCreate,
           ok=RemarkShape, status=201, description="Замечание добавлено", errors=WRITE)
def create_remark(programme_id: int):
    data = parse_body(RemarkCreate)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        remark = review.add_remark(session, programme, actor(), now=now(),
                                   **data.model_dump())
    location = url_for("api.list_remarks", programme_id=programme.id)
    return _remark_json(programme, remark), 201, {"Location": f"{location}/{remark.id}"}


def _remark_action(programme_id: int, remark_id: int, change, shape) -> dict:
    data = parse_body(shape)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        remark = review.get_remark(session, programme, remark_id, actor())
        change(session, programme, remark, actor(), now=now(), **data.model_dump())
    return _remark_json(programme, remark)


@operation("post", f"{REMARK}/answer", "Ответить на замечание (муниципалитет)", tag="remarks",
           body=RemarkMessage, ok=RemarkShape, errors=WRITE)
def answer_remark(programme_id: int, remark_id: int):
    return _remark_action(programme_id, remark_id, review.answer_remark, RemarkMessage)


@operation("post", f"{REMARK}/resolve", "Снять замечание (эксперт)", tag="remarks",
           body=RemarkDecision, body_required=False, ok=RemarkShape, errors=WRITE)
def resolve_remark(programme_id: int, remark_id: int):
    return _remark_action(programme_id, remark_id, review.resolve_remark, RemarkDecision)


@operation("post", f"{REMARK}/reopen", "Вернуть замечание в работу (эксперт)", tag="remarks",
           body=RemarkDecision, body_required=False, ok=RemarkShape, errors=WRITE)
def reopen_remark(programme_id: int, remark_id: int):
    return _remark_action(programme_id, remark_id, review.reopen_remark, RemarkDecision)


@operation("post", f"{REMARK}/comments", "Комментарий в обсуждении замечания", tag="remarks",
           body=RemarkMessage, ok=RemarkShape, status=201, description="Комментарий добавлен",
           errors=WRITE)
def comment_remark(programme_id: int, remark_id: int):
    return _remark_action(programme_id, remark_id, review.comment_remark, RemarkMessage), 201


# ---------------------------------------------------------------- assessments


def _ministry_only() -> None:
    if actor().role == Role.MUNICIPAL_EDITOR:
        raise PermissionDenied("Оценки требований видны только сотрудникам министерства")


@operation("get", f"/programmes/<{ID}:programme_id>/assessments",
           "Оценки требований редакции (только министерство)", tag="assessments",
           ok=AssessmentList, query=AssessmentQuery, errors=(400, 401, 403, 404))
def list_assessments(programme_id: int):
    number = parse_query(AssessmentQuery).revision
    programme = load_programme(programme_id)
    _ministry_only()
    session = db()
    number = programme.revision_number if number is None else number
    revision = session.scalar(
        select(Revision).where(Revision.programme_id == programme.id, Revision.number == number)
    )
    if revision is None:
        if number == programme.revision_number == 0:
            return AssessmentList(revision_number=0, items=[]).model_dump(mode="json")
        raise NotFound("Редакция не найдена")
    positions = _positions(session, programme)
    rows = session.scalars(
        select(Assessment).where(Assessment.revision_id == revision.id)
        .order_by(Assessment.requirement_id)
    )
    return AssessmentList(revision_number=revision.number,
                          items=[assessment_out(a, revision.number, positions) for a in rows]
                          ).model_dump(mode="json")


@operation("put", f"/programmes/<{ID}:programme_id>/assessments/<{ID}:requirement_id>",
           "Оценить требование в текущей редакции (эксперт)", tag="assessments",
           body=AssessmentRequest, ok=AssessmentShape, errors=WRITE)
def assess_requirement(programme_id: int, requirement_id: int):
    data = parse_body(AssessmentRequest)
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        requirement = session.get(Requirement, requirement_id)
        if requirement is None or requirement.campaign_id != programme.campaign_id:
            raise NotFound("Требование не найдено среди требований этой программы")
        assessment = review.assess_requirement(
            session, programme, actor(), requirement_id=requirement_id, now=now(),
            **data.model_dump()
        )
        result = assessment_out(assessment, programme.revision_number,
                                {requirement.id: requirement.position})
    return result.model_dump(mode="json")
