"""Bulk signing: one batch row per "sign the selected letters", one item row per letter.

The batch is written in the registration transaction (every letter numbered, in the order
shown) and is the durable record of the work still to do: an item is `pending` until its
letter's signed PDF is stored (`done`) or its job gave up (`failed`, with the reason)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class SignBatch(Base):
    __tablename__ = "sign_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(20), default="running")  # running / finished
    # Signed as «И.о.» of this absent signatory (every letter of the batch), else None.
    acting_for_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class SignBatchItem(Base):
    __tablename__ = "sign_batch_item"
    __table_args__ = (Index("ix_sign_batch_item_batch_id_state", "batch_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("sign_batch.id"))
    # A letter belongs to one batch at most.
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), unique=True)
    position: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending / done / failed
    error: Mapped[str | None] = mapped_column(Text)
