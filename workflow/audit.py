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

This module holds the key, the hashed fields and the hashes; beside it: `audit_sealing` (the
write side and its session hooks), `audit_checkpoint` (the log), `audit_verify`
(`verify_all`), `audit_reseal` (`reseal`) and `audit_legacy` (the chains before the key).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

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


def canonical(fields: dict) -> str:
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
    return cfg.mac("workflow_event", f"{prev_hash}|{canonical(fields)}")


def letter_hash(cfg: AuditConfig, prev_hash: str, fields: dict) -> str:
    return cfg.mac("letter", f"{prev_hash}|{canonical(fields)}")


def seal_hash(cfg: AuditConfig, chain_hash_value: str, fields: dict) -> str:
    return cfg.mac("letter_seal", f"{chain_hash_value}|{canonical(fields)}")
