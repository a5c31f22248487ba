from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime


class Revision(Base):
    """An immutable snapshot of every section, frozen at each submission."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    sections: Mapped[list[RevisionSection]] = relationship(
        back_populates="revision", order_by="RevisionSection.requirement_id",
        cascade="all, delete-orphan",
    )


class RevisionSection(Base):
    __tablename__ = "revision_section"
    __table_args__ = (UniqueConstraint("revision_id", "requirement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    text: Mapped[str] = mapped_column(Text)
    # The redline against the same section of the previous revision (workflow.redline),
    # computed once when the revision is frozen; None on revision 1 or without that section.
    redline: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    redline_method: Mapped[str | None] = mapped_column(String(10))

    revision: Mapped[Revision] = relationship(back_populates="sections")


class ImmutableRowError(RuntimeError):
    pass


@event.listens_for(Revision, "before_update")
@event.listens_for(RevisionSection, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise ImmutableRowError(f"{type(target).__name__} is a frozen snapshot and never changes")
