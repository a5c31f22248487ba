from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .user import User


class WorkflowEvent(Base):
    """Append-only history of a programme. Each entry carries the hash of the previous
    entry of the same programme, so an edited or deleted row breaks the chain."""

    __tablename__ = "workflow_event"
    __table_args__ = (UniqueConstraint("programme_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    seq: Mapped[int]
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The absent user the actor substituted ("за кого"); None when acting for themselves.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    revision_number: Mapped[int] = mapped_column(default=0)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])


@event.listens_for(WorkflowEvent, "before_update")
def _append_only(_mapper, _connection, target):
    raise RuntimeError("workflow history is append-only")
