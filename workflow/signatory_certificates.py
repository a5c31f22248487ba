"""A signatory's certificates: the role granted, a certificate added (its PIN proven, its
owner matched) or revoked, and which one is current. Audited admin actions that notify the
existing signatories, so an impostor cannot be made a signatory quietly."""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import notifications
from .errors import InvalidInput, PermissionDenied
from .models import SignerCertificate, User
from .signin import log_event
from .signing_errors import WrongPin
from .signing_pkcs12 import (
    as_utc,
    certificate_owner,
    issued_by_trusted,
    open_pkcs12,
    owner_matches,
    serial_hex,
)
from .states import Role

MIN_PIN = 6


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
    valid_from, valid_to = as_utc(cert.not_valid_before_utc), as_utc(cert.not_valid_after_utc)
    if not valid_from <= now <= valid_to:
        raise InvalidInput(f"Сертификат не действует сейчас: срок действия "
                           f"{valid_from:%d.%m.%Y} — {valid_to:%d.%m.%Y}", field="pkcs12")
    if trust_roots is not None and not issued_by_trusted(cert, trust_roots):
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
