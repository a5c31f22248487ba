"""The chains before the key (plain SHA-256): only read, to check them once before re-sealing
them under the key (`audit_reseal`)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy.orm import Session

from .audit import GENESIS
from .audit_verify import AuditBreak, event_rows, letter_rows


def legacy_chain_hash(prev_hash: str, fields: dict) -> str:
    """The chains before the key (plain SHA-256): only read, to re-seal them once."""

    def default(value):
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value)

    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=default)
    return hashlib.sha256((prev_hash + "|" + payload).encode()).hexdigest()


def legacy_event_fields(event) -> dict:
    return {
        "programme_id": event.programme_id, "seq": event.seq, "actor_id": event.actor_id,
        "at": event.at.replace(microsecond=0).isoformat(), "trigger": event.trigger,
        "from": event.from_state, "to": event.to_state, "reason": event.reason,
        "revision": event.revision_number,
    }


def legacy_letter_fields(letter) -> dict:
    return {
        "id": letter.id, "number": letter.number,
        "registered_on": letter.registered_on.isoformat() if letter.registered_on else None,
        "signatory_id": letter.signatory_id,
        "signed_at": letter.signed_at.replace(microsecond=0).isoformat() if letter.signed_at else None,
        "final_data": letter.final_data,
    }


def legacy_breaks(session: Session) -> list[AuditBreak]:
    """The legacy (plain SHA-256) chains checked as the code before the key did."""
    breaks = []
    heads: dict = {}
    for row in event_rows(session):
        prev_seq, prev_hash = heads.get(row.programme_id, (0, GENESIS))
        if row.seq != prev_seq + 1 or row.prev_hash != prev_hash or row.hash != legacy_chain_hash(
                prev_hash, legacy_event_fields(row)):
            breaks.append(AuditBreak("workflow_event", row.id, "не сходится и по старой схеме"))
        heads[row.programme_id] = (row.seq, row.hash)
    heads = {}
    for row in letter_rows(session):
        key = (row.journal_index, row.journal_year)
        prev_seq, prev_hash = heads.get(key, (row.seq - 1, GENESIS))
        if row.seq != prev_seq + 1 or row.prev_hash != prev_hash or row.hash != legacy_chain_hash(
                prev_hash, legacy_letter_fields(row)):
            breaks.append(AuditBreak("letter", row.id, "не сходится и по старой схеме"))
        heads[key] = (row.seq, row.hash)
    return breaks
