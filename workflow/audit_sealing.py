"""Sealing, the write side of the audit chains: each new history entry and registered letter
is hashed under the key in its transaction, and its record reaches the checkpoint log after
the commit (session hooks below; see `workflow.audit` for the scheme)."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from . import audit
from .audit_checkpoint import append_checkpoint, event_record, journal_record, seal_record

log = logging.getLogger("workflow.audit")


def seal_event(session: Session, event) -> None:
    """Set `event.hash` (its `prev_hash` is set) and checkpoint it after commit."""
    event.hash = audit.event_hash(audit.config_of(session), event.prev_hash,
                                  audit.event_fields(event))
    session.info.setdefault("audit_sealed", []).append(("e", event))


def seal_letter(session: Session, letter) -> None:
    """At registration: the chain hash over the frozen fields, and the first seal."""
    cfg = audit.config_of(session)
    letter.hash = audit.letter_hash(cfg, letter.prev_hash, audit.letter_fields(letter))
    letter.seal = audit.seal_hash(cfg, letter.hash, audit.letter_seal_fields(letter))
    session.info.setdefault("audit_sealed", []).append(("j", letter))


def reseal_values(session: Session, letter, values: dict) -> dict:
    """`values` (a legitimate change of a registered letter's mutable columns) plus the new
    `seal` for the row as it will be; call inside the transaction that writes them."""
    merged = SimpleNamespace(**{name: values.get(name, getattr(letter, name))
                                for name in audit.LETTER_SEAL_FIELDS})
    seal = audit.seal_hash(audit.config_of(session), letter.hash, audit.letter_seal_fields(merged))
    session.info.setdefault("audit_pending", []).append(
        seal_record(letter.id, merged.version, merged.pdf_sha256 is not None, seal))
    return {**values, "seal": seal}


@sa_event.listens_for(Session, "after_flush")
def _collect_sealed(session, _context):
    # Ids exist from the flush on; after commit the objects may be expired.
    sealed = session.info.pop("audit_sealed", None)
    if not sealed:
        return
    pending = session.info.setdefault("audit_pending", [])
    for kind, obj in sealed:
        if kind == "e":
            pending.append(event_record(obj))
        else:
            pending.append(journal_record(obj))
            pending.append(seal_record(obj.id, obj.version, obj.pdf_sha256 is not None, obj.seal))


@sa_event.listens_for(Session, "after_commit")
def _write_checkpoint(session):
    if session.in_nested_transaction():  # a savepoint: the real commit comes later
        return
    pending = session.info.pop("audit_pending", None)
    session.info.pop("audit_sealed", None)
    if not pending:
        return
    cfg = session.info.get("audit")
    if cfg is None or cfg.checkpoint_dir is None:
        return
    try:
        append_checkpoint(cfg, pending)
    except OSError:
        # The commit stands; `verify-audit` will show the checkpoint behind the database.
        log.exception("audit checkpoint not written")


@sa_event.listens_for(Session, "after_rollback")
def _forget_pending(session):
    if session.in_nested_transaction():  # a savepoint rolled back: the outer work stands
        return
    session.info.pop("audit_pending", None)
    session.info.pop("audit_sealed", None)
