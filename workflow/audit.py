"""Hash chains over the workflow history and the letter journal.

Each entry's hash covers its own fields and the previous entry's hash, so editing or
deleting a row breaks every hash after it; `verify_*` recompute and name the first break.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

GENESIS = "0" * 64


def chain_hash(prev_hash: str, fields: dict) -> str:
    def default(value):
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=default)
    return hashlib.sha256((prev_hash + "|" + payload).encode()).hexdigest()


def event_fields(event) -> dict:
    return {
        "programme_id": event.programme_id,
        "seq": event.seq,
        "actor_id": event.actor_id,
        "at": event.at.replace(microsecond=0).isoformat(),
        "trigger": event.trigger,
        "from": event.from_state,
        "to": event.to_state,
        "reason": event.reason,
        "revision": event.revision_number,
    }


def letter_fields(letter) -> dict:
    return {
        "id": letter.id,
        "number": letter.number,
        "registered_on": letter.registered_on.isoformat() if letter.registered_on else None,
        "signatory_id": letter.signatory_id,
        "signed_at": letter.signed_at.replace(microsecond=0).isoformat() if letter.signed_at else None,
        "final_data": letter.final_data,
    }


@dataclass
class AuditBreak:
    table: str
    row_id: int
    message: str


def verify_history(session: Session) -> AuditBreak | None:
    from .models import WorkflowEvent

    prev_by_programme: dict[int, tuple[str, int]] = {}
    rows = session.scalars(select(WorkflowEvent).order_by(WorkflowEvent.programme_id, WorkflowEvent.seq))
    for event in rows:
        prev_hash, prev_seq = prev_by_programme.get(event.programme_id, (GENESIS, 0))
        if event.seq != prev_seq + 1:
            return AuditBreak("workflow_event", event.id, f"пропуск в истории программы {event.programme_id}: запись {prev_seq + 1} отсутствует")
        if event.prev_hash != prev_hash or event.hash != chain_hash(prev_hash, event_fields(event)):
            return AuditBreak("workflow_event", event.id, f"запись истории {event.id} программы {event.programme_id} изменена")
        prev_by_programme[event.programme_id] = (event.hash, event.seq)
    return None


def verify_journal(session: Session) -> AuditBreak | None:
    """Each journal (index, year) is one chain in number order, and numbers are gapless."""
    from .models import Letter

    prev: dict[tuple, tuple[str, int]] = {}
    rows = session.scalars(
        select(Letter)
        .where(Letter.seq.is_not(None))
        .order_by(Letter.journal_index, Letter.journal_year, Letter.seq)
    )
    for letter in rows:
        key = (letter.journal_index, letter.journal_year)
        prev_hash, prev_seq = prev.get(key, (GENESIS, letter.seq - 1))
        if letter.seq != prev_seq + 1:
            return AuditBreak("letter", letter.id, f"пропуск в журнале: после № {letter.journal_index}/{prev_seq} идёт № {letter.number}")
        if letter.prev_hash != prev_hash or letter.hash != chain_hash(prev_hash, letter_fields(letter)):
            return AuditBreak("letter", letter.id, f"регистрационная запись письма № {letter.number} изменена")
        prev[key] = (letter.hash, letter.seq)
    return None
