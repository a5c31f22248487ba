"""Files attached to a programme: the working copy's list, and each revision's own list.

A row names a stored file by the SHA-256 of its content (see `workflow.storage`); the bytes
live in the content-addressed store, never in these tables. The working copy's list changes
freely; freezing a revision copies it into `revision_file` rows, which never change, so a
revision keeps the very files it was submitted with whatever happens to the working copy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, backref, declared_attr, mapped_column, relationship

from .base import Base, UTCDateTime
from .revision import ImmutableRowError, Revision
from .user import User


class _FileDescription:
    """What a working-copy file and a revision's frozen copy of it both record."""

    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # Unknown (NULL) only for a file adopted from the single attachment of before 0004.
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @declared_attr
    def added_by(cls) -> Mapped[User | None]:
        return relationship(User)


class ProgrammeFile(_FileDescription, Base):
    """One file of the municipality's working copy."""

    __tablename__ = "programme_file"
    __table_args__ = (
        UniqueConstraint("programme_id", "name"),
        CheckConstraint("size >= 0", name="size_not_negative"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)

    programme = relationship("Programme", back_populates="files")


class RevisionFile(_FileDescription, Base):
    """A file as it was when its revision was frozen: a copy of the working list's row."""

    __tablename__ = "revision_file"
    __table_args__ = (
        UniqueConstraint("revision_id", "name"),
        CheckConstraint("size >= 0", name="size_not_negative"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)

    # `Revision.files` is declared here (a backref) so the revision module stays as it is.
    revision: Mapped[Revision] = relationship(backref=backref(
        "files", order_by="RevisionFile.id", cascade="all, delete-orphan"))

    @classmethod
    def frozen_from(cls, f: ProgrammeFile) -> RevisionFile:
        return cls(name=f.name, size=f.size, content_type=f.content_type, sha256=f.sha256,
                   added_by_id=f.added_by_id, added_at=f.added_at)


@event.listens_for(RevisionFile, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise ImmutableRowError("RevisionFile is a frozen snapshot and never changes")


class FileBlob(Base):
    """The bytes of a stored file, for the `database` backend of the file store
    (`FILE_STORE=database`): every application server sees the same files, and a file is
    written in the same transaction as the rows that name it. Unused with the default
    file-system backend."""

    __tablename__ = "file_blob"
    __table_args__ = (CheckConstraint("length(sha256) = 64", name="sha256_length"),)

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
