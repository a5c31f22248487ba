from __future__ import annotations

import sqlalchemy.dialects.postgresql  # noqa: F401 -- registers the typed to_tsvector()
from sqlalchemy import (
    DDL,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# The one expression of the PostgreSQL index and of the queries that use it.
RUSSIAN = literal_column("'russian'::regconfig")


class SearchDocument(Base):
    """One searchable text of the ministry's search (workflow/search.py): a programme's title,
    a working section's text or a remark's body, kept in step with it by the operations that
    write it, in the same transaction.

    PostgreSQL searches `body` through a GIN index on to_tsvector('russian', body) (the
    `russian` snowball configuration); SQLite through the FTS5 table `search_fts` over `stems`
    (the same words through the snowball Russian stemmer: FTS5 has none), which triggers keep
    in step with this table."""

    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # title, section, remark
    ref_id: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    stems: Mapped[str] = mapped_column(Text, default="")


# Alembic's comparison skips expression indexes of the models and would report this one,
# found in the database, as extra: workflow/schema.py leaves it out (the migration creates it).
BODY_INDEX = "ix_search_document_body_russian"

SearchDocument.__table__.append_constraint(
    Index(BODY_INDEX, func.to_tsvector(RUSSIAN, SearchDocument.__table__.c.body),
          postgresql_using="gin").ddl_if(dialect="postgresql"))

FTS_TABLE = "search_fts"

SQLITE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "stems, content='search_document', content_rowid='id', tokenize='unicode61')",
    f"CREATE TRIGGER IF NOT EXISTS search_document_ai AFTER INSERT ON search_document BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, stems) VALUES (new.id, new.stems); END",
    f"CREATE TRIGGER IF NOT EXISTS search_document_ad AFTER DELETE ON search_document BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, stems) VALUES ('delete', old.id, old.stems); END",
    f"CREATE TRIGGER IF NOT EXISTS search_document_au AFTER UPDATE ON search_document BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, stems) VALUES ('delete', old.id, old.stems); "
    f"INSERT INTO {FTS_TABLE}(rowid, stems) VALUES (new.id, new.stems); END",
)

for _statement in SQLITE_FTS:
    event.listen(SearchDocument.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
event.listen(SearchDocument.__table__, "before_drop",
             DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}").execute_if(dialect="sqlite"))
