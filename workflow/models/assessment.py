from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..states import Verdict, sql_in
from .base import Base, UTCDateTime
from .user import User


class Assessment(Base):
    """A reviewer's verdict on one requirement of one revision."""

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("revision_id", "requirement_id"),
        CheckConstraint(f"verdict IN ({sql_in(Verdict)})", name="verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"))
    verdict: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    assessor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the section did not change on resubmission: the revision number whose
    # assessment this one repeats (the reviewer's verdict is kept, not asked again).
    carried_from_revision: Mapped[int | None]
    # The absent reviewer the assessor substituted, if any.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])
