"""Revisions: the frozen snapshot a submission makes, the verdicts it carries over, and the
redlines against the previous revision (computed once, when written; pages only show them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import redline
from .files import freeze_files
from .models import Assessment, Programme, ProgrammeSection, Revision, RevisionSection, User


def freeze_revision(session: Session, programme: Programme, actor: User, now: datetime) -> Revision:
    previous = revision_texts(session, programme.id, programme.revision_number - 1)
    revision = Revision(
        programme_id=programme.id,
        number=programme.revision_number,
        created_at=now,
        created_by_id=actor.id,
        sections=[
            frozen_section(s, previous) for s in programme.sections
        ],
    )
    # The revision's own file list (replacing a file later leaves this revision's file be),
    # given before the revision joins the session: once flushed, it may never change.
    freeze_files(revision, programme)
    session.add(revision)
    return revision


def carry_over_assessments(session: Session, programme: Programme, revision: Revision) -> int:
    """Copy to `revision` the assessments of the previous revision for every section whose
    text did not change; a changed section waits for the reviewer. Each copy names the
    revision its verdict was first given on. Returns how many were carried."""
    previous = session.scalar(select(Revision).where(
        Revision.programme_id == programme.id, Revision.number == revision.number - 1))
    if previous is None:
        return 0
    before = {s.requirement_id: s.text for s in previous.sections}
    carried = 0
    for old in session.scalars(select(Assessment).where(Assessment.revision_id == previous.id)):
        section = next((s for s in revision.sections if s.requirement_id == old.requirement_id),
                       None)
        if section is None or before.get(old.requirement_id) != section.text:
            continue
        session.add(Assessment(
            programme_id=programme.id, revision_id=revision.id,
            requirement_id=old.requirement_id, verdict=old.verdict, comment=old.comment,
            assessor_id=old.assessor_id, assessed_at=old.assessed_at,
            on_behalf_of_id=old.on_behalf_of_id,
            carried_from_revision=old.carried_from_revision or previous.number,
        ))
        carried += 1
    return carried


def revision_texts(session: Session, programme_id: int, number: int) -> dict[int, str]:
    """Section texts of one revision of a programme, by requirement (empty for number 0)."""
    return dict(session.execute(
        select(RevisionSection.requirement_id, RevisionSection.text)
        .join(Revision, Revision.id == RevisionSection.revision_id)
        .where(Revision.programme_id == programme_id, Revision.number == number)
    ).all())


def frozen_section(section: ProgrammeSection, previous: dict[int, str]) -> RevisionSection:
    """The snapshot of a section with its redline against the previous revision, computed
    here once (bounded cost, see workflow.redline): pages only show what is stored."""
    frozen = RevisionSection(requirement_id=section.requirement_id, text=section.text)
    if section.requirement_id in previous:
        diff = redline.compute(previous[section.requirement_id], section.text)
        frozen.redline, frozen.redline_method = diff.segments, diff.method
    return frozen


def refresh_working_redlines(session: Session, programme: Programme, edited: set[int]) -> None:
    """Redlines of the working copy against the last revision, for the sections just edited
    and for those still compared with an older revision; the others are current."""
    base = programme.revision_number
    if base < 1:
        return
    stale = [s for s in programme.sections
             if s.requirement_id in edited or s.redline_base != base]
    if not stale:
        return
    previous = revision_texts(session, programme.id, base)
    for section in stale:
        diff = (redline.compute(previous[section.requirement_id], section.text)
                if section.requirement_id in previous else None)
        section.redline = diff.segments if diff else None
        section.redline_method = diff.method if diff else None
        section.redline_base = base

