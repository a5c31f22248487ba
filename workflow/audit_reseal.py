"""Re-sealing: every chain brought under the key once (from the legacy plain SHA-256 chains,
or from a previous key), refused when the chains do not verify under the previous scheme."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.orm import Session

from . import audit
from .audit_checkpoint import seal_record, write_checkpoint
from .audit_legacy import legacy_breaks
from .audit_verify import event_rows, letter_rows, verify_history_all, verify_journal_all


@dataclass
class ResealResult:
    status: str  # "intact", "resealed", "refused"
    events: int = 0
    letters: int = 0
    breaks: list = field(default_factory=list)
    # The fresh checkpoint: written by `finish_reseal` once the caller has committed.
    records: list = field(default_factory=list, repr=False)


def reseal(session: Session, cfg: audit.AuditConfig | None = None, *, force: bool = False,
           from_cfg: audit.AuditConfig | None = None) -> ResealResult:
    """Bring every chain under the key; the caller commits, then calls `finish_reseal`.

    Intact under the key already: only the checkpoint is rewritten. Otherwise the chains
    must verify under the previous scheme (the legacy plain SHA-256 chains, or `from_cfg`
    when the key is rotated), else re-sealing would launder a forgery: refused unless
    `force` (the administrator accepts the database's content as it stands).
    """
    from .models import Letter, WorkflowEvent

    cfg = cfg or audit.config_of(session)
    current = verify_history_all(session, cfg) + verify_journal_all(session, cfg)
    if current:
        previous = (verify_history_all(session, from_cfg) + verify_journal_all(session, from_cfg)
                    if from_cfg is not None else legacy_breaks(session))
        if previous and not force:
            return ResealResult("refused", breaks=previous)
    records = []
    events = letters = 0
    heads: dict = {}
    for row in list(event_rows(session)):
        prev_hash = heads.get(row.programme_id, audit.GENESIS)
        new_hash = audit.event_hash(cfg, prev_hash, audit.event_fields(row))
        if (row.prev_hash, row.hash) != (prev_hash, new_hash):
            # Core UPDATE: the ORM refuses to update the append-only history, rightly.
            session.execute(update(WorkflowEvent.__table__).where(WorkflowEvent.id == row.id)
                            .values(prev_hash=prev_hash, hash=new_hash))
            events += 1
        heads[row.programme_id] = new_hash
        records.append({"k": "e", "c": row.programme_id, "n": row.seq, "id": row.id, "h": new_hash})
    heads = {}
    for row in list(letter_rows(session)):
        key = f"{row.journal_index}:{row.journal_year}"
        prev_hash = heads.get(key, audit.GENESIS)
        new_hash = audit.letter_hash(cfg, prev_hash, audit.letter_fields(row))
        new_seal = audit.seal_hash(cfg, new_hash, audit.letter_seal_fields(row))
        if (row.prev_hash, row.hash, row.seal) != (prev_hash, new_hash, new_seal):
            session.execute(update(Letter.__table__).where(Letter.id == row.id)
                            .values(prev_hash=prev_hash, hash=new_hash, seal=new_seal))
            letters += 1
        heads[key] = new_hash
        records.append({"k": "j", "c": key, "n": row.seq, "id": row.id, "h": new_hash})
        records.append(seal_record(row.id, row.version, row.pdf_sha256 is not None, new_seal))
    return ResealResult("resealed" if current else "intact", events, letters, records=records)


def finish_reseal(cfg: audit.AuditConfig, result: ResealResult) -> None:
    """After the re-seal committed: replace the checkpoint with the chains' new heads."""
    if cfg.checkpoint_dir is not None and result.status != "refused":
        write_checkpoint(cfg, result.records)
