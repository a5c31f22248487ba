"""Shapes of remarks (with their threads) and assessments, declared once."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from workflow import models as orm
from workflow.review import MAX_TEXT
from workflow.states import (
    REMARK_STATE_LABELS,
    REMARK_VISIBILITY_LABELS,
    VERDICT_LABELS,
    RemarkState,
    RemarkVisibility,
    Verdict,
)

from .fields import Id, Person, QueryInteger, Shape, Text, Timestamp, person

Message = Text(MAX_TEXT)

# ---------------------------------------------------------------- requests


class RemarkCreate(Shape):
    requirement_id: Id
    body: Message
    visibility: RemarkVisibility


class RemarkMessage(Shape):
    body: Message


class RemarkDecision(Shape):
    body: Message = ""


class AssessmentRequest(Shape):
    verdict: Verdict
    comment: Message = ""


class AssessmentQuery(Shape):
    revision: QueryInteger() | None = Field(None, description="Номер редакции; по умолчанию текущая")


# ---------------------------------------------------------------- responses


class RemarkReply(Shape):
    id: int
    action: Literal["comment", "answer", "resolve", "reopen"]
    body: str
    author: Person
    created_at: Timestamp


class Remark(Shape):
    id: int
    programme_id: int
    revision_number: int | None
    requirement_id: int
    requirement_position: int | None
    visibility: RemarkVisibility
    visibility_label: str
    state: RemarkState
    state_label: str
    body: str
    author: Person
    created_at: Timestamp
    updated_at: Timestamp
    replies: list[RemarkReply]


class RemarkList(Shape):
    items: list[Remark]


class Assessment(Shape):
    id: int
    programme_id: int
    revision_number: int
    requirement_id: int
    requirement_position: int | None
    verdict: Verdict
    verdict_label: str
    comment: str
    assessor: Person
    assessed_at: Timestamp
    on_behalf_of: Person | None
    carried_from_revision: int | None = Field(
        description="Оценка перенесена из этой редакции (раздел не менялся)")


class AssessmentList(Shape):
    revision_number: int
    items: list[Assessment]


# ---------------------------------------------------------------- rows to shapes


def _reply(r: orm.RemarkReply) -> RemarkReply:
    return RemarkReply(id=r.id, action=r.action, body=r.body, author=person(r.author),
                          created_at=r.created_at)


def remark_out(r: orm.Remark, revision_numbers: dict[int, int], positions: dict[int, int]) -> Remark:
    return Remark(
        id=r.id, programme_id=r.programme_id, revision_number=revision_numbers.get(r.revision_id),
        requirement_id=r.requirement_id, requirement_position=positions.get(r.requirement_id),
        visibility=r.visibility,
        visibility_label=REMARK_VISIBILITY_LABELS[RemarkVisibility(r.visibility)],
        state=r.state, state_label=REMARK_STATE_LABELS[RemarkState(r.state)], body=r.body,
        author=person(r.author), created_at=r.created_at, updated_at=r.updated_at,
        replies=[_reply(x) for x in r.replies])


def assessment_out(a: orm.Assessment, revision_number: int, positions: dict[int, int]) -> Assessment:
    return Assessment(
        id=a.id, programme_id=a.programme_id, revision_number=revision_number,
        requirement_id=a.requirement_id, requirement_position=positions.get(a.requirement_id),
        verdict=a.verdict, verdict_label=VERDICT_LABELS[Verdict(a.verdict)], comment=a.comment,
        assessor=person(a.assessor), assessed_at=a.assessed_at,
        on_behalf_of=person(a.on_behalf_of) if a.on_behalf_of_id else None,
        carried_from_revision=a.carried_from_revision)
