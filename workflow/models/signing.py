"""Each signatory's own certificate and key, and the short-lived signing sessions that let a
letter's PDF be produced after a crash without the server ever storing a PIN."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime
from .user import User


class SignerCertificate(Base):
    """A signatory's certificate and key: the PKCS#12 exactly as issued, encrypted with the
    signatory's signing PIN (which is never stored). The columns repeat what the certificate
    says so that the domain can decide who may sign without parsing it."""

    __tablename__ = "signer_certificate"
    __table_args__ = (Index("ix_signer_certificate_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    pkcs12: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    owner_name: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(Text)
    serial: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20))  # "upload" or "demo"
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong-PIN throttling: a counter bumped atomically, and a lock after too many failures.
    pin_failures: Mapped[int] = mapped_column(default=0)
    pin_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])

    def valid_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and self.valid_from <= moment <= self.valid_to


class SigningSession(Base):
    """The key of a just-signed letter, re-encrypted under a server key kept outside the
    database, until its PDF is stored (then deleted) or it expires. Written in the signing
    transaction: the durable intent "this letter still needs its signed PDF"."""

    __tablename__ = "signing_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), unique=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("signer_certificate.id"))
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
