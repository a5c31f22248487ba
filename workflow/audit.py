"""Keyed hash chains over the workflow history and the letter journal, and their checkpoint.

Threat: someone who can write to the database (a DBA, a leaked connection string, a restored
and edited backup) but holds neither the audit key nor the checkpoint directory.

- Each history entry and each registered letter carries an HMAC-SHA256 over ALL its
  fields and the previous entry's hash, under a key that never enters the database
  (`AUDIT_KEY`, or a file in instance/). Without the key a rewritten entry, or a chain
  recomputed with plain SHA-256, no longer verifies.
- A registered letter's registration never changes, but four things legitimately change
  after it: the PDF is stored after rendering (`pdf_sha256`), the letter is dispatched
  (`state`, `dispatched_at`, `version`). Re-hashing the chain entry would break the link to
  the next letter, so a letter carries a second keyed value, `seal`, over those mutable
  fields AND its chain hash; each legitimate change recomputes the seal under the key (in
  the same transaction). An outside writer cannot produce a seal for a state the
  application did not write; one that restores an older seal (dispatched back to signed)
  is caught by the checkpoint, which records each seal with its order.
- Deleting the tail of a chain leaves a shorter chain that is internally consistent. So
  after each commit that adds to a chain (or re-seals a letter) the new heads are appended
  to a checkpoint log OUTSIDE the database (`AUDIT_CHECKPOINT_DIR`, default
  instance/audit/), every line HMAC-signed. Verification compares every chain's head with
  the log: a chain shorter than the log, or with another hash at the logged position, has
  lost entries. The log is written after commit, so a crash between the two leaves the log
  behind the database (never ahead): at most the entries of that one commit are then
  unprotected until the next write to the same chain.

`verify_all` reports every break with the entry's id; `reseal` re-signs existing chains
under the key once (from the legacy plain SHA-256 chains, after checking them).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

GENESIS = "0" * 64
CHECKPOINT_FILE = "checkpoint.log"

# Every column of `workflow_event` is hashed except `id` (a surrogate assigned by the
# database after the hash is made; an entry's place is its programme and `seq`, both
# hashed) and `hash` itself. `prev_hash` enters as the chain link.
EVENT_FIELDS = ("programme_id", "seq", "actor_id", "at", "trigger", "from_state", "to_state",
                "reason", "revision_number", "on_behalf_of_id")
# Columns added after entries were first sealed: hashed only when set, so every entry sealed
# before they existed (NULL there) keeps its hash.
EVENT_FIELDS_IF_SET = frozenset({"on_behalf_of_id"})
# Every column of a registered letter that never changes after registration.
LETTER_FIELDS = (
    "id", "kind", "programme_id", "campaign_id", "municipality_id", "addressee", "heading",
    "salutation", "body", "reply_to_number", "reply_to_date", "executor_name",
    "executor_phone", "drafted_by_id", "created_at", "journal_index", "journal_year", "seq",
    "number", "registered_on", "signatory_id", "signed_at", "final_data", "verification_code",
)
# The columns that legitimately change after registration: covered by `seal`.
LETTER_SEAL_FIELDS = ("state", "version", "updated_at", "dispatched_at", "pdf_sha256")
# Deliberately outside both: `render_error` (diagnostics of a failed render, rewritten on
# every retry, evidence of nothing) and `pdf` (bound through `pdf_sha256`; its bytes are
# compared with it by `verify-audit --pdf`, which reads every PDF and is therefore optional).
LETTER_UNSEALED = ("render_error", "pdf")


class AuditKeyMissing(RuntimeError):
    pass


@dataclass
class AuditConfig:
    """The key and where the checkpoint lives. Mutable so that one long-lived application
    (the tests build one per database) can be pointed at another checkpoint directory."""

    key: bytes
    checkpoint_dir: Path | None = None
    _subkeys: dict = field(default_factory=dict, repr=False)

    def subkey(self, label: str) -> bytes:
        # Domain separation: an event hash can never pass for a seal or a checkpoint line.
        if label not in self._subkeys:
            self._subkeys[label] = hmac.new(self.key, label.encode(), hashlib.sha256).digest()
        return self._subkeys[label]

    def mac(self, label: str, message: str) -> str:
        return hmac.new(self.subkey(label), message.encode(), hashlib.sha256).hexdigest()

    @property
    def checkpoint_path(self) -> Path | None:
        return self.checkpoint_dir / CHECKPOINT_FILE if self.checkpoint_dir else None

    @classmethod
    def from_env(cls) -> AuditConfig:
        key = os.environ.get("AUDIT_KEY")
        if not key:
            raise AuditKeyMissing(
                "audit key not configured: set AUDIT_KEY or build the session factory with "
                "an AuditConfig (the application reads instance/audit_key)")
        directory = os.environ.get("AUDIT_CHECKPOINT_DIR")
        return cls(key.encode(), Path(directory) if directory else None)


def load_or_create_key(path: str | os.PathLike) -> bytes:
    """The installation's audit key: created once (32 random bytes, hex, mode 0600)."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(os.urandom(32).hex())
    return path.read_text().strip().encode()


def config_of(session: Session) -> AuditConfig:
    cfg = session.info.get("audit")
    if cfg is None:
        cfg = session.info["audit"] = AuditConfig.from_env()
    return cfg


# ------------------------------------------------------------------ canonical field values


def _value(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _canonical(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str,
                      separators=(",", ":"))


def event_fields(event) -> dict:
    return {name: _value(getattr(event, name)) for name in EVENT_FIELDS
            if name not in EVENT_FIELDS_IF_SET or getattr(event, name, None) is not None}


def letter_fields(letter) -> dict:
    return {name: _value(getattr(letter, name)) for name in LETTER_FIELDS}


def letter_seal_fields(letter) -> dict:
    return {name: _value(getattr(letter, name)) for name in LETTER_SEAL_FIELDS}


def event_hash(cfg: AuditConfig, prev_hash: str, fields: dict) -> str:
    return cfg.mac("workflow_event", f"{prev_hash}|{_canonical(fields)}")


def letter_hash(cfg: AuditConfig, prev_hash: str, fields: dict) -> str:
    return cfg.mac("letter", f"{prev_hash}|{_canonical(fields)}")


def seal_hash(cfg: AuditConfig, chain_hash_value: str, fields: dict) -> str:
    return cfg.mac("letter_seal", f"{chain_hash_value}|{_canonical(fields)}")


# ------------------------------------------------------------------ the legacy chains


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


# ------------------------------------------------------------------ sealing (write side)


def seal_event(session: Session, event) -> None:
    """Set `event.hash` (its `prev_hash` is set) and checkpoint it after commit."""
    event.hash = event_hash(config_of(session), event.prev_hash, event_fields(event))
    session.info.setdefault("audit_sealed", []).append(("e", event))


def seal_letter(session: Session, letter) -> None:
    """At registration: the chain hash over the frozen fields, and the first seal."""
    cfg = config_of(session)
    letter.hash = letter_hash(cfg, letter.prev_hash, letter_fields(letter))
    letter.seal = seal_hash(cfg, letter.hash, letter_seal_fields(letter))
    session.info.setdefault("audit_sealed", []).append(("j", letter))


def reseal_values(session: Session, letter, values: dict) -> dict:
    """`values` (a legitimate change of a registered letter's mutable columns) plus the new
    `seal` for the row as it will be; call inside the transaction that writes them."""
    merged = SimpleNamespace(**{name: values.get(name, getattr(letter, name))
                                for name in LETTER_SEAL_FIELDS})
    seal = seal_hash(config_of(session), letter.hash, letter_seal_fields(merged))
    session.info.setdefault("audit_pending", []).append(
        _seal_record(letter.id, merged.version, merged.pdf_sha256 is not None, seal))
    return {**values, "seal": seal}


def _event_record(event) -> dict:
    return {"k": "e", "c": event.programme_id, "n": event.seq, "id": event.id, "h": event.hash}


def _journal_record(letter) -> dict:
    return {"k": "j", "c": f"{letter.journal_index}:{letter.journal_year}", "n": letter.seq,
            "id": letter.id, "h": letter.hash}


def _seal_record(letter_id, version, has_pdf, seal) -> dict:
    return {"k": "s", "id": letter_id, "v": version, "p": int(bool(has_pdf)), "s": seal}


@sa_event.listens_for(Session, "after_flush")
def _collect_sealed(session, _context):
    # Ids exist from the flush on; after commit the objects may be expired.
    sealed = session.info.pop("audit_sealed", None)
    if not sealed:
        return
    pending = session.info.setdefault("audit_pending", [])
    for kind, obj in sealed:
        if kind == "e":
            pending.append(_event_record(obj))
        else:
            pending.append(_journal_record(obj))
            pending.append(_seal_record(obj.id, obj.version, obj.pdf_sha256 is not None, obj.seal))


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


# ------------------------------------------------------------------ the checkpoint log


def _signed_line(cfg: AuditConfig, record: dict) -> str:
    body = _canonical(record)
    return _canonical({**record, "m": cfg.mac("checkpoint", body)}) + "\n"


def append_checkpoint(cfg: AuditConfig, records: Iterable[dict]) -> None:
    """Append signed lines under an exclusive lock (several processes write the log)."""
    path = cfg.checkpoint_path
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(_signed_line(cfg, r) for r in records).encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checkpoint(cfg: AuditConfig, records: Iterable[dict]) -> None:
    """Replace the log with a fresh one (after a re-seal): write aside, then rename."""
    path = cfg.checkpoint_path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(_signed_line(cfg, r) for r in records)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


@dataclass
class Checkpoint:
    events: dict = field(default_factory=dict)   # programme_id -> record of the longest
    journal: dict = field(default_factory=dict)  # "index:year" -> record of the longest
    seals: dict = field(default_factory=dict)    # letter id -> record of the latest
    problems: list = field(default_factory=list)
    exists: bool = False


def read_checkpoint(cfg: AuditConfig) -> Checkpoint:
    result = Checkpoint()
    path = cfg.checkpoint_path
    if path is None or not path.exists():
        return result
    result.exists = True
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                record = json.loads(line)
                mac = record.pop("m")
            except (ValueError, KeyError, AttributeError):
                result.problems.append(f"строка {number} контрольной точки повреждена")
                continue
            if not hmac.compare_digest(mac, cfg.mac("checkpoint", _canonical(record))):
                result.problems.append(f"строка {number} контрольной точки подделана "
                                       "(подпись не совпадает)")
                continue
            kind = record.get("k")
            if kind == "e":
                known = result.events.get(record["c"])
                if known is None or record["n"] >= known["n"]:
                    result.events[record["c"]] = record
            elif kind == "j":
                known = result.journal.get(record["c"])
                if known is None or record["n"] >= known["n"]:
                    result.journal[record["c"]] = record
            elif kind == "s":
                # Legitimate seals only move forward: (version, has a PDF) grows.
                known = result.seals.get(record["id"])
                if known is None or (record["v"], record["p"]) >= (known["v"], known["p"]):
                    result.seals[record["id"]] = record
    return result


# ------------------------------------------------------------------ verification


@dataclass
class AuditBreak:
    table: str
    row_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.table} #{self.row_id}" if self.row_id is not None else self.table
        return f"{where}: {self.message}"


def _event_rows(session: Session):
    from .models import WorkflowEvent

    table = WorkflowEvent.__table__
    return session.execute(
        select(table).order_by(table.c.programme_id, table.c.seq)
        .execution_options(yield_per=2000))


def _letter_rows(session: Session):
    from .models import Letter

    columns = [c for c in Letter.__table__.c if c.name != "pdf"]
    return session.execute(
        select(*columns).where(Letter.seq.is_not(None))
        .order_by(Letter.journal_index, Letter.journal_year, Letter.seq)
        .execution_options(yield_per=2000))


def verify_history_all(session: Session, cfg: AuditConfig | None = None,
                       checkpoint: Checkpoint | None = None) -> list[AuditBreak]:
    cfg = cfg or config_of(session)
    breaks: list[AuditBreak] = []
    heads: dict[int, tuple[int, str, int]] = {}  # programme -> (seq, hash, id)

    def found(row_id, message):
        breaks.append(AuditBreak("workflow_event", row_id, message))

    for row in _event_rows(session):
        pid = row.programme_id
        prev_seq, prev_hash, _ = heads.get(pid, (0, GENESIS, None))
        if row.seq != prev_seq + 1:
            missing = (f"запись {prev_seq + 1} отсутствует" if row.seq == prev_seq + 2
                       else f"записи {prev_seq + 1}–{row.seq - 1} отсутствуют")
            found(row.id, f"пропуск в истории программы {pid}: {missing} (удалены)")
        elif row.prev_hash != prev_hash:
            found(row.id, f"запись {row.seq} (#{row.id}) истории программы {pid} не связана с "
                          "предыдущей (ссылка на предыдущую запись изменена)")
        if not hmac.compare_digest(row.hash or "", event_hash(cfg, row.prev_hash or "",
                                                              event_fields(row))):
            found(row.id, f"запись {row.seq} (#{row.id}) истории программы {pid} изменена: её "
                          "поля не совпадают с подписью ключом журнала")
        heads[pid] = (row.seq, row.hash, row.id)
    if checkpoint is not None:
        for pid, record in checkpoint.events.items():
            seq, head_hash, _ = heads.get(pid, (0, None, None))
            if seq < record["n"]:
                found(record["id"], f"последние записи истории программы {pid} удалены: "
                                    f"по контрольной точке их не меньше {record['n']}, в базе {seq}")
    return breaks


def verify_journal_all(session: Session, cfg: AuditConfig | None = None,
                       checkpoint: Checkpoint | None = None) -> list[AuditBreak]:
    cfg = cfg or config_of(session)
    breaks: list[AuditBreak] = []
    heads: dict[str, tuple[int, str]] = {}
    hashes: dict[tuple[str, int], str] = {}

    def found(row_id, message):
        breaks.append(AuditBreak("letter", row_id, message))

    for row in _letter_rows(session):
        key = f"{row.journal_index}:{row.journal_year}"
        prev_seq, prev_hash = heads.get(key, (row.seq - 1, GENESIS))
        if row.seq != prev_seq + 1:
            found(row.id, f"пропуск в журнале: после № {row.journal_index}/{prev_seq} идёт "
                          f"№ {row.number} (записи удалены)")
        elif row.prev_hash != prev_hash:
            found(row.id, f"регистрационная запись письма № {row.number} не связана с "
                          "предыдущей (ссылка на предыдущую запись изменена)")
        if not hmac.compare_digest(row.hash or "", letter_hash(cfg, row.prev_hash or "",
                                                               letter_fields(row))):
            found(row.id, f"регистрационная запись письма № {row.number} изменена: её поля "
                          "не совпадают с подписью ключом журнала")
        elif not hmac.compare_digest(row.seal or "", seal_hash(cfg, row.hash,
                                                               letter_seal_fields(row))):
            found(row.id, f"состояние письма № {row.number} изменено: состояние, отметка об "
                          "отправке или хеш PDF не совпадают с печатью журнала")
        elif checkpoint is not None and row.id in checkpoint.seals:
            # A valid seal behind the checkpoint's latest one: an earlier state restored
            # with the seal the application wrote for it. (Ahead of the checkpoint is a
            # commit whose checkpoint line was lost in a crash: not a forgery.)
            record = checkpoint.seals[row.id]
            rank = (row.version, int(row.pdf_sha256 is not None))
            if rank < (record["v"], record["p"]) or (
                    rank == (record["v"], record["p"]) and record["s"] != row.seal):
                found(row.id, f"состояние письма № {row.number} возвращено к прежнему: "
                              "контрольная точка помнит более позднее")
        heads[key] = (row.seq, row.hash)
        hashes[(key, row.seq)] = row.hash
    if checkpoint is not None:
        for key, record in checkpoint.journal.items():
            seq = heads.get(key, (0, None))[0]
            index = key.split(":")[0]
            if seq < record["n"]:
                found(record["id"], f"последние записи журнала {index} удалены: по контрольной "
                                    f"точке последний № {index}/{record['n']}, в базе "
                                    f"{f'№ {index}/{seq}' if seq else 'нет ни одной'}")
            elif hashes.get((key, record["n"])) not in (None, record["h"]):
                found(record["id"], f"запись № {index}/{record['n']} журнала заменена: хеш не "
                                    "совпадает с контрольной точкой")
    return breaks


def verify_pdfs(session: Session) -> list[AuditBreak]:
    """Each stored PDF's bytes against its sealed `pdf_sha256` (reads every PDF)."""
    from .models import Letter

    breaks = []
    rows = session.execute(select(Letter.id, Letter.number, Letter.pdf, Letter.pdf_sha256)
                           .where(Letter.pdf.is_not(None)).execution_options(yield_per=50))
    for row in rows:
        if hashlib.sha256(row.pdf).hexdigest() != row.pdf_sha256:
            breaks.append(AuditBreak("letter", row.id, f"PDF письма № {row.number} заменён: "
                                                       "его байты не совпадают с хешем"))
    return breaks


@dataclass
class AuditReport:
    breaks: list[AuditBreak]
    warnings: list[str]
    events: int = 0
    letters: int = 0


def verify_all(session: Session, cfg: AuditConfig | None = None, *,
               check_pdf: bool = False) -> AuditReport:
    cfg = cfg or config_of(session)
    warnings = []
    checkpoint = None
    if cfg.checkpoint_dir is None:
        warnings.append("контрольная точка не настроена (AUDIT_CHECKPOINT_DIR): удаление "
                        "последних записей не обнаруживается")
    else:
        checkpoint = read_checkpoint(cfg)
        if not checkpoint.exists:
            warnings.append(f"файла контрольной точки {cfg.checkpoint_path} нет: он создаётся "
                            "командой init-db или audit-reseal")
    breaks = [AuditBreak("контрольная точка", None, p) for p in (checkpoint.problems if checkpoint else [])]
    breaks += verify_history_all(session, cfg, checkpoint)
    breaks += verify_journal_all(session, cfg, checkpoint)
    if check_pdf:
        breaks += verify_pdfs(session)
    return AuditReport(breaks, warnings)


def verify_history(session: Session) -> AuditBreak | None:
    """The first break of the history chains (without the checkpoint), or None."""
    breaks = verify_history_all(session)
    return breaks[0] if breaks else None


def verify_journal(session: Session) -> AuditBreak | None:
    breaks = verify_journal_all(session)
    return breaks[0] if breaks else None


# ------------------------------------------------------------------ re-sealing


def _legacy_breaks(session: Session) -> list[AuditBreak]:
    """The legacy (plain SHA-256) chains checked as the code before the key did."""
    breaks = []
    heads: dict = {}
    for row in _event_rows(session):
        prev_seq, prev_hash = heads.get(row.programme_id, (0, GENESIS))
        if row.seq != prev_seq + 1 or row.prev_hash != prev_hash or row.hash != legacy_chain_hash(
                prev_hash, legacy_event_fields(row)):
            breaks.append(AuditBreak("workflow_event", row.id, "не сходится и по старой схеме"))
        heads[row.programme_id] = (row.seq, row.hash)
    heads = {}
    for row in _letter_rows(session):
        key = (row.journal_index, row.journal_year)
        prev_seq, prev_hash = heads.get(key, (row.seq - 1, GENESIS))
        if row.seq != prev_seq + 1 or row.prev_hash != prev_hash or row.hash != legacy_chain_hash(
                prev_hash, legacy_letter_fields(row)):
            breaks.append(AuditBreak("letter", row.id, "не сходится и по старой схеме"))
        heads[key] = (row.seq, row.hash)
    return breaks


@dataclass
class ResealResult:
    status: str  # "intact", "resealed", "refused"
    events: int = 0
    letters: int = 0
    breaks: list = field(default_factory=list)
    # The fresh checkpoint: written by `finish_reseal` once the caller has committed.
    records: list = field(default_factory=list, repr=False)


def reseal(session: Session, cfg: AuditConfig | None = None, *, force: bool = False,
           from_cfg: AuditConfig | None = None) -> ResealResult:
    """Bring every chain under the key; the caller commits, then calls `finish_reseal`.

    Intact under the key already: only the checkpoint is rewritten. Otherwise the chains
    must verify under the previous scheme (the legacy plain SHA-256 chains, or `from_cfg`
    when the key is rotated), else re-sealing would launder a forgery: refused unless
    `force` (the administrator accepts the database's content as it stands).
    """
    from .models import Letter, WorkflowEvent

    cfg = cfg or config_of(session)
    current = verify_history_all(session, cfg) + verify_journal_all(session, cfg)
    if current:
        previous = (verify_history_all(session, from_cfg) + verify_journal_all(session, from_cfg)
                    if from_cfg is not None else _legacy_breaks(session))
        if previous and not force:
            return ResealResult("refused", breaks=previous)
    records = []
    events = letters = 0
    heads: dict = {}
    for row in list(_event_rows(session)):
        prev_hash = heads.get(row.programme_id, GENESIS)
        new_hash = event_hash(cfg, prev_hash, event_fields(row))
        if (row.prev_hash, row.hash) != (prev_hash, new_hash):
            # Core UPDATE: the ORM refuses to update the append-only history, rightly.
            session.execute(update(WorkflowEvent.__table__).where(WorkflowEvent.id == row.id)
                            .values(prev_hash=prev_hash, hash=new_hash))
            events += 1
        heads[row.programme_id] = new_hash
        records.append({"k": "e", "c": row.programme_id, "n": row.seq, "id": row.id, "h": new_hash})
    heads = {}
    for row in list(_letter_rows(session)):
        key = f"{row.journal_index}:{row.journal_year}"
        prev_hash = heads.get(key, GENESIS)
        new_hash = letter_hash(cfg, prev_hash, letter_fields(row))
        new_seal = seal_hash(cfg, new_hash, letter_seal_fields(row))
        if (row.prev_hash, row.hash, row.seal) != (prev_hash, new_hash, new_seal):
            session.execute(update(Letter.__table__).where(Letter.id == row.id)
                            .values(prev_hash=prev_hash, hash=new_hash, seal=new_seal))
            letters += 1
        heads[key] = new_hash
        records.append({"k": "j", "c": key, "n": row.seq, "id": row.id, "h": new_hash})
        records.append(_seal_record(row.id, row.version, row.pdf_sha256 is not None, new_seal))
    return ResealResult("resealed" if current else "intact", events, letters, records=records)


def finish_reseal(cfg: AuditConfig, result: ResealResult) -> None:
    """After the re-seal committed: replace the checkpoint with the chains' new heads."""
    if cfg.checkpoint_dir is not None and result.status != "refused":
        write_checkpoint(cfg, result.records)
