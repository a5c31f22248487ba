from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..states import RemarkState, RemarkVisibility, sql_in
from .base import Base, UTCDateTime
from .user import User


class Remark(Base):
    """A reviewer's remark, anchored to one requirement section of one revision."""

    __tablename__ = "remark"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_in(RemarkState)})", name="state"),
        CheckConstraint(f"visibility IN ({sql_in(RemarkVisibility)})", name="visibility"),
        # The municipality never sees internal remarks, so it cannot answer one.
        CheckConstraint("NOT (visibility = 'internal' AND state = 'answered')", name="internal_unanswered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The absent reviewer the author substituted, if any.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    visibility: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default=RemarkState.OPEN)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    replies: Mapped[list[RemarkReply]] = relationship(
        back_populates="remark", order_by="RemarkReply.id", cascade="all, delete-orphan"
    )

    @property
    def external(self) -> bool:
        return self.visibility == RemarkVisibility.EXTERNAL


class RemarkReply(Base):
    """One message of a remark's thread; `action` records what it did to the remark."""

    __tablename__ = "remark_reply"
    __table_args__ = (
        CheckConstraint("action IN ('comment', 'answer', 'resolve', 'reopen')", name="action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    remark_id: Mapped[int] = mapped_column(ForeignKey("remark.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    remark: Mapped[Remark] = relationship(back_populates="replies")
    author: Mapped[User] = relationship()
