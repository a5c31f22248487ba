"""The programme's history: one keyed, chained entry per transition (see workflow.audit)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, audit_sealing
from .models import WorkflowEvent


def last_event(session: Session, programme_id: int) -> WorkflowEvent | None:
    return session.scalars(
        select(WorkflowEvent)
        .where(WorkflowEvent.programme_id == programme_id)
        .order_by(WorkflowEvent.seq.desc())
        .limit(1)
    ).first()


def append_history(session, programme, actor, trigger, from_state, to_state, reason, now, *,
                   on_behalf_of: int | None = None):
    last = last_event(session, programme.id)
    event = WorkflowEvent(
        programme_id=programme.id,
        seq=(last.seq + 1) if last else 1,
        actor_id=actor.id,
        on_behalf_of_id=on_behalf_of,
        at=now.replace(microsecond=0),
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        revision_number=programme.revision_number,
        prev_hash=last.hash if last else audit.GENESIS,
    )
    audit_sealing.seal_event(session, event)
    session.add(event)
    return event
