"""Helpers shared by the workflow tests: row counts and small lookups."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from workflow.models import (
    Assessment,
    Decision,
    Letter,
    Programme,
    Remark,
    RemarkReply,
    Revision,
    StageTask,
    WorkflowEvent,
)


@dataclass(frozen=True)
class Snapshot:
    """Everything a programme operation could write, as seen from one session."""

    state: str
    version: int
    reviewer_id: int | None
    revision_number: int
    events: int
    revisions: int
    letters: int
    remarks: int
    replies: int
    assessments: int
    # The route engine's rows: decisions and their stage tasks, and drafts still signable.
    decisions: int = 0
    tasks: int = 0
    draft_letters: int = 0


def snapshot(session, programme_id: int) -> Snapshot:
    row = session.execute(
        select(Programme.state, Programme.version, Programme.reviewer_id, Programme.revision_number)
        .where(Programme.id == programme_id)
    ).one()

    def count(model, *where):
        return session.scalar(select(func.count()).select_from(model).where(*where))

    return Snapshot(
        state=row.state, version=row.version, reviewer_id=row.reviewer_id,
        revision_number=row.revision_number,
        events=count(WorkflowEvent, WorkflowEvent.programme_id == programme_id),
        revisions=count(Revision, Revision.programme_id == programme_id),
        letters=count(Letter, Letter.programme_id == programme_id),
        remarks=count(Remark, Remark.programme_id == programme_id),
        replies=session.scalar(
            select(func.count(RemarkReply.id)).join(Remark).where(Remark.programme_id == programme_id)
        ),
        assessments=count(Assessment, Assessment.programme_id == programme_id),
        decisions=count(Decision, Decision.programme_id == programme_id),
        tasks=session.scalar(
            select(func.count(StageTask.id)).join(Decision).where(Decision.programme_id == programme_id)
        ),
        draft_letters=count(Letter, Letter.programme_id == programme_id, Letter.state == "draft"),
    )


def events_of(session, programme_id: int) -> list[WorkflowEvent]:
    return list(session.scalars(
        select(WorkflowEvent).where(WorkflowEvent.programme_id == programme_id)
        .order_by(WorkflowEvent.seq)
    ))


def letters_of(session, programme_id: int) -> list[Letter]:
    return list(session.scalars(
        select(Letter).where(Letter.programme_id == programme_id).order_by(Letter.id)
    ))
