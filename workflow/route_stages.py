"""One stage of a decision's route: who acts on it, opening its tasks, closing them, and
whether it passed by its mode (`any`, `all`, `quorum N`); plus the compare-and-set writes
and the lock order (letter -> decision) the engine, reassignment and signing share.

Each write is a compare-and-set on a version: of two participants deciding at once exactly
one counts and the other gets `StaleTask` with nothing written.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import timefmt
from .errors import DecisionNotActive, NotFound, StaleTask
from .models import (
    Decision,
    Letter,
    OrganisationProfile,
    Programme,
    RouteStage,
    StageTask,
    User,
)
from .notifications import notify
from .states import (
    LetterState,
    ParticipantType,
    RouteStageKind,
    StageMode,
    TaskResult,
    TaskState,
)
from .working_days import add_working_days


def local_today(session: Session, now: datetime) -> date:
    profile = session.scalar(select(OrganisationProfile).order_by(OrganisationProfile.id).limit(1))
    return timefmt.local_date(now, profile.timezone if profile else None)


def stage_participants(session: Session, stage: RouteStage, programme: Programme) -> list[User]:
    """The active users who act on `stage` for `programme`, in a stable order."""
    if stage.participant_type == ParticipantType.PROGRAMME_REVIEWER:
        reviewer = session.get(User, programme.reviewer_id) if programme.reviewer_id else None
        return [reviewer] if reviewer is not None and reviewer.active else []
    if stage.participant_type == ParticipantType.ROLE:
        return list(session.scalars(select(User).where(
            User.role == stage.participant_role, User.active.is_(True)).order_by(User.id)))
    users = [session.get(User, uid) for uid in stage.user_ids]
    return [u for u in users if u is not None and u.active]


def programme_link(programme_id: int) -> str:
    return f"/programmes/{programme_id}"


def open_stage(session: Session, decision: Decision, programme: Programme, stage: RouteStage,
                now: datetime) -> list[StageTask]:
    people = stage_participants(session, stage, programme)
    if not people:
        raise DecisionNotActive(
            f"На этапе «{stage.name}» некому действовать (нет активных участников): "
            "обратитесь к администратору маршрутов")
    due = add_working_days(local_today(session, now), stage.limit_days)
    tasks = [StageTask(decision_id=decision.id, stage_position=stage.position, assignee_id=u.id,
                       state=TaskState.OPEN, comment="", due_on=due, created_at=now, note="",
                       version=1) for u in people]
    session.add_all(tasks)
    signing = stage.kind == RouteStageKind.SIGN
    verb = "подписать письмо" if signing else "рассмотреть"
    # Letters awaiting signature reach signatories as one digest, not one mail per letter.
    notify(session, people, kind="letters.awaiting_signature" if signing else "route_task", now=now, link=programme_link(programme.id),
           text=f"Новая задача «{stage.name}»: {verb} — «{programme.title}», "
                f"срок до {timefmt.ddmmyyyy(due)}")
    return tasks


def cas_decision(session: Session, decision: Decision, **values) -> None:
    values["version"] = decision.version + 1
    done = session.execute(
        update(Decision).where(Decision.id == decision.id, Decision.version == decision.version)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise StaleTask()
    for key, value in values.items():
        set_committed_value(decision, key, value)


def close_task(session: Session, task: StageTask, *, state: str, result: str | None = None,
                comment: str = "", actor: User | None = None, now: datetime | None = None,
                on_behalf_of_id: int | None = None) -> None:
    values = {"state": state, "version": task.version + 1}
    if state == TaskState.DONE:
        values.update(result=result, comment=comment, decided_by_id=actor.id, decided_at=now,
                      on_behalf_of_id=on_behalf_of_id)
    done = session.execute(
        update(StageTask).where(StageTask.id == task.id, StageTask.version == task.version,
                                StageTask.state == TaskState.OPEN)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise StaleTask()
    for key, value in values.items():
        set_committed_value(task, key, value)


def stage_tasks(session: Session, decision: Decision, position: int) -> list[StageTask]:
    return list(session.scalars(
        select(StageTask).where(StageTask.decision_id == decision.id,
                                StageTask.stage_position == position)
        .order_by(StageTask.id).execution_options(populate_existing=True)))


def cancel_open(session: Session, decision: Decision, position: int) -> None:
    for task in stage_tasks(session, decision, position):
        if task.state == TaskState.OPEN:
            close_task(session, task, state=TaskState.CANCELLED)


def lock_decision(session: Session, decision_id: int) -> tuple[Decision, Letter]:
    """Letter, then decision, under row locks: the order signing uses."""
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound("Решение не найдено")
    letter = session.get(Letter, decision.letter_id, with_for_update={"of": Letter},
                         populate_existing=True)
    decision = session.get(Decision, decision_id, with_for_update={"of": Decision},
                           populate_existing=True)
    return decision, letter


def cancel_letter(session: Session, letter: Letter, now: datetime) -> None:
    if letter.state != LetterState.DRAFT:
        return
    values = {"state": LetterState.CANCELLED, "version": letter.version + 1, "updated_at": now}
    session.execute(update(Letter).where(Letter.id == letter.id, Letter.version == letter.version,
                                         Letter.state == LetterState.DRAFT)
                    .values(**values).execution_options(synchronize_session=False))
    for key, value in values.items():
        set_committed_value(letter, key, value)



def stage_outcome(stage: RouteStage, tasks: list[StageTask], latest: StageTask) -> str | None:
    """"passed", "refused", or None while the stage waits for more decisions."""
    live = [t for t in tasks if t.state != TaskState.CANCELLED]
    approvals = sum(1 for t in live if t.state == TaskState.DONE and t.result != TaskResult.REJECT)
    rejects = sum(1 for t in live if t.state == TaskState.DONE and t.result == TaskResult.REJECT)
    still_open = sum(1 for t in live if t.state == TaskState.OPEN)
    if stage.mode == StageMode.ANY:
        return "refused" if latest.result == TaskResult.REJECT else "passed"
    needed = len(live) if stage.mode == StageMode.ALL else stage.quorum
    if approvals >= needed:
        return "passed"
    if approvals + still_open < needed or (stage.mode == StageMode.ALL and rejects):
        return "refused"
    return None


def quorum_outcome(mode: str, quorum: int | None, results: list[str | None]) -> str | None:
    """The stage arithmetic on plain values (a result per participant, None = not yet;
    the last decided is the latest): for tests and the admin page's explanations."""
    class _T:
        def __init__(self, r):
            self.result = r
            self.state = TaskState.OPEN if r is None else TaskState.DONE

    class _S:
        pass

    stage = _S()
    stage.mode, stage.quorum = mode, quorum
    tasks = [_T(r) for r in results]
    decided = [t for t in tasks if t.result is not None]
    return stage_outcome(stage, tasks, decided[-1]) if decided else None
