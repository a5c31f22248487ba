from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class LoginAttempt(Base):
    """Sign-in attempts, for throttling per account and per address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_login_at", "login", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    success: Mapped[bool]


class LoginThrottle(Base):
    """Failed sign-ins counted per key: scope "pair" (login and address) or "address"
    (one address across every account). One row per key, locked while an attempt is
    counted, so the check and the record are one atomic step (see workflow/signin.py)."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(default=0)
    # Attempts whose password is being checked right now (counted before the check, so
    # that parallel tries cannot all pass it); reset if older than a crash would leave.
    pending: Mapped[int] = mapped_column(default=0)
    pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class SecurityEvent(Base):
    """Sign-ins, failures and refused actions: who, what, when (UTC). Never secrets."""

    __tablename__ = "security_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    action: Mapped[str] = mapped_column(String(64))  # dotted key: auth.login.failed
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    login: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class ApiToken(Base):
    """Bearer tokens of the JSON API; only the SHA-256 of the token is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    session_epoch: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Shown on "Мои сеансы": where the token was issued from, by what client, last use.
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
