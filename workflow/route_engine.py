"""The route engine: the second level inside the programme's `decision_pending` state.

A proposal ("Согласовать" / "Вернуть на доработку") drafts the letter and starts a
`Decision` on the programme's pinned route version. Each stage opens one `StageTask` per
participant; the stage passes or is refused by its mode:

- `any`: the first decision counts (approve passes, reject refuses); the others are cancelled;
- `all`: every participant approves; the first reject refuses;
- `quorum N`: N approvals pass; once fewer than N approvals remain possible, it is refused.

The final `sign` stage ends only by signing the letter (`letter_registration.sign_letter` calls
`on_letter_signing`), which applies the decision in the same transaction as the journal
entry. A refusal goes where the stage says: `previous` (the previous stage decides again,
the letter is kept), `reviewer` (the letter is cancelled, the programme is back in review),
`municipality` (an approval becomes a return: the approval letter is cancelled, a return
letter with the refusal's reason goes straight to signature; for a return it is `reviewer`).

Locks are always taken in the order letter -> decision -> programme (as signing does), so
a signature and a concurrent refusal serialise instead of deadlocking; each write is a
compare-and-set on a version, so of two participants of an `any` stage deciding at once
exactly one counts and the other gets `StaleTask` / `TaskClosed` with nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import substitution, timefmt
from .access import ensure_active
from .errors import (
    DecisionNotActive,
    IllegalTransition,
    InvalidInput,
    LetterError,
    NotFound,
    PermissionDenied,
    StaleTask,
    TaskClosed,
    TaskNotYours,
)
from .models import (
    Decision,
    Letter,
    OrganisationProfile,
    Programme,
    RouteStage,
    RouteVersion,
    StageTask,
    User,
)
from .notifications import notify
from .states import (
    DECISION_LETTER_KINDS,
    DecisionKind,
    DecisionState,
    LetterKind,
    LetterState,
    ParticipantType,
    ProgrammeState,
    RefusalTarget,
    Role,
    RouteStageKind,
    StageMode,
    TaskResult,
    TaskState,
)
from .text import check_text
from .working_days import add_working_days

MAX_COMMENT = 5_000


# ------------------------------------------------------------------ small helpers


def _local_today(session: Session, now: datetime) -> date:
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


def _programme_link(programme_id: int) -> str:
    return f"/programmes/{programme_id}"


def _open_stage(session: Session, decision: Decision, programme: Programme, stage: RouteStage,
                now: datetime) -> list[StageTask]:
    people = stage_participants(session, stage, programme)
    if not people:
        raise DecisionNotActive(
            f"На этапе «{stage.name}» некому действовать (нет активных участников): "
            "обратитесь к администратору маршрутов")
    due = add_working_days(_local_today(session, now), stage.limit_days)
    tasks = [StageTask(decision_id=decision.id, stage_position=stage.position, assignee_id=u.id,
                       state=TaskState.OPEN, comment="", due_on=due, created_at=now, note="",
                       version=1) for u in people]
    session.add_all(tasks)
    signing = stage.kind == RouteStageKind.SIGN
    verb = "подписать письмо" if signing else "рассмотреть"
    # Letters awaiting signature reach signatories as one digest, not one mail per letter.
    notify(session, people, kind="letters.awaiting_signature" if signing else "route_task", now=now, link=_programme_link(programme.id),
           text=f"Новая задача «{stage.name}»: {verb} — «{programme.title}», "
                f"срок до {timefmt.ddmmyyyy(due)}")
    return tasks


def _cas_decision(session: Session, decision: Decision, **values) -> None:
    values["version"] = decision.version + 1
    done = session.execute(
        update(Decision).where(Decision.id == decision.id, Decision.version == decision.version)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise StaleTask()
    for key, value in values.items():
        set_committed_value(decision, key, value)


def _close_task(session: Session, task: StageTask, *, state: str, result: str | None = None,
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


def _stage_tasks(session: Session, decision: Decision, position: int) -> list[StageTask]:
    return list(session.scalars(
        select(StageTask).where(StageTask.decision_id == decision.id,
                                StageTask.stage_position == position)
        .order_by(StageTask.id).execution_options(populate_existing=True)))


def _cancel_open(session: Session, decision: Decision, position: int) -> None:
    for task in _stage_tasks(session, decision, position):
        if task.state == TaskState.OPEN:
            _close_task(session, task, state=TaskState.CANCELLED)


def _lock_decision(session: Session, decision_id: int) -> tuple[Decision, Letter]:
    """Letter, then decision, under row locks: the order signing uses."""
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound("Решение не найдено")
    letter = session.get(Letter, decision.letter_id, with_for_update={"of": Letter},
                         populate_existing=True)
    decision = session.get(Decision, decision_id, with_for_update={"of": Decision},
                           populate_existing=True)
    return decision, letter


def _cancel_letter(session: Session, letter: Letter, now: datetime) -> None:
    if letter.state != LetterState.DRAFT:
        return
    values = {"state": LetterState.CANCELLED, "version": letter.version + 1, "updated_at": now}
    session.execute(update(Letter).where(Letter.id == letter.id, Letter.version == letter.version,
                                         Letter.state == LetterState.DRAFT)
                    .values(**values).execution_options(synchronize_session=False))
    for key, value in values.items():
        set_committed_value(letter, key, value)


# ------------------------------------------------------------------ starting a decision


def start_decision(session: Session, programme: Programme, letter: Letter, actor: User, *,
                   now: datetime, kind: str, start_at: int | None = None) -> Decision:
    """Called by `operations.fire` inside the proposal's transaction (the programme is
    already `decision_pending` with its route version pinned). Every older decision of the
    programme still active is superseded and every other unsigned decision letter of the
    programme is cancelled: only the newest proposal can ever be signed."""
    _supersede_older(session, programme, letter, now)
    version = session.get(RouteVersion, programme.route_version_id)
    first = version.stages[0]
    # The proposal is the review stage's decision, by the proposing expert.
    proposal_reviews = start_at is None and first.kind == RouteStageKind.REVIEW
    start = start_at or (version.stages[1].position if proposal_reviews else first.position)
    decision = Decision(programme_id=programme.id, letter_id=letter.id, kind=kind,
                        route_version_id=version.id, state=DecisionState.ACTIVE,
                        current_stage=start, proposed_by_id=actor.id, created_at=now, version=1)
    session.add(decision)
    session.flush()
    if proposal_reviews:
        session.add(StageTask(
            decision_id=decision.id, stage_position=first.position, assignee_id=actor.id,
            state=TaskState.DONE, result=TaskResult.APPROVE, comment="", decided_by_id=actor.id,
            decided_at=now, due_on=_local_today(session, now), created_at=now, note="",
            version=1))
    _open_stage(session, decision, programme, version.stage_at(start), now)
    session.flush()
    return decision


def _supersede_older(session: Session, programme: Programme, keep: Letter, now: datetime) -> None:
    older = session.scalars(select(Decision).where(
        Decision.programme_id == programme.id, Decision.state == DecisionState.ACTIVE,
        Decision.letter_id != keep.id)).all()
    for decision in older:
        for task in decision.tasks:
            if task.state == TaskState.OPEN:
                _close_task(session, task, state=TaskState.CANCELLED)
        _cas_decision(session, decision, state=DecisionState.SUPERSEDED, closed_at=now)
    drafts = session.scalars(select(Letter).where(
        Letter.programme_id == programme.id, Letter.id != keep.id,
        Letter.kind.in_([k.value for k in DECISION_LETTER_KINDS]),
        Letter.state == LetterState.DRAFT)).all()
    for draft in drafts:
        _cancel_letter(session, draft, now)


# ------------------------------------------------------------------ deciding


def _stage_outcome(stage: RouteStage, tasks: list[StageTask], latest: StageTask) -> str | None:
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
    return _stage_outcome(stage, tasks, decided[-1]) if decided else None


def _check_result(result: str, comment: str) -> str:
    if result not in {r.value for r in TaskResult}:
        raise InvalidInput("Решение: «approve», «approve_with_remarks» или «reject»",
                           field="decision")
    comment = check_text(comment or "", "Комментарий", "comment").replace("\r\n", "\n").strip()
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(f"Комментарий длиннее {MAX_COMMENT} символов", field="comment")
    if result != TaskResult.APPROVE and not comment:
        label = "«Согласовано с замечаниями»" if result == TaskResult.APPROVE_WITH_REMARKS \
            else "«Не согласовано»"
        raise InvalidInput(f"Для решения {label} укажите комментарий", field="comment")
    return comment


def decide_task(session: Session, task_id: int, actor: User, *, decision: str, comment: str = "",
                now: datetime, expected_version: int | None = None) -> StageTask:
    """Record one participant's decision and move the route on; typed errors, nothing
    written, for a task that is not the actor's, decided already, of a decision that no
    longer applies, or changed since `expected_version`."""
    ensure_active(actor)
    comment = _check_result(decision, comment)
    task = session.get(StageTask, task_id)
    if task is None:
        raise NotFound("Задача не найдена")
    dec, letter = _lock_decision(session, task.decision_id)
    session.refresh(task)
    if task.assignee_id not in substitution.principals(session, actor, now):
        raise TaskNotYours()
    if expected_version is not None and task.version != expected_version:
        raise StaleTask()
    if task.state != TaskState.OPEN:
        raise TaskClosed("Задача уже закрыта: решение по ней принято или она снята "
                         "(этап решён другим участником)")
    if dec.state != DecisionState.ACTIVE or dec.current_stage != task.stage_position:
        raise DecisionNotActive("Это решение больше не действует: маршрут ушёл дальше, "
                                "решение заменено новым или уже подписано")
    stage = dec.route_version.stage_at(task.stage_position)
    if stage.kind == RouteStageKind.SIGN and decision != TaskResult.REJECT:
        raise IllegalTransition("Этап подписания завершается подписью письма: подпишите его")
    if stage.kind == RouteStageKind.SIGN and decision == TaskResult.REJECT and actor.role != Role.SIGNATORY:
        raise PermissionDenied("Отказать в подписи может только подписант")
    on_behalf = task.assignee_id if task.assignee_id != actor.id else None
    _close_task(session, task, state=TaskState.DONE, result=decision, comment=comment,
                actor=actor, now=now, on_behalf_of_id=on_behalf)
    _cas_decision(session, dec)
    programme = session.get(Programme, dec.programme_id)
    outcome = _stage_outcome(stage, _stage_tasks(session, dec, stage.position), task)
    if outcome == "passed":
        _cancel_open(session, dec, stage.position)
        _open_stage(session, dec, programme, dec.route_version.stage_at(stage.position + 1), now)
        _cas_decision(session, dec, current_stage=stage.position + 1)
    elif outcome == "refused":
        _cancel_open(session, dec, stage.position)
        _refuse(session, dec, letter, programme, stage, actor, comment, now)
    session.flush()
    return task


def _refuse(session, dec: Decision, letter: Letter, programme: Programme, stage: RouteStage,
            actor: User, comment: str, now: datetime) -> None:
    from .operations import fire_system  # operations imports this module

    target = stage.on_refusal
    previous = dec.route_version.stage_at(stage.position - 1) if stage.position > 1 else None
    if target == RefusalTarget.PREVIOUS and previous is not None \
            and previous.kind != RouteStageKind.REVIEW:
        # The previous stage decides again on the same draft.
        _open_stage(session, dec, programme, previous, now)
        _cas_decision(session, dec, current_stage=previous.position)
        return
    _cas_decision(session, dec, state=DecisionState.REFUSED, closed_at=now)
    _cancel_letter(session, letter, now)
    reason = f"{stage.name}: не согласовано — {comment}"
    if target == RefusalTarget.MUNICIPALITY and dec.kind == DecisionKind.APPROVE:
        # An approval refused "to the municipality" becomes a return, which (like every
        # decision) reaches the municipality only as a signed letter: the return letter,
        # with the refusal as its reason, goes straight to the signing stage.
        from .letter_drafting import draft_decision_letter

        new_letter = draft_decision_letter(session, programme, actor, now=now, reason=comment,
                                           kind=LetterKind.RETURN)
        start_decision(session, programme, new_letter, actor, now=now, kind=DecisionKind.RETURN,
                       start_at=dec.route_version.stages[-1].position)
        notify(session, [u for u in [session.get(User, programme.reviewer_id)] if u], now=now,
               kind="route_refused", link=_programme_link(programme.id),
               text=f"Согласование программы «{programme.title}» отклонено ({reason}); "
                    "подготовлено письмо о возврате на доработку")
        return
    fire_system(session, programme, "decision_refused", actor, now=now, reason=reason[:2000])
    notify(session, [u for u in [session.get(User, programme.reviewer_id)] if u], now=now,
           kind="route_refused", link=_programme_link(programme.id),
           text=f"Решение по программе «{programme.title}» не согласовано ({reason}); "
                "программа возвращена вам на рассмотрение")


# ------------------------------------------------------------------ signing


SUPERSEDED_LETTER = ("Проект письма заменён более новым решением по программе "
                     "и не может быть подписан")


def on_letter_signing(session: Session, letter: Letter, actor: User, *,
                      now: datetime) -> Decision | None:
    """Called by `letter_registration.sign_letter` under the letter's row lock, after the key opened
    and before the registration: for a decision letter, the sign stage's task must be open
    and the actor among its principals; closes it and applies the decision (approved /
    returned), all in the signing transaction. Raises, with nothing written, otherwise."""
    if letter.kind not in DECISION_LETTER_KINDS or letter.programme_id is None:
        return None
    dec = session.scalar(select(Decision).where(Decision.letter_id == letter.id)
                         .with_for_update(of=Decision).execution_options(populate_existing=True))
    programme = session.get(Programme, letter.programme_id)
    if dec is None:
        # A draft from before routes existed: signable only while it still matches.
        expected = {LetterKind.APPROVAL: ProgrammeState.APPROVED,
                    LetterKind.RETURN: ProgrammeState.RETURNED}[LetterKind(letter.kind)]
        if programme.state != expected:
            raise LetterError(SUPERSEDED_LETTER)
        return None
    if dec.state == DecisionState.SUPERSEDED:
        raise LetterError(SUPERSEDED_LETTER)
    if dec.state != DecisionState.ACTIVE:
        raise LetterError("Решение по этому письму не согласовано: письмо не может быть подписано")
    stage = dec.route_version.stage_at(dec.current_stage)
    if stage.kind != RouteStageKind.SIGN:
        raise LetterError(f"Решение ещё на этапе «{stage.name}»: письмо подписывают после "
                          "всех виз")
    mine = substitution.principals(session, actor, now)
    open_tasks = [t for t in _stage_tasks(session, dec, stage.position)
                  if t.state == TaskState.OPEN and t.assignee_id in mine]
    if not open_tasks:
        raise PermissionDenied("Письмо подписывает участник этапа подписания: "
                               "вы не назначены на этот этап")
    task = next((t for t in open_tasks if t.assignee_id == actor.id), open_tasks[0])
    _close_task(session, task, state=TaskState.DONE, result=TaskResult.APPROVE, actor=actor,
                now=now, on_behalf_of_id=task.assignee_id if task.assignee_id != actor.id else None)
    _cancel_open(session, dec, stage.position)
    _cas_decision(session, dec, state=DecisionState.SIGNED, closed_at=now)
    from .operations import fire_system

    trigger = ("decision_signed_approval" if dec.kind == DecisionKind.APPROVE
               else "decision_signed_return")
    fire_system(session, programme, trigger, actor, now=now)
    return dec


# ------------------------------------------------------------------ reassignment


def may_reassign(actor: User) -> bool:
    return actor.active and (actor.role == Role.ADMIN or bool(getattr(actor, "heads_department", False)))


def eligible_for(stage: RouteStage, user: User) -> str | None:
    """None if `user` may act on `stage`, else the Russian reason."""
    if not user.active:
        return f"{user.full_name} отключён и действовать не может"
    if user.role == Role.MUNICIPAL_EDITOR:
        return f"{user.full_name} — специалист муниципалитета"
    if stage.kind == RouteStageKind.SIGN and user.role != Role.SIGNATORY:
        return f"{user.full_name} не подписант и подписать письмо не может"
    if stage.participant_type == ParticipantType.ROLE and user.role != stage.participant_role:
        return f"{user.full_name} не может участвовать в этапе «{stage.name}»: другая роль"
    if stage.participant_type == ParticipantType.PROGRAMME_REVIEWER and user.role != Role.REVIEWER:
        return f"{user.full_name} не эксперт"
    return None


def reassign_task(session: Session, task: StageTask, actor: User, new_assignee: User, *,
                  reason: str, now: datetime, expected_version: int | None = None) -> StageTask:
    """Give an open task to another eligible user (admin or a head of department), with a
    reason; both people are notified. The old task is cancelled, a new one replaces it."""
    ensure_active(actor)
    if not may_reassign(actor):
        raise PermissionDenied("Передать задачу может администратор или начальник отдела")
    reason = check_text(reason or "", "Причина", "reason").strip()
    if not reason:
        raise InvalidInput("Укажите причину передачи задачи", field="reason")
    if len(reason) > 2000:
        raise InvalidInput("Причина длиннее 2000 символов", field="reason")
    dec, _letter = _lock_decision(session, task.decision_id)
    session.refresh(task)
    if expected_version is not None and task.version != expected_version:
        raise StaleTask()
    if task.state != TaskState.OPEN:
        raise TaskClosed("Передать можно только открытую задачу")
    if dec.state != DecisionState.ACTIVE or dec.current_stage != task.stage_position:
        raise DecisionNotActive("Это решение больше не действует")
    stage = dec.route_version.stage_at(task.stage_position)
    problem = eligible_for(stage, new_assignee)
    if problem:
        raise InvalidInput(problem, field="assignee")
    if any(t.assignee_id == new_assignee.id and t.state == TaskState.OPEN
           for t in _stage_tasks(session, dec, stage.position)):
        raise InvalidInput(f"У {new_assignee.full_name} уже есть задача на этом этапе",
                           field="assignee")
    old = session.get(User, task.assignee_id)
    _close_task(session, task, state=TaskState.CANCELLED)
    new = StageTask(decision_id=dec.id, stage_position=task.stage_position,
                    assignee_id=new_assignee.id, state=TaskState.OPEN, comment="",
                    due_on=task.due_on, created_at=now, reassigned_from_id=task.id, note=reason,
                    version=1)
    session.add(new)
    _cas_decision(session, dec)
    programme = session.get(Programme, dec.programme_id)
    notify(session, [new_assignee], kind="route_task", now=now, link=_programme_link(programme.id),
           text=f"Вам передана задача «{stage.name}» по программе «{programme.title}» "
                f"(от {old.full_name}): {reason}")
    notify(session, [old], kind="route_reassigned", now=now, link=_programme_link(programme.id),
           text=f"Задача «{stage.name}» по программе «{programme.title}» передана "
                f"{new_assignee.full_name}: {reason}")
    session.flush()
    return new


# ------------------------------------------------------------------ inbox


@dataclass(frozen=True)
class OpenTask:
    task_id: int
    task_version: int
    decision_id: int
    decision_kind: str  # "approve" | "return"
    programme_id: int
    programme_title: str
    municipality: str
    letter_id: int
    stage_position: int
    stage_name: str
    stage_kind: str  # "review" | "endorse" | "sign"
    due_on: date
    overdue: bool
    # The absent user the caller would act for, or None when the task is the caller's own.
    on_behalf_of_id: int | None
    on_behalf_of: str | None


def open_tasks_for(session: Session, user: User, now: datetime) -> list[OpenTask]:
    """The open tasks `user` may act on now (their own and their absent principals'),
    on the current stage of an active decision, earliest due first."""
    mine = substitution.principals(session, user, now)
    rows = session.execute(
        select(StageTask, Decision, Programme)
        .join(Decision, Decision.id == StageTask.decision_id)
        .join(Programme, Programme.id == Decision.programme_id)
        .where(StageTask.assignee_id.in_(mine), StageTask.state == TaskState.OPEN,
               Decision.state == DecisionState.ACTIVE,
               Decision.current_stage == StageTask.stage_position)
        .order_by(StageTask.due_on, StageTask.id)).all()
    today = _local_today(session, now)
    result = []
    for task, dec, programme in rows:
        stage = dec.route_version.stage_at(task.stage_position)
        other = session.get(User, task.assignee_id) if task.assignee_id != user.id else None
        result.append(OpenTask(
            task.id, task.version, dec.id, dec.kind, programme.id, programme.title,
            programme.municipality.name, dec.letter_id, stage.position, stage.name, stage.kind,
            task.due_on, task.due_on < today, other.id if other else None,
            other.full_name if other else None))
    return result


def active_decision(session: Session, programme: Programme) -> Decision | None:
    return session.scalar(select(Decision).where(Decision.programme_id == programme.id,
                                                 Decision.state == DecisionState.ACTIVE))


def latest_decision(session: Session, programme: Programme) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.programme_id == programme.id)
                           .order_by(Decision.id.desc()).limit(1)).first()
