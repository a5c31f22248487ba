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

Stages (who acts, tasks, outcome by mode) are `route_stages`; giving a task to someone
else is `route_reassignment`; a user's open tasks are `route_inbox`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import substitution
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
from .models import Decision, Letter, Programme, RouteStage, RouteVersion, StageTask, User
from .notifications import notify
from .route_stages import (
    cancel_letter,
    cancel_open,
    cas_decision,
    close_task,
    local_today,
    lock_decision,
    open_stage,
    programme_link,
    stage_outcome,
    stage_tasks,
)
from .states import (
    DECISION_LETTER_KINDS,
    DecisionKind,
    DecisionState,
    LetterKind,
    LetterState,
    ProgrammeState,
    RefusalTarget,
    Role,
    RouteStageKind,
    TaskResult,
    TaskState,
)
from .text import check_text

MAX_COMMENT = 5_000


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
            decided_at=now, due_on=local_today(session, now), created_at=now, note="",
            version=1))
    open_stage(session, decision, programme, version.stage_at(start), now)
    session.flush()
    return decision


def _supersede_older(session: Session, programme: Programme, keep: Letter, now: datetime) -> None:
    older = session.scalars(select(Decision).where(
        Decision.programme_id == programme.id, Decision.state == DecisionState.ACTIVE,
        Decision.letter_id != keep.id)).all()
    for decision in older:
        for task in decision.tasks:
            if task.state == TaskState.OPEN:
                close_task(session, task, state=TaskState.CANCELLED)
        cas_decision(session, decision, state=DecisionState.SUPERSEDED, closed_at=now)
    drafts = session.scalars(select(Letter).where(
        Letter.programme_id == programme.id, Letter.id != keep.id,
        Letter.kind.in_([k.value for k in DECISION_LETTER_KINDS]),
        Letter.state == LetterState.DRAFT)).all()
    for draft in drafts:
        cancel_letter(session, draft, now)



# ------------------------------------------------------------------ deciding


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
    dec, letter = lock_decision(session, task.decision_id)
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
    close_task(session, task, state=TaskState.DONE, result=decision, comment=comment,
                actor=actor, now=now, on_behalf_of_id=on_behalf)
    cas_decision(session, dec)
    programme = session.get(Programme, dec.programme_id)
    outcome = stage_outcome(stage, stage_tasks(session, dec, stage.position), task)
    if outcome == "passed":
        cancel_open(session, dec, stage.position)
        open_stage(session, dec, programme, dec.route_version.stage_at(stage.position + 1), now)
        cas_decision(session, dec, current_stage=stage.position + 1)
    elif outcome == "refused":
        cancel_open(session, dec, stage.position)
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
        open_stage(session, dec, programme, previous, now)
        cas_decision(session, dec, current_stage=previous.position)
        return
    cas_decision(session, dec, state=DecisionState.REFUSED, closed_at=now)
    cancel_letter(session, letter, now)
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
               kind="route_refused", link=programme_link(programme.id),
               text=f"Согласование программы «{programme.title}» отклонено ({reason}); "
                    "подготовлено письмо о возврате на доработку")
        return
    fire_system(session, programme, "decision_refused", actor, now=now, reason=reason[:2000])
    notify(session, [u for u in [session.get(User, programme.reviewer_id)] if u], now=now,
           kind="route_refused", link=programme_link(programme.id),
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
    open_tasks = [t for t in stage_tasks(session, dec, stage.position)
                  if t.state == TaskState.OPEN and t.assignee_id in mine]
    if not open_tasks:
        raise PermissionDenied("Письмо подписывает участник этапа подписания: "
                               "вы не назначены на этот этап")
    task = next((t for t in open_tasks if t.assignee_id == actor.id), open_tasks[0])
    close_task(session, task, state=TaskState.DONE, result=TaskResult.APPROVE, actor=actor,
                now=now, on_behalf_of_id=task.assignee_id if task.assignee_id != actor.id else None)
    cancel_open(session, dec, stage.position)
    cas_decision(session, dec, state=DecisionState.SIGNED, closed_at=now)
    from .operations import fire_system

    trigger = ("decision_signed_approval" if dec.kind == DecisionKind.APPROVE
               else "decision_signed_return")
    fire_system(session, programme, trigger, actor, now=now)
    return dec



# ------------------------------------------------------------------ a programme's decisions


def active_decision(session: Session, programme: Programme) -> Decision | None:
    return session.scalar(select(Decision).where(Decision.programme_id == programme.id,
                                                 Decision.state == DecisionState.ACTIVE))


def latest_decision(session: Session, programme: Programme) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.programme_id == programme.id)
                           .order_by(Decision.id.desc()).limit(1)).first()
