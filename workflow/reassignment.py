"""Reassigning a programme's review to another reviewer: a stuck case moves on.

An administrator or a head of department gives the review of a programme (submitted, in
review or returned) to another active reviewer, with a reason. The programme's state does
not change; its version does (a form opened before is stale), a history entry records who
passed it from whom to whom and why, and both reviewers are notified. A returned programme
reassigned meanwhile comes back on resubmission to the new reviewer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import notifications
from .access import ensure_active
from .errors import IllegalTransition, IneligibleAssignee, InvalidInput, PermissionDenied
from .i18n import N_
from .models import Programme, User, WorkflowEvent
from .operations import MAX_REASON
from .programme_access import ensure_can_see, lock_programme, stale_version
from .programme_history import append_history
from .states import PROGRAMME_STATE_LABELS, ProgrammeState, Role
from .text import check_text

TRIGGER = "reassign"
LABEL = "Передать другому эксперту"
# History entries that are not transitions of the state table, and how history names them.
HISTORY_LABELS = {TRIGGER: N_("Передана другому эксперту")}
REASSIGNABLE = frozenset({ProgrammeState.SUBMITTED, ProgrammeState.IN_REVIEW,
                          ProgrammeState.RETURNED})


def may_reassign(actor: User) -> bool:
    return actor.active and (actor.role == Role.ADMIN
                             or (bool(actor.heads_department) and actor.is_ministry))


def eligibility_refusal(programme: Programme, reviewer: User | None) -> str | None:
    """Why `reviewer` cannot take this programme's review, in Russian; None if they can."""
    if reviewer is None:
        return "Выберите эксперта, которому передаётся программа"
    if not reviewer.active:
        return f"Учётная запись «{reviewer.full_name}» отключена: передать ей программу нельзя"
    if reviewer.role != Role.REVIEWER:
        return f"«{reviewer.full_name}» не эксперт министерства: рассматривают программы эксперты"
    if reviewer.id == programme.reviewer_id:
        return f"Программа уже назначена эксперту {reviewer.full_name}"
    return None


def reassign_review(
    session: Session, programme: Programme, actor: User, reviewer: User | None, *,
    now: datetime, reason: str, expected_version: int | None = None,
) -> WorkflowEvent:
    ensure_active(actor)
    ensure_can_see(programme, actor)
    if not may_reassign(actor):
        raise PermissionDenied("Передать программу другому эксперту может руководитель отдела "
                               "или администратор")
    reason = check_text(reason or "", "Причина", "reason").replace("\r\n", "\n").strip()
    if not reason:
        raise InvalidInput("Укажите причину передачи", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"Причина длиннее {MAX_REASON} символов", field="reason")
    seen = programme.version if expected_version is None else expected_version
    lock_programme(session, programme)
    if programme.version != seen:
        raise stale_version(session, programme)
    state = ProgrammeState(programme.state)
    if state not in REASSIGNABLE:
        raise IllegalTransition(
            f"Передать можно программу на рассмотрении; эта — «{PROGRAMME_STATE_LABELS[state]}»")
    refusal = eligibility_refusal(programme, reviewer)
    if refusal:
        raise IneligibleAssignee(refusal)
    previous = programme.reviewer
    values = {"reviewer_id": reviewer.id, "version": seen + 1, "updated_at": now,
              "updated_by_id": actor.id}
    done = session.execute(
        update(Programme).where(Programme.id == programme.id, Programme.version == seen,
                                Programme.state == state.value)
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise stale_version(session, programme)
    for key, value in values.items():
        set_committed_value(programme, key, value)
    set_committed_value(programme, "reviewer", reviewer)
    old_name = previous.full_name if previous else "не назначен"
    event = append_history(
        session, programme, actor, TRIGGER, state.value, state.value,
        f"{old_name} → {reviewer.full_name}. {reason}", now)
    link = f"/programmes/{programme.id}"
    notifications.notify(
        session, [reviewer], kind="programme.reassigned", now=now, link=link,
        text=(f"{actor.full_name} передал(а) вам на рассмотрение программу «{programme.title}». "
              f"Причина: {reason}"))
    if previous is not None and previous.id != reviewer.id:
        notifications.notify(
            session, [previous], kind="programme.reassigned", now=now, link=link,
            text=(f"{actor.full_name} передал(а) программу «{programme.title}» эксперту "
                  f"{reviewer.full_name}. Причина: {reason}"))
    session.flush()
    return event
