"""Signing sessions, the crash-recovery side: once the PIN has opened the key, the signing
transaction stores the key re-encrypted under a server key that lives outside the database,
with an expiry. A sweep renders letters left without a PDF through their sessions and
deletes each session with the PDF; an expired session means the signatory types the PIN
again."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import Letter, SigningSession
from .signing_errors import SessionUnavailable
from .signing_keys import UnlockedKey
from .signing_pkcs12 import OpenedPkcs12

DEFAULT_SESSION_TTL = timedelta(hours=1)


class SessionSealer:
    """Encrypts a just-opened key under a server key kept outside the database
    (SIGNING_SESSION_KEY or a file in instance/). Any string is accepted as key material."""

    def __init__(self, secret: str | bytes) -> None:
        material = secret.encode("utf-8") if isinstance(secret, str) else secret
        if not material:
            raise ValueError("empty signing-session key")
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(material).digest()))

    def seal(self, opened: OpenedPkcs12) -> bytes:
        inner = pkcs12.serialize_key_and_certificates(
            name=None, key=opened.key, cert=opened.certificate, cas=opened.chain or None,
            encryption_algorithm=serialization.NoEncryption(),
        )
        return self._fernet.encrypt(inner)

    def open(self, sealed: bytes) -> bytes:
        """The unencrypted PKCS#12 of the session; SessionUnavailable if the key changed."""
        try:
            return self._fernet.decrypt(bytes(sealed))
        except InvalidToken:
            raise SessionUnavailable("Сеанс подписи не открывается ключом сервера "
                                     "(ключ сеансов изменён)") from None


def open_signing_session(session: Session, letter: Letter, key: UnlockedKey, *,
                         sealer: SessionSealer, now: datetime,
                         ttl: timedelta = DEFAULT_SESSION_TTL) -> SigningSession:
    row = SigningSession(letter_id=letter.id, certificate_id=key.certificate.id,
                         sealed_key=key.sealed_with(sealer), created_at=now,
                         expires_at=now + ttl)
    session.add(row)
    return row


def live_session(session: Session, letter_id: int, now: datetime) -> SigningSession | None:
    return session.scalar(select(SigningSession).where(
        SigningSession.letter_id == letter_id, SigningSession.expires_at > now))


def close_signing_session(session: Session, letter_id: int) -> None:
    session.execute(delete(SigningSession).where(SigningSession.letter_id == letter_id))


def purge_expired_sessions(session: Session, now: datetime) -> int:
    return session.execute(delete(SigningSession).where(SigningSession.expires_at <= now)).rowcount
