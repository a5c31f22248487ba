"""Remarks and assessments: the reviewer's work inside a review, and the municipality's answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import campaigns, notifications, search
from .errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from .models import Assessment, Programme, Remark, RemarkReply, Requirement, Revision, User
from .programme_access import acting_for_reviewer, ensure_can_see, lock_programme, principals_now
from .states import (
    ProgrammeState,
    RemarkState,
    RemarkVisibility,
    Role,
    Verdict,
)
from .text import check_text

MAX_TEXT = 5_000


def _text(value: str, what: str, *, required: bool = True) -> str:
    value = check_text(value or "", what, "body").replace("\r\n", "\n").strip()
    if required and not value:
        raise InvalidInput(f"Заполните поле «{what}»", field="body")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"Поле «{what}» длиннее {MAX_TEXT} символов", field="body")
    return value


def _assigned_reviewer_in_review(session: Session, programme: Programme, actor: User,
                                 now: datetime | None = None) -> int | None:
    """Refuse anyone but the assigned reviewer (or, with `now`, their substitute while they
    are absent); returns whom the actor acts for: None, or the absent reviewer's id."""
    ensure_can_see(programme, actor)
    campaigns.ensure_programmes_editable(programme.campaign)
    if actor.role != Role.REVIEWER:
        raise PermissionDenied("Замечания и оценки вносит эксперт министерства")
    lock_programme(session, programme)
    if programme.state != ProgrammeState.IN_REVIEW:
        raise IllegalTransition("Замечания и оценки вносятся, пока программа на рассмотрении")
    return acting_for_reviewer(programme, actor, principals_now(session, actor, now))


def current_revision(session: Session, programme: Programme) -> Revision:
    revision = session.scalar(
        select(Revision).where(
            Revision.programme_id == programme.id, Revision.number == programme.revision_number
        )
    )
    if revision is None:
        raise IllegalTransition("У программы ещё нет направленной редакции")
    return revision


def _requirement(session: Session, programme: Programme, requirement_id: int) -> Requirement:
    requirement = session.get(Requirement, requirement_id)
    if requirement is None or requirement.campaign_id != programme.campaign_id:
        raise InvalidInput("Требование не относится к этой программе", field="requirement_id")
    return requirement


def can_see_remark(remark: Remark, actor: User) -> bool:
    return actor.role != Role.MUNICIPAL_EDITOR or remark.visibility == RemarkVisibility.EXTERNAL


def get_remark(session: Session, programme: Programme, remark_id: int, actor: User) -> Remark:
    ensure_can_see(programme, actor)
    remark = session.get(Remark, remark_id)
    if remark is None or remark.programme_id != programme.id or not can_see_remark(remark, actor):
        raise NotFound("Замечание не найдено")
    return remark


def _of_programme(remark: Remark, programme: Programme) -> None:
    """The operations take the remark and the programme separately: they must belong together,
    or access to one programme would reach the remarks of any other."""
    if remark.programme_id != programme.id:
        raise NotFound("Замечание не найдено")


def add_remark(
    session: Session, programme: Programme, actor: User, *, requirement_id: int, body: str,
    visibility: str, now: datetime,
) -> Remark:
    if visibility not in set(RemarkVisibility):
        raise InvalidInput("Укажите, кому видно замечание", field="visibility")
    body = _text(body, "Замечание")
    on_behalf_of = _assigned_reviewer_in_review(session, programme, actor, now)
    _requirement(session, programme, requirement_id)
    remark = Remark(
        programme_id=programme.id,
        revision_id=current_revision(session, programme).id,
        requirement_id=requirement_id,
        author_id=actor.id,
        on_behalf_of_id=on_behalf_of,
        visibility=visibility,
        state=RemarkState.OPEN,
        body=body,
        created_at=now,
        updated_at=now,
    )
    session.add(remark)
    session.flush()
    if visibility == RemarkVisibility.EXTERNAL:
        notifications.notify(
            session, notifications.editors_of(session, programme.municipality_id),
            kind="remark.added", now=now, link=f"/programmes/{programme.id}",
            text=f"Новое замечание к программе «{programme.title}»: {_quote(body)}")
    search.index_remark(session, remark)
    return remark


def _quote(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _move_remark(session, remark: Remark, from_states, to_state, now) -> None:
    """Compare-and-set on the remark's state, so a double click cannot act twice."""
    result = session.execute(
        update(Remark)
        .where(Remark.id == remark.id, Remark.state.in_([s.value for s in from_states]))
        .values(state=to_state, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise IllegalTransition("Замечание уже изменено другим пользователем; обновите страницу")
    set_committed_value(remark, "state", to_state.value)
    set_committed_value(remark, "updated_at", now)


def _reply(session, remark, actor, action, body, now) -> RemarkReply:
    reply = RemarkReply(remark_id=remark.id, author_id=actor.id, action=action, body=body,
                        created_at=now)
    session.add(reply)
    session.flush()
    return reply


def answer_remark(
    session: Session, programme: Programme, remark: Remark, actor: User, *, body: str, now: datetime
) -> RemarkReply:
    """The municipality answers an external remark while the programme is returned to it."""
    ensure_can_see(programme, actor)
    campaigns.ensure_programmes_editable(programme.campaign)
    _of_programme(remark, programme)
    if actor.role != Role.MUNICIPAL_EDITOR:
        raise PermissionDenied("На замечание отвечает специалист муниципалитета")
    body = _text(body, "Ответ")
    lock_programme(session, programme)
    if programme.state != ProgrammeState.RETURNED:
        raise IllegalTransition("Ответить на замечание можно, пока программа на доработке")
    if remark.visibility != RemarkVisibility.EXTERNAL:
        raise NotFound("Замечание не найдено")
    # Only an open remark is answered: a second answer (a double click, or a colleague in
    # another tab) is refused, not appended; to add to an answer, comment on the remark.
    _move_remark(session, remark, (RemarkState.OPEN,), RemarkState.ANSWERED, now)
    reply = _reply(session, remark, actor, "answer", body, now)
    reviewers = [u for u in notifications.active_with_role(session, Role.REVIEWER)
                 if u.id in (remark.author_id, programme.reviewer_id)]
    notifications.notify(
        session, reviewers, kind="remark.answered", now=now, link=f"/programmes/{programme.id}",
        text=(f"{actor.municipality.name if actor.municipality else 'Муниципалитет'} ответил "
              f"на замечание к программе «{programme.title}»: {_quote(body)}"))
    return reply


def _reviewer_moves_remark(session, programme, remark, actor, *, body, now, sources, target,
                           action) -> RemarkReply:
    _assigned_reviewer_in_review(session, programme, actor, now)
    _of_programme(remark, programme)
    body = _text(body, "Комментарий", required=False)
    _move_remark(session, remark, sources, target, now)
    return _reply(session, remark, actor, action, body, now)


def resolve_remark(
    session: Session, programme: Programme, remark: Remark, actor: User, *, now: datetime,
    body: str = "",
) -> RemarkReply:
    return _reviewer_moves_remark(
        session, programme, remark, actor, body=body, now=now,
        sources=(RemarkState.OPEN, RemarkState.ANSWERED), target=RemarkState.RESOLVED,
        action="resolve")


def reopen_remark(
    session: Session, programme: Programme, remark: Remark, actor: User, *, now: datetime,
    body: str = "",
) -> RemarkReply:
    return _reviewer_moves_remark(
        session, programme, remark, actor, body=body, now=now,
        sources=(RemarkState.ANSWERED, RemarkState.RESOLVED), target=RemarkState.OPEN,
        action="reopen")


def comment_remark(
    session: Session, programme: Programme, remark: Remark, actor: User, *, body: str, now: datetime
) -> RemarkReply:
    """A message in the thread that does not change the remark's state."""
    ensure_can_see(programme, actor)
    campaigns.ensure_programmes_editable(programme.campaign)
    _of_programme(remark, programme)
    if not can_see_remark(remark, actor):
        raise NotFound("Замечание не найдено")
    if actor.role not in (Role.MUNICIPAL_EDITOR, Role.REVIEWER):
        raise PermissionDenied("Комментировать замечания могут эксперт и муниципалитет")
    body = _text(body, "Комментарий")
    return _reply(session, remark, actor, "comment", body, now)


def assess_requirement(
    session: Session, programme: Programme, actor: User, *, requirement_id: int, verdict: str,
    comment: str = "", now: datetime,
) -> Assessment:
    if verdict not in set(Verdict):
        raise InvalidInput("Выберите оценку: выполнено, частично или не выполнено", field="verdict")
    comment = _text(comment, "Комментарий к оценке", required=False)
    on_behalf_of = _assigned_reviewer_in_review(session, programme, actor, now)
    _requirement(session, programme, requirement_id)
    revision = current_revision(session, programme)
    assessment = session.scalar(
        select(Assessment).where(
            Assessment.revision_id == revision.id, Assessment.requirement_id == requirement_id
        )
    )
    if assessment is None:
        assessment = Assessment(
            programme_id=programme.id, revision_id=revision.id, requirement_id=requirement_id
        )
        session.add(assessment)
    assessment.verdict = verdict
    assessment.comment = comment
    assessment.assessor_id = actor.id
    assessment.assessed_at = now
    assessment.on_behalf_of_id = on_behalf_of
    # Assessed anew on this revision: no longer a verdict carried from an earlier one.
    assessment.carried_from_revision = None
    session.flush()
    return assessment
