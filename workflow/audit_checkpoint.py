"""The checkpoint log outside the database: every line HMAC-signed, appended after each
commit that adds to a chain, read by verification to catch a chain cut short."""

from __future__ import annotations

import fcntl
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from .audit import AuditConfig, canonical


def event_record(event) -> dict:
    return {"k": "e", "c": event.programme_id, "n": event.seq, "id": event.id, "h": event.hash}


def journal_record(letter) -> dict:
    return {"k": "j", "c": f"{letter.journal_index}:{letter.journal_year}", "n": letter.seq,
            "id": letter.id, "h": letter.hash}


def seal_record(letter_id, version, has_pdf, seal) -> dict:
    return {"k": "s", "id": letter_id, "v": version, "p": int(bool(has_pdf)), "s": seal}


def _signed_line(cfg: AuditConfig, record: dict) -> str:
    body = canonical(record)
    return canonical({**record, "m": cfg.mac("checkpoint", body)}) + "\n"


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
            if not hmac.compare_digest(mac, cfg.mac("checkpoint", canonical(record))):
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
