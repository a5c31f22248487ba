"""Every signatory signs with a key of their own.

A signatory's certificate and key are stored as the PKCS#12 exactly as issued, encrypted with
the signatory's signing PIN; the PIN is typed at each signing and never stored. Signing is
refused to a user without their own valid certificate, or whose certificate names someone
else. Granting the signatory role and adding a certificate are audited admin actions that
notify the existing signatories (so an impostor cannot be made a signatory quietly).

The crash-recovery side: once the PIN has opened the key, the signing transaction stores the
key re-encrypted under a server key that lives outside the database (a "signing session",
with an expiry). A sweep renders letters left without a PDF through their sessions and deletes
each session with the PDF; an expired session means the signatory types the PIN again.

This module uses `cryptography` only to read PKCS#12 containers and to seal sessions; signing
PDFs is `documents.signing`'s business.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import notifications
from .errors import InvalidInput, PermissionDenied, WorkflowError
from .letter_data import CertificateData
from .models import Letter, SignerCertificate, SigningSession, User
from .signin import log_event
from .states import Role

PIN_MAX_FAILURES = 5
PIN_LOCK = timedelta(minutes=15)
MIN_PIN = 6
MAX_PKCS12 = 64 * 1024
DEFAULT_SESSION_TTL = timedelta(hours=1)


# ------------------------------------------------------------------ errors


class SigningRefused(WorkflowError):
    code = "cannot_sign"


class NoCertificate(SigningRefused):
    code = "no_certificate"

    def __init__(self) -> None:
        super().__init__("У вас нет действующего сертификата электронной подписи. "
                         "Обратитесь к администратору: подписывать можно только своим ключом.")


class CertificateOwnerMismatch(SigningRefused):
    code = "certificate_owner_mismatch"

    def __init__(self, owner: str, full_name: str) -> None:
        super().__init__(f"Сертификат выдан на имя «{owner}», а не на «{full_name}»: "
                         "подписывать можно только сертификатом, выданным на ваше имя.")


class PinRequired(SigningRefused):
    code = "pin_required"

    def __init__(self) -> None:
        super().__init__("Введите PIN-код ключа электронной подписи")


class WrongPin(SigningRefused):
    """The PIN did not open the key. The failure is counted in the session: commit it."""

    code = "wrong_pin"
    kept = True

    def __init__(self, left: int, *, letters: int = 1) -> None:
        self.left = left
        tail = (f" Осталось попыток: {left}." if left > 0 else
                f" Ключ заблокирован на {int(PIN_LOCK.total_seconds() // 60)} минут.")
        what = "письмо не подписано" if letters == 1 else "письма не подписаны"
        super().__init__(f"Неверный PIN-код ключа электронной подписи; {what}." + tail)


class PinLocked(SigningRefused):
    code = "pin_locked"

    def __init__(self, until: datetime, now: datetime) -> None:
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        super().__init__("Слишком много неверных PIN-кодов: ключ подписи заблокирован. "
                         f"Повторите через {minutes} мин.")


class SessionUnavailable(WorkflowError):
    code = "signing_session_unavailable"


# ------------------------------------------------------------------ names and certificates


def normalise_name(name: str) -> str:
    """Names compare case-, ё/е- and space-insensitively: "Шкуратская  Мария Викторовна" is
    "шкуратская мария викторовна"."""
    return re.sub(r"\s+", " ", (name or "").replace("ё", "е").replace("Ё", "Е")).strip().casefold()


def _attr(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value).strip() if values else ""


def certificate_owner(cert: x509.Certificate) -> str:
    """The person a certificate names: surname and given names (as Russian qualified
    certificates put them, SN + G) when present, otherwise the common name."""
    surname = _attr(cert.subject, NameOID.SURNAME)
    given = _attr(cert.subject, NameOID.GIVEN_NAME)
    if surname and given:
        return f"{surname} {given}"
    return _attr(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string()


def owner_matches(owner: str, full_name: str) -> bool:
    return bool(normalise_name(owner)) and normalise_name(owner) == normalise_name(full_name)


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "X")


@dataclass
class OpenedPkcs12:
    key: object
    certificate: x509.Certificate
    chain: list[x509.Certificate]


def open_pkcs12(data: bytes, pin: str) -> OpenedPkcs12:
    """The key and certificate in a PKCS#12 container; InvalidInput (Russian) otherwise.
    A wrong PIN raises WrongPin(left=-1) for the caller to count (or not)."""
    if not data:
        raise InvalidInput("Выберите файл сертификата (PKCS#12, .p12 или .pfx)", field="pkcs12")
    if len(data) > MAX_PKCS12:
        raise InvalidInput("Файл сертификата больше 64 КБ; это не контейнер PKCS#12",
                           field="pkcs12")
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, (pin or "").encode("utf-8"))
    except ValueError as error:
        if "deserialize" in str(error):  # the bytes are not PKCS#12 at all
            raise InvalidInput("Файл не является контейнером PKCS#12 (.p12, .pfx)",
                               field="pkcs12") from None
        raise WrongPin(left=-1) from None
    if key is None or cert is None:
        raise InvalidInput("В контейнере PKCS#12 нет закрытого ключа и сертификата",
                           field="pkcs12")
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    if public != cert.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo):
        raise InvalidInput("Закрытый ключ в контейнере не соответствует сертификату",
                           field="pkcs12")
    return OpenedPkcs12(key=key, certificate=cert, chain=list(chain or []))


def _issued_by_trusted(cert: x509.Certificate, roots: list[x509.Certificate]) -> bool:
    for root in roots:
        try:
            cert.verify_directly_issued_by(root)
        except Exception:  # noqa: BLE001 -- wrong issuer, bad signature, other key type
            continue
        return True
    return False


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------ admin actions


def _check_admin(actor: User | None) -> None:
    if actor is None or not actor.active or actor.role != Role.ADMIN:
        raise PermissionDenied("Действие доступно только администратору")


def _signatories(session: Session, *, besides: User | None = None) -> list[User]:
    stmt = select(User).where(User.role == Role.SIGNATORY, User.active.is_(True))
    if besides is not None and besides.id is not None:
        stmt = stmt.where(User.id != besides.id)
    return list(session.scalars(stmt.order_by(User.id)))


def _actor_label(actor: User | None) -> str:
    return f"{actor.full_name} ({actor.login})" if actor else "системная команда"


def signatory_granted(session: Session, user: User, actor: User | None, *, now: datetime,
                      address: str = "") -> None:
    """Audit and announce that `user` has become a signatory (role change or new account).
    `actor` None means a command run on the server (CLI, demo seed)."""
    log_event(session, "signing.role.granted", now=now, user=actor, address=address,
              detail=f"target_id={user.id} target={user.login} name={user.full_name}")
    notifications.notify(
        session, _signatories(session, besides=user), kind="signing.role_granted", now=now,
        text=(f"{_actor_label(actor)} назначил(а) подписантом пользователя "
              f"«{user.full_name}» ({user.login})."),
    )


def current_certificate(session: Session, user: User, now: datetime) -> SignerCertificate | None:
    """The user's newest certificate that is not revoked and valid now."""
    for cert in session.scalars(
        select(SignerCertificate)
        .where(SignerCertificate.user_id == user.id, SignerCertificate.revoked_at.is_(None))
        .order_by(SignerCertificate.added_at.desc(), SignerCertificate.id.desc())
    ):
        if cert.valid_at(now):
            return cert
    return None


def certificates_of(session: Session, user: User) -> list[SignerCertificate]:
    return list(session.scalars(
        select(SignerCertificate).where(SignerCertificate.user_id == user.id)
        .order_by(SignerCertificate.added_at.desc(), SignerCertificate.id.desc())
    ))


def add_certificate(
    session: Session, user: User, actor: User | None, *, pkcs12_bytes: bytes, pin: str,
    now: datetime, source: str = "upload", trust_roots: list[x509.Certificate] | None = None,
    address: str = "",
) -> SignerCertificate:
    """Store `user`'s PKCS#12 after proving the PIN opens it and that the certificate names
    the user. The PIN is used here once and not kept. Earlier certificates of the user are
    revoked: a signatory has one current key. `actor` None only for server commands (the demo
    seed); screens always pass the admin."""
    if actor is not None:
        _check_admin(actor)
    if user.role != Role.SIGNATORY or not user.active:
        raise InvalidInput("Сертификат подписи добавляется только действующему подписанту: "
                           "сначала назначьте пользователю роль «Подписант»", field="pkcs12")
    if len(pin or "") < MIN_PIN:
        raise InvalidInput(f"PIN-код не короче {MIN_PIN} символов", field="pin")
    try:
        opened = open_pkcs12(pkcs12_bytes, pin)
    except WrongPin:
        raise InvalidInput("PIN-код не подходит к этому контейнеру PKCS#12", field="pin") from None
    cert = opened.certificate
    owner = certificate_owner(cert)
    if not owner_matches(owner, user.full_name):
        raise InvalidInput(f"Сертификат выдан на имя «{owner}», а пользователь — "
                           f"«{user.full_name}»: добавить можно только сертификат владельца",
                           field="pkcs12")
    valid_from, valid_to = _utc(cert.not_valid_before_utc), _utc(cert.not_valid_after_utc)
    if not valid_from <= now <= valid_to:
        raise InvalidInput(f"Сертификат не действует сейчас: срок действия "
                           f"{valid_from:%d.%m.%Y} — {valid_to:%d.%m.%Y}", field="pkcs12")
    if trust_roots is not None and not _issued_by_trusted(cert, trust_roots):
        raise InvalidInput("Сертификат выдан не доверенным удостоверяющим центром",
                           field="pkcs12")
    _check_not_someone_elses(session, user, cert, owner)
    session.execute(
        update(SignerCertificate)
        .where(SignerCertificate.user_id == user.id, SignerCertificate.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    row = SignerCertificate(
        user_id=user.id, pkcs12=pkcs12_bytes, owner_name=owner,
        subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(),
        serial=serial_hex(cert), valid_from=valid_from, valid_to=valid_to, source=source,
        added_by_id=actor.id if actor else None, added_at=now, pin_failures=0,
    )
    session.add(row)
    session.flush()
    log_event(session, "signing.certificate.added", now=now, user=actor, address=address,
              detail=(f"target_id={user.id} target={user.login} serial={row.serial} "
                      f"owner={owner} source={source} certificate_id={row.id}"))
    # The target is told too: a certificate added to your account is news you must see.
    notifications.notify(
        session, _signatories(session), kind="signing.certificate_added", now=now,
        text=(f"{_actor_label(actor)} добавил(а) сертификат подписи № {row.serial} "
              f"(владелец «{owner}») пользователю «{user.full_name}» ({user.login})."),
    )
    return row


def _check_not_someone_elses(session: Session, user: User, cert: x509.Certificate,
                             owner: str) -> None:
    """One person, one name: the same certificate, or a live certificate naming the same
    person, cannot also belong to another account (a namesake account is the impostor's
    next move once names must match)."""
    issuer, serial = cert.issuer.rfc4514_string(), serial_hex(cert)
    for other in session.scalars(select(SignerCertificate).where(
            SignerCertificate.user_id != user.id)):
        if other.serial == serial and other.issuer == issuer:
            raise InvalidInput("Этот сертификат уже принадлежит другому пользователю",
                               field="pkcs12")
        if other.revoked_at is None and owner_matches(other.owner_name, owner):
            raise InvalidInput(f"Действующий сертификат на имя «{owner}» уже есть у другой "
                               "учётной записи; сначала отзовите его", field="pkcs12")


def revoke_certificate(session: Session, cert: SignerCertificate, actor: User, *, now: datetime,
                       address: str = "") -> SignerCertificate:
    _check_admin(actor)
    if cert.revoked_at is None:
        cert.revoked_at = now
        log_event(session, "signing.certificate.revoked", now=now, user=actor, address=address,
                  detail=f"target_id={cert.user_id} serial={cert.serial} certificate_id={cert.id}")
        session.flush()
    return cert


# ------------------------------------------------------------------ signing


def signing_refusal(session: Session, user: User, now: datetime, *,
                    acting: bool = False) -> str | None:
    """Why `user` cannot sign now, in Russian; None if they can (given the right PIN).
    `acting`: as the substitute of an absent signatory, with a certificate of their own (a
    substitute need not hold the signatory role, see `absences.substitute_refusal`)."""
    if not user.active or (user.role != Role.SIGNATORY and not acting):
        return "Подписать письмо может только подписант"
    cert = current_certificate(session, user, now)
    if cert is None:
        return NoCertificate().message
    if not owner_matches(cert.owner_name, user.full_name):
        return CertificateOwnerMismatch(cert.owner_name, user.full_name).message
    if cert.pin_locked_until is not None and cert.pin_locked_until > now:
        return PinLocked(cert.pin_locked_until, now).message
    return None


@dataclass
class UnlockedKey:
    """A key the PIN has just opened, for the length of one operation."""

    certificate: SignerCertificate
    opened: OpenedPkcs12
    # Sealed once per sealer: a batch opens one key and seals it for each of its letters.
    _sealed: dict = field(default_factory=dict, repr=False, compare=False)

    def sealed_with(self, sealer: SessionSealer) -> bytes:
        sealed = self._sealed.get(sealer)
        if sealed is None:
            sealed = self._sealed[sealer] = sealer.seal(self.opened)
        return sealed

    def summary(self) -> CertificateData:
        """What a letter records about the certificate it is signed with."""
        c = self.certificate
        return CertificateData(id=c.id, serial=c.serial, owner=c.owner_name, issuer=c.issuer,
                               valid_from=c.valid_from.date(), valid_to=c.valid_to.date())


def unlock(session: Session, user: User, pin: str, *, now: datetime,
           certificate: SignerCertificate | None = None, acting: bool = False) -> UnlockedKey:
    """Open `user`'s own key with `pin`, or refuse with the reason. A wrong PIN is counted
    atomically (UPDATE ... + 1) and, after PIN_MAX_FAILURES, locks the key for PIN_LOCK;
    the caller must commit the session for the count to stand (and change nothing else).
    `acting`: the user signs as the substitute of an absent signatory (checked by the
    caller), so their own certificate is enough without the signatory role."""
    if not user.active or (user.role != Role.SIGNATORY and not acting):
        raise PermissionDenied("Подписать письмо может только подписант")
    cert = certificate or current_certificate(session, user, now)
    if cert is None or cert.user_id != user.id:
        raise NoCertificate()
    if not owner_matches(cert.owner_name, user.full_name):
        raise CertificateOwnerMismatch(cert.owner_name, user.full_name)
    if cert.pin_locked_until is not None and cert.pin_locked_until > now:
        raise PinLocked(cert.pin_locked_until, now)
    if not pin:
        raise PinRequired()
    try:
        opened = open_pkcs12(cert.pkcs12, pin)
    except WrongPin:
        failures = session.execute(
            update(SignerCertificate).where(SignerCertificate.id == cert.id)
            .values(pin_failures=SignerCertificate.pin_failures + 1)
            .returning(SignerCertificate.pin_failures)
        ).scalar_one()
        if failures >= PIN_MAX_FAILURES:
            session.execute(update(SignerCertificate).where(SignerCertificate.id == cert.id)
                            .values(pin_failures=0, pin_locked_until=now + PIN_LOCK))
        log_event(session, "signing.pin.failed", now=now, user=user,
                  detail=f"certificate_id={cert.id} serial={cert.serial} failures={failures}")
        raise WrongPin(left=PIN_MAX_FAILURES - failures) from None
    # The stored columns are what the domain trusts; they must describe this very key.
    if serial_hex(opened.certificate) != cert.serial or not owner_matches(
            certificate_owner(opened.certificate), user.full_name):
        raise CertificateOwnerMismatch(certificate_owner(opened.certificate), user.full_name)
    if cert.pin_failures:
        session.execute(update(SignerCertificate).where(SignerCertificate.id == cert.id)
                        .values(pin_failures=0, pin_locked_until=None))
    return UnlockedKey(certificate=cert, opened=opened)


# ------------------------------------------------------------------ signing sessions


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
