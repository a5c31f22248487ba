"""Verification: every chain walked under the key, compared with the checkpoint log, each break
reported with the entry's id (`verify-audit`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from .audit import (
    GENESIS,
    AuditConfig,
    config_of,
    event_fields,
    event_hash,
    letter_fields,
    letter_hash,
    letter_seal_fields,
    seal_hash,
)
from .audit_checkpoint import Checkpoint, read_checkpoint


@dataclass
class AuditBreak:
    table: str
    row_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.table} #{self.row_id}" if self.row_id is not None else self.table
        return f"{where}: {self.message}"


def event_rows(session: Session):
    from .models import WorkflowEvent

    table = WorkflowEvent.__table__
    return session.execute(
        select(table).order_by(table.c.programme_id, table.c.seq)
        .execution_options(yield_per=2000))


def letter_rows(session: Session):
    from .models import Letter

    columns = [c for c in Letter.__table__.c if c.name != "pdf"]
    return session.execute(
        select(*columns).where(Letter.seq.is_not(None))
        .order_by(Letter.journal_index, Letter.journal_year, Letter.seq)
        .execution_options(yield_per=2000))


GAP = "gap"  # rows are missing before this one (deleted)
UNLINKED = "unlinked"  # its link to the previous row is not that row's hash


@dataclass
class Link:
    """One row of a hash chain as `walk_chains` read it."""

    row: Row
    chain: Hashable
    prev_seq: int  # the seq of the row before it in its chain (as stored)
    fault: str | None  # GAP, UNLINKED or None
    intact: bool  # its hash is the keyed hash of its fields


def walk_chains(rows, chain_of: Callable[[Row], Hashable], hash_of: Callable[[Row], str], *,
                heads: dict, first_seq: Callable[[Row], int]) -> Iterator[Link]:
    """Walk `rows` (ordered by chain, then seq): each row's seq against the previous row's of
    its chain, its `prev_hash` against that row's hash, and its own hash against
    `hash_of(row)`, recomputed under the key. A chain starts at `first_seq(row)` of its first
    row. `heads` ends as chain -> (seq, hash) of the last row of each chain."""
    for row in rows:
        chain = chain_of(row)
        prev_seq, prev_hash = heads.get(chain, (first_seq(row) - 1, GENESIS))
        if row.seq != prev_seq + 1:
            fault = GAP
        elif row.prev_hash != prev_hash:
            fault = UNLINKED
        else:
            fault = None
        intact = hmac.compare_digest(row.hash or "", hash_of(row))
        heads[chain] = (row.seq, row.hash)
        yield Link(row, chain, prev_seq, fault, intact)


def verify_history_all(session: Session, cfg: AuditConfig | None = None,
                       checkpoint: Checkpoint | None = None) -> list[AuditBreak]:
    cfg = cfg or config_of(session)
    breaks: list[AuditBreak] = []
    heads: dict[int, tuple[int, str]] = {}  # programme -> (seq, hash)

    def found(row_id, message):
        breaks.append(AuditBreak("workflow_event", row_id, message))

    links = walk_chains(
        event_rows(session), lambda row: row.programme_id,
        lambda row: event_hash(cfg, row.prev_hash or "", event_fields(row)),
        heads=heads, first_seq=lambda row: 1)  # a programme's history starts at 1
    for link in links:
        row, pid, prev_seq = link.row, link.chain, link.prev_seq
        if link.fault == GAP:
            missing = (f"запись {prev_seq + 1} отсутствует" if row.seq == prev_seq + 2
                       else f"записи {prev_seq + 1}–{row.seq - 1} отсутствуют")
            found(row.id, f"пропуск в истории программы {pid}: {missing} (удалены)")
        elif link.fault == UNLINKED:
            found(row.id, f"запись {row.seq} (#{row.id}) истории программы {pid} не связана с "
                          "предыдущей (ссылка на предыдущую запись изменена)")
        if not link.intact:
            found(row.id, f"запись {row.seq} (#{row.id}) истории программы {pid} изменена: её "
                          "поля не совпадают с подписью ключом журнала")
    if checkpoint is not None:
        for pid, record in checkpoint.events.items():
            seq = heads.get(pid, (0, None))[0]
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

    links = walk_chains(
        letter_rows(session), lambda row: f"{row.journal_index}:{row.journal_year}",
        lambda row: letter_hash(cfg, row.prev_hash or "", letter_fields(row)),
        heads=heads, first_seq=lambda row: row.seq)  # a journal may open at any number
    for link in links:
        row = link.row
        if link.fault == GAP:
            found(row.id, f"пропуск в журнале: после № {row.journal_index}/{link.prev_seq} идёт "
                          f"№ {row.number} (записи удалены)")
        elif link.fault == UNLINKED:
            found(row.id, f"регистрационная запись письма № {row.number} не связана с "
                          "предыдущей (ссылка на предыдущую запись изменена)")
        if not link.intact:
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
        hashes[(link.chain, row.seq)] = row.hash
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
