"""The second factor (TOTP, RFC 6238), its recovery codes, and server-side sign-in sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class SecondFactor(Base):
    """A user's TOTP secret. `confirmed_at` is empty while enrolment waits for the first
    code; `last_step` is the last time step (Unix time // 30) whose code was accepted, moved
    forward by compare-and-set so that a code is good once even within its window."""

    __tablename__ = "second_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    # Base32, as authenticator apps take it; shown to the user once, at enrolment.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None]


class RecoveryCode(Base):
    """Single-use codes for a lost phone; only a SHA-256 (salted with the user id) is kept."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(Base):
    """One signed-in browser. The Flask session cookie carries this row's id; a request
    whose row is ended (or whose user's epoch moved on) is signed out at once."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_id_ended_at", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    session_epoch: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    # How the session was opened: "password", "totp" (password and code) or "recovery".
    method: Mapped[str] = mapped_column(String(16), default="password")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
