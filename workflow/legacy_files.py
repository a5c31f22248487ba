"""Adoption of the single attachment of before migration 0004 into the file store.

Until 0004 a programme had one file: `programme.attachment_*` named a randomly-keyed file
in the upload directory, and replacing it deleted the earlier file. The schema migration
cannot reach that directory (it is the application's configuration, not the database's),
so the bytes are moved by `flask migrate-files`, which `flask init-db` runs after the
migrations. It is idempotent: an adopted programme's `attachment_*` columns are emptied,
and a programme whose file is missing keeps them, so a later run can still adopt it once
the file is put back.

What each adopted file becomes:
- a `programme_file` row of the working copy (who added it and when are unknown: NULL);
- a `revision_file` row of the programme's latest revision when the file certainly belongs
  to it: the programme is past its latest submission and could not be edited since
  (submitted, in review, approved, withdrawn after submission), or it was returned and its
  working copy has not been saved since the return (its `updated_at` is the return's own
  time). A programme returned and edited since may have had its file replaced after the
  return, exactly the loss this migration repairs, so the current file is not pinned on a
  revision it may never have belonged to.
- Earlier revisions cannot be reconstructed: the old code deleted the file each upload
  replaced, and kept no record of which file a revision was submitted with.

Written with SQLAlchemy Core against the tables as they are at 0004 (not the ORM models),
so that the adoption keeps working while the models move on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .models.base import UTCDateTime
from .storage import BlobStore

LEGACY_KEY_RE = re.compile(r"^[0-9a-f]{32}$")
FROZEN_STATES = ("submitted", "in_review", "approved", "withdrawn")

_meta = sa.MetaData()
programme = sa.Table(
    "programme", _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("state", sa.String),
    sa.Column("revision_number", sa.Integer),
    sa.Column("updated_at", UTCDateTime),
    sa.Column("attachment_name", sa.String),
    sa.Column("attachment_key", sa.String),
    sa.Column("attachment_size", sa.Integer),
    sa.Column("attachment_type", sa.String),
)
revision = sa.Table(
    "revision", _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("programme_id", sa.Integer),
    sa.Column("number", sa.Integer),
)
workflow_event = sa.Table(
    "workflow_event", _meta,
    sa.Column("programme_id", sa.Integer),
    sa.Column("seq", sa.Integer),
    sa.Column("trigger", sa.String),
    sa.Column("at", UTCDateTime),
)


def _file_table(name: str, owner: str) -> sa.Table:
    return sa.Table(
        name, _meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(owner, sa.Integer),
        sa.Column("name", sa.String),
        sa.Column("size", sa.Integer),
        sa.Column("content_type", sa.String),
        sa.Column("sha256", sa.String),
        sa.Column("added_by_id", sa.Integer),
        sa.Column("added_at", UTCDateTime),
    )


programme_file = _file_table("programme_file", "programme_id")
revision_file = _file_table("revision_file", "revision_id")

@dataclass
class AdoptionReport:
    adopted: list[int] = field(default_factory=list)  # programme ids
    pinned: list[tuple[int, int]] = field(default_factory=list)  # (programme id, revision no.)
    missing: list[int] = field(default_factory=list)  # programme ids whose file is not found


def _pins_latest_revision(conn: Connection, row) -> bool:
    if row.revision_number < 1:
        return False
    if row.state in FROZEN_STATES:
        return True
    if row.state != "returned":
        return False
    last = conn.execute(
        sa.select(workflow_event.c.trigger, workflow_event.c.at)
        .where(workflow_event.c.programme_id == row.id)
        .order_by(workflow_event.c.seq.desc()).limit(1)
    ).first()
    # A transition stores its time truncated to the second and sets `updated_at` to the
    # untruncated time; a later saved draft moves `updated_at` past that second.
    return (last is not None and last.trigger == "return_for_revision"
            and row.updated_at < last.at + timedelta(seconds=1))


def adopt_legacy_attachments(conn: Connection, store: BlobStore,
                             upload_dir: str | Path) -> AdoptionReport:
    report = AdoptionReport()
    upload_dir = Path(upload_dir)
    rows = conn.execute(
        sa.select(programme).where(programme.c.attachment_key.is_not(None))
        .order_by(programme.c.id)
    ).all()
    for row in rows:
        key = row.attachment_key or ""
        path = upload_dir / key
        if not LEGACY_KEY_RE.match(key) or not path.is_file():
            report.missing.append(row.id)
            continue
        data = path.read_bytes()
        sha256 = store.put(data)
        # The legacy name was sanitised at upload; keep it within the new column's length.
        name = (row.attachment_name or "attachment")[:255]
        values = {"name": name, "size": len(data),
                  "content_type": (row.attachment_type or "application/octet-stream")[:100],
                  "sha256": sha256, "added_by_id": None, "added_at": None}
        taken = conn.execute(sa.select(programme_file.c.id).where(
            programme_file.c.programme_id == row.id, programme_file.c.name == name)).first()
        if taken is None:
            conn.execute(programme_file.insert().values(programme_id=row.id, **values))
        if _pins_latest_revision(conn, row):
            latest = conn.execute(
                sa.select(revision.c.id, revision.c.number)
                .where(revision.c.programme_id == row.id, revision.c.number == row.revision_number)
            ).first()
            if latest is not None:
                taken = conn.execute(sa.select(revision_file.c.id).where(
                    revision_file.c.revision_id == latest.id, revision_file.c.name == name)).first()
                if taken is None:
                    conn.execute(revision_file.insert().values(revision_id=latest.id, **values))
                report.pinned.append((row.id, latest.number))
        # The old file stays where it was (nothing is deleted); the columns are emptied so
        # that the adoption is done once.
        conn.execute(programme.update().where(programme.c.id == row.id).values(
            attachment_name=None, attachment_key=None, attachment_size=None,
            attachment_type=None))
        report.adopted.append(row.id)
    return report
