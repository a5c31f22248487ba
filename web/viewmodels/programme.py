"""The programme page: the programme, the copy shown (a revision or the working copy) with
its redlines, remarks and assessments, the history and the letters, read in a fixed number
of statements (joined and select-in loading) whatever the programme's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session, joinedload, load_only

from workflow import deadlines, timefmt
from workflow.facts import KnownFacts
from workflow.letter_visibility import visible_letters_filter
from workflow.models import (
    Assessment,
    Campaign,
    Letter,
    Programme,
    Remark,
    RemarkReply,
    Revision,
    RevisionSection,
    User,
    WorkflowEvent,
)
from workflow.programme_access import ensure_can_see
from workflow.redline import SAME
from workflow.states import RemarkVisibility, Role, Verdict, event_visible_to

from ..extensions import request_timezone
from ..redline import render as render_redline
from .common import _int_or_none


@dataclass
class RemarkView:
    remark: Remark
    revision_number: int


@dataclass
class SectionView:
    requirement: object
    text: str
    redline: object | None
    previous_number: int | None
    redline_method: str | None
    remarks: list[RemarkView]
    previous_remarks: list[RemarkView]
    assessment: Assessment | None


@dataclass
class ProgrammePage:
    programme: Programme
    revisions: list[tuple[int, datetime]]
    shown: int | None  # None: the working copy
    sections: list[SectionView]
    events: list[WorkflowEvent]
    is_ministry: bool
    letters: list[Letter] = field(default_factory=list)
    submission: deadlines.SubmissionStatus | None = None
    # What the guards of the listed actions would otherwise query again.
    known: KnownFacts | None = None


# The page's statements are built once, with the programme's id a bound parameter: building
# them (and their cache keys) on every request cost more than SQLite took to run them.
_ID = bindparam("programme_id", type_=Integer)


def _person(relationship):
    """A user the page names (a reviewer, an author, an assessor, an actor, "за кого"): their
    name and position (the route panel names the reviewer by both) and what a guard may ask
    (role, active), not the whole row with its municipality,
    which `User.municipality` joins by default. Six such users made half of the page's 450
    columns, each a Python object in PostgreSQL's driver on every request. Anything else is
    read if asked (and by then the row is usually in the session already)."""
    return (joinedload(relationship)
            .load_only(User.full_name, User.position, User.role, User.active,
                       User.municipality_id)
            .lazyload(User.municipality))

_PROGRAMME = (
    select(Programme)
    .where(Programme.id == _ID)
    .options(
        joinedload(Programme.campaign).selectinload(Campaign.requirements),
        joinedload(Programme.municipality),
        _person(Programme.reviewer),
        # Joined, not a statement of their own: one row per section, a dozen at most.
        joinedload(Programme.sections),
    )
)
_REVISIONS = (select(Revision.id, Revision.number, Revision.created_at)
              .where(Revision.programme_id == _ID).order_by(Revision.number))
_FROZEN_SECTIONS = (
    select(Revision.number, RevisionSection)
    .join(RevisionSection, RevisionSection.revision_id == Revision.id)
    .where(Revision.programme_id == _ID,
           Revision.number.in_(bindparam("numbers", expanding=True)))
)
_ALL_REMARKS = (
    select(Remark)
    .where(Remark.programme_id == _ID)
    .options(
        _person(Remark.author),
        # A remark has a few replies: joined, one statement for the threads.
        joinedload(Remark.replies).options(_person(RemarkReply.author)),
    )
    .order_by(Remark.created_at, Remark.id)
)
_EXTERNAL_REMARKS = _ALL_REMARKS.where(Remark.visibility == RemarkVisibility.EXTERNAL)
_ASSESSMENTS = (
    select(Assessment)
    .where(Assessment.revision_id == bindparam("revision_id", type_=Integer))
    .options(_person(Assessment.assessor), _person(Assessment.on_behalf_of))
)
_EVENTS = (
    select(WorkflowEvent)
    .where(WorkflowEvent.programme_id == _ID)
    .options(_person(WorkflowEvent.actor), _person(WorkflowEvent.on_behalf_of))
    .order_by(WorkflowEvent.seq)
)


def load_programme(
    session: Session, programme_id: int, actor: User, *, for_write: bool = False
) -> Programme:
    """The programme with its campaign, requirements, municipality and working sections;
    a programme the user may not see is reported as not found.

    `for_write` loads the bare row: the operations lock it with `refresh(with_for_update)`,
    which repeats the original eager joins, and PostgreSQL refuses FOR UPDATE on the
    nullable side of an outer join (the optional reviewer)."""
    from workflow.errors import NotFound

    if for_write:
        programme = session.get(Programme, programme_id)
        if programme is None:
            raise NotFound("Программа не найдена")
        ensure_can_see(programme, actor)
        return programme
    programme = session.execute(_PROGRAMME, {"programme_id": programme_id}).unique() \
        .scalar_one_or_none()
    if programme is None:
        raise NotFound("Программа не найдена")
    ensure_can_see(programme, actor)
    return programme


def default_revision(programme: Programme, actor: User) -> int | None:
    if programme.revision_number == 0:
        return None
    if actor.role == Role.MUNICIPAL_EDITOR and programme.editable:
        return None
    return programme.revision_number


def choose_revision(rev, programme: Programme, actor: User, numbers) -> int | None:
    """`?rev=N` if that revision exists, `?rev=work` for the working copy (the municipality's
    own, or any draft never sent), else the default for this user and state."""
    if rev == "work" and (actor.role == Role.MUNICIPAL_EDITOR or not numbers):
        return None
    number = _int_or_none(rev)
    if number in numbers:
        return number
    return default_revision(programme, actor)


def programme_page(session: Session, programme: Programme, actor: User, rev,
                   now: datetime | None = None) -> ProgrammePage:
    is_ministry = actor.role != Role.MUNICIPAL_EDITOR
    by_id = {"programme_id": programme.id}
    revisions = session.execute(_REVISIONS, by_id).all()
    numbers = {r.number: r.id for r in revisions}
    number_of = {r.id: r.number for r in revisions}

    shown = choose_revision(rev, programme, actor, numbers)
    previous = ((shown - 1) or None) if shown else (programme.revision_number or None)
    # A revision carries its redline (stored when it was frozen); the working copy is
    # compared with the last revision (stored when it was saved). Nothing is diffed here.
    wanted = [shown] if shown else [n for n in (previous,) if n]
    frozen: dict[int, dict[int, RevisionSection]] = {n: {} for n in wanted}
    if wanted:
        for number, section in session.execute(_FROZEN_SECTIONS, {**by_id, "numbers": wanted}):
            frozen[number][section.requirement_id] = section

    remarks = list(session.scalars(_ALL_REMARKS if is_ministry else _EXTERNAL_REMARKS,
                                   by_id).unique())

    assessments: dict[int, Assessment] = {}
    shown_revision_id = numbers.get(shown) if shown else None
    if is_ministry and shown_revision_id:
        for a in session.scalars(_ASSESSMENTS, {"revision_id": shown_revision_id}):
            assessments[a.requirement_id] = a

    working = {s.requirement_id: s for s in programme.sections}
    sections = []
    for requirement in programme.campaign.requirements:
        section = (frozen[shown] if shown else working).get(requirement.id)
        text = section.text if section else ""
        method = segments = None
        if shown:
            method, segments = (section.redline_method, section.redline) if section else (None, None)
        elif previous and section is not None:
            old = frozen[previous].get(requirement.id)
            if section.redline_base == previous:
                method, segments = section.redline_method, section.redline
            elif old is not None and old.text.strip() == text.strip():
                method = SAME  # untouched since that revision was frozen
        diff = render_redline(segments) if segments else None
        own = [RemarkView(r, number_of.get(r.revision_id, 0)) for r in remarks
               if r.requirement_id == requirement.id]
        sections.append(SectionView(
            requirement=requirement,
            text=text,
            redline=diff,
            previous_number=previous if method else None,
            redline_method=method,
            remarks=own,
            # On a resubmitted revision: what became of the previous revision's remarks.
            previous_remarks=[r for r in own if shown and shown >= 2
                              and r.revision_number == previous],
            assessment=assessments.get(requirement.id),
        ))

    municipal = actor.role == Role.MUNICIPAL_EDITOR
    events = [e for e in session.scalars(_EVENTS, by_id)
              if event_visible_to(e, municipal=municipal)]
    letters = list(session.scalars(
        select(Letter)
        .where(Letter.programme_id == programme.id, visible_letters_filter(actor))
        # What the list of letters shows, not their texts and frozen data.
        .options(load_only(Letter.heading, Letter.state, Letter.number, Letter.registered_on))
        .order_by(Letter.id)
    ))
    first = next((r.created_at for r in revisions if r.number == 1), None)
    submission = deadlines.submission_status(
        programme.campaign.deadline, programme.state, first,
        timefmt.local_date(datetime.now(UTC) if now is None else now, request_timezone()),
        request_timezone())
    current = shown is not None and shown == programme.revision_number
    known = KnownFacts(
        remarks=remarks, all_remarks=is_ministry,
        met_requirement_ids=frozenset(rid for rid, a in assessments.items()
                                      if a.verdict == Verdict.MET) if is_ministry and current
        else None)
    return ProgrammePage(
        known=known,
        submission=submission,
        programme=programme,
        revisions=[(r.number, r.created_at) for r in revisions],
        shown=shown,
        sections=sections,
        events=events,
        is_ministry=is_ministry,
        letters=letters,
    )


def last_change(session: Session, programme: Programme) -> tuple[str, datetime]:
    """Who changed the programme last, and when, for the "changed since you opened it" note."""
    session.refresh(programme, ["updated_at", "updated_by_id"])
    author = session.get(User, programme.updated_by_id) if programme.updated_by_id else None
    return (author.full_name if author else "другим пользователем"), programme.updated_at
